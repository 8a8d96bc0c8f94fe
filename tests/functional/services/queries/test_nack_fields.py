"""A NACK's wrong value: the items behind a TR-code group carry `field` and `value`, as an
issue does, when the TR's message names a value the event holds in one field; that is what
the console proposes a bulk repair from ("set counterparty_2.identifier from X to ...")."""

from __future__ import annotations

import pytest

from shared.services.reads import errors
from shared.services.reads.filters import ErrorItemsQuery
from tests.functional.services.queries import seed

pytestmark = pytest.mark.functional

WRONG, OURS = seed.lei(7), seed.lei(1)


def test_nack_items_name_the_field_holding_the_value_the_tr_refused(db, two_tenants):
    a, b = two_tenants
    # the legs' payer and receiver refer to the parties by their LEI (enrichment fills them):
    # the field to correct is still the party's identifier
    payload = {"uti": "U", "action_type": "NEWT", "counterparty_1": {"identifier": OURS},
               "counterparty_2": {"identifier": WRONG},
               "legs": [{"payer": OURS, "receiver": WRONG}, {"payer": WRONG, "receiver": OURS}]}
    named = [seed.event(db, a, f"U{n}", payload={**payload, "uti": f"U{n}"}) for n in range(2)]
    both = seed.event(db, a, "U9", payload={**payload, "uti": "U9",
                                            "counterparty_1": {"identifier": WRONG}})
    events = [*named, both]
    seed.report_file(db, a, events, statuses=["nacked"] * 3, codes=["TR-ID-003"] * 3)
    with db.tenant(a) as conn:  # the TR names the LEI by its own column, as the TR sim does
        conn.execute("UPDATE report_items SET tr_message = %s",
                     (f"TR-ID-003: CP2_ID {WRONG} is not in the LEI register",))
        items = errors.error_items(conn, ErrorItemsQuery(kind="tr_code", key="TR-ID-003"))
    by_event = {i["event_id"]: (i["field"], i["value"]) for i in items["items"]}
    assert [by_event[str(e)] for e in named] == [("counterparty_2.identifier", WRONG)] * 2
    # the value sits in two fields of this event: no single correction is implied
    assert by_event[str(both)] == (None, None)
    assert all("event_payload" not in i for i in items["items"])  # the payload stays inside
    with db.tenant(b) as conn:
        assert errors.error_items(conn, ErrorItemsQuery(kind="tr_code", key="TR-ID-003")) == {
            "items": [], "next_cursor": None, "total": 0, "total_capped": False}


def test_a_message_that_names_no_value_the_event_holds_gives_no_field(db, two_tenants):
    a, _ = two_tenants
    event = seed.event(db, a, "U1", payload={"uti": "U1", "action_type": "NEWT",
                                             "counterparty_2": {"identifier": WRONG}})
    seed.report_file(db, a, [event], statuses=["nacked"], codes=["TR-VA-001"])
    with db.tenant(a) as conn:
        [item] = errors.error_items(conn, ErrorItemsQuery(kind="tr_code", key="TR-VA-001"))[
            "items"]
    assert (item["tr_message"], item["field"], item["value"]) == ("TR-VA-001 message", None,
                                                                  None)

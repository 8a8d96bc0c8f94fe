"""A repair's changes applied by field path to a stored event (shared/services/operations/paths)."""

from decimal import Decimal

import pytest

from shared.domain.model import TradeEvent
from shared.services.operations.base import InvalidRepair
from shared.services.operations.paths import apply_changes

OURS, OLD, NEW = "9884DEMO000000000133", "9884DEMO000000019911", "9884DEMO000000010017"


def stored() -> dict:
    return {
        "uti": f"{OURS}SWAP0001", "action_type": "NEWT", "event_timestamp": "2026-11-20T01:00:00Z",
        "counterparty_1": {"identifier": OURS}, "counterparty_2": {"identifier": OLD},
        "legs": [{"payer": OURS, "receiver": OLD, "fixed_rate": "0.0325",
                  "notional": {"amount": "1000000", "currency": "KRW"}},
                 {"payer": OLD, "receiver": OURS,
                  "notional": {"amount": "1000000", "currency": "KRW"}}],
    }


def test_a_counterparty_lei_repair_renames_the_legs_payer_and_receiver_too():
    edit = apply_changes(TradeEvent.model_validate(stored()).model_dump(mode="json"),
                         {"counterparty_2.identifier": NEW})
    assert edit.event.counterparty_2.identifier == NEW
    assert [(leg.payer, leg.receiver) for leg in edit.event.legs] == [(OURS, NEW), (NEW, OURS)]
    # the audit shows every field that changed, the carried ones too
    assert edit.changed == {"counterparty_2.identifier": {"before": OLD, "after": NEW},
                            "legs[0].receiver": {"before": OLD, "after": NEW},
                            "legs[1].payer": {"before": OLD, "after": NEW}}


def test_a_leg_field_repair_changes_that_field_only():
    edit = apply_changes(stored(), {"legs[0].fixed_rate": "0.033"})
    assert edit.event.legs[0].fixed_rate == Decimal("0.033")
    assert list(edit.changed) == ["legs[0].fixed_rate"]


def test_an_unknown_path_is_refused_by_name():
    with pytest.raises(InvalidRepair) as refused:
        apply_changes(stored(), {"counterparty_2.identifer": NEW})
    assert [e.field for e in refused.value.errors] == ["counterparty_2.identifer"]

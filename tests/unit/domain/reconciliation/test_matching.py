"""Pairing and matching as the TR does it: what an operator sees as "paired", "matched" and
the fields where the other side reported something else."""

from __future__ import annotations

import pytest

from shared.domain.reconciliation import (
    FIELDS,
    FieldDifference,
    Rule,
    SideReport,
    compare,
    other_side,
    paired,
    reconcile,
)
from shared.domain.reconciliation.matching import agrees

US = "5493001KJTIIGC8Y1R12"
THEM = "213800ABCDEFGHIJKL12"
UTI = f"{US}SWAP000001"

VALUES = {
    "DrctnOrSd": "BYER", "UnqPdctIdr": "QZ0000000001", "CtrctTp": "SWAP", "AsstClss": "INTR",
    "ExctnTmStmp": "2026-11-20T01:02:03Z", "FctvDt": "2026-11-24", "XprtnDt": "2031-11-24",
    "NtnlAmtFrstLeg": "10000000 EUR", "IntrstFxdRateFrstLeg": "0.0325", "Lvl": "TCTN",
}


def side(values=VALUES, *, rc=US, oc=THEM, other_reports=True, uti=UTI) -> SideReport:
    return SideReport(uti, rc, oc, other_reports, values)


def test_the_other_side_agreeing_with_us_is_paired_and_matched():
    status = reconcile(side(), side(other_side(VALUES), rc=THEM, oc=US))
    assert (status.pairing, status.matching, status.differences) == ("paired", "matched", ())
    assert status.flag == "DSMA"


def test_a_notional_the_other_side_reports_differently_is_named_with_both_values():
    theirs = {**other_side(VALUES), "NtnlAmtFrstLeg": "11000000 EUR"}
    status = reconcile(side(), side(theirs, rc=THEM, oc=US))
    assert status.matching == "unmatched" and status.flag == "DSNM"
    assert status.differences == (FieldDifference("NtnlAmtFrstLeg", "10000000 EUR",
                                                  "11000000 EUR"),)


def test_differences_come_in_the_schema_order_whatever_the_input_order():
    theirs = {**other_side(VALUES), "XprtnDt": "2032-11-24", "DrctnOrSd": "BYER",
              "CtrctTp": "FRAS"}
    found = [d.field for d in compare(VALUES, theirs)]
    assert found == ["DrctnOrSd", "CtrctTp", "XprtnDt"]


def test_without_a_report_from_the_other_side_the_trade_is_unpaired():
    status = reconcile(side(), None)
    assert (status.pairing, status.matching, status.flag) == ("unpaired", "not_applicable",
                                                             "SSUN")


def test_a_report_naming_other_counterparties_does_not_pair():
    stranger = "9884000COUNTERP0018"
    assert not paired(side(), side(rc=stranger, oc=US))
    assert not paired(side(), side(rc=THEM, oc=stranger))
    assert reconcile(side(), side(rc=stranger, oc=US)).pairing == "unpaired"


def test_another_uti_does_not_pair():
    assert not paired(side(), side(rc=THEM, oc=US, uti=f"{US}SWAP000002"))


def test_a_trade_whose_other_side_has_no_reporting_obligation_is_not_reconciled():
    status = reconcile(side(other_reports=False), side(rc=THEM, oc=US))
    assert (status.pairing, status.matching, status.flag) == ("not_applicable",
                                                             "not_applicable", "NORE")


def test_a_report_missing_its_counterparties_never_pairs():
    assert not paired(side(rc=None), side(rc=THEM, oc=None))


@pytest.mark.parametrize(("ours", "theirs", "agree"), [
    ("BYER", "SLLR", True), ("SLLR", "BYER", True), ("MAKE", "TAKE", True),
    ("BYER", "BYER", False), ("MAKE", "SLLR", False), ("XXXX", "XXXX", False),
])
def test_each_side_states_its_own_direction_so_they_must_be_opposite(ours, theirs, agree):
    assert agrees(Rule.OPPOSITE, ours, theirs) is agree


@pytest.mark.parametrize(("rule", "ours", "theirs", "agree"), [
    (Rule.DECIMAL, "0.6", "0.60", True),
    (Rule.DECIMAL, "0.6", "0.61", False),
    (Rule.DECIMAL, "abc", "abc", True),  # not a number: the same text still agrees
    (Rule.DECIMAL, "abc", "0.6", False),
    (Rule.AMOUNT, "10000000 EUR", "10000000.00 EUR", True),
    (Rule.AMOUNT, "10000000 EUR", "10000000 USD", False),
    (Rule.AMOUNT, "10000000 EUR", "10000001 EUR", False),
    (Rule.TIMESTAMP, "2026-11-20T01:02:03Z", "2026-11-20T01:59:03Z", True),
    (Rule.TIMESTAMP, "2026-11-20T01:02:03Z", "2026-11-20T02:02:04Z", False),
    (Rule.TIMESTAMP, "2026-11-20T01:02:03Z", "2026-11-20T10:02:03+09:00", True),
    (Rule.TIMESTAMP, "2026-11-20T01:02:03Z", "yesterday", False),
    (Rule.EXACT, "2031-11-24", "2031-11-24", True),
    (Rule.EXACT, "2031-11-24", "2031-11-25", False),
])
def test_each_rule_judges_two_reported_values(rule, ours, theirs, agree):
    assert agrees(rule, ours, theirs) is agree


def test_a_field_only_one_side_reports_is_a_difference_and_one_neither_reports_is_not():
    theirs = other_side(VALUES)
    del theirs["FctvDt"]
    theirs["EarlyTermntnDt"] = "2027-01-04"
    assert compare(VALUES, theirs) == (
        FieldDifference("FctvDt", "2026-11-24", None),
        FieldDifference("EarlyTermntnDt", None, "2027-01-04"))
    assert "NtnlAmtScndLeg" not in {d.field for d in compare(VALUES, theirs)}


def test_fields_outside_the_catalogue_are_not_compared():
    assert compare({**VALUES, "Comment": "a"}, {**other_side(VALUES), "Comment": "b"}) == ()


def test_the_other_side_turns_only_the_direction_round():
    mirrored = other_side(VALUES)
    assert mirrored["DrctnOrSd"] == "SLLR"
    assert {k: v for k, v in mirrored.items() if k != "DrctnOrSd"} == \
        {k: v for k, v in VALUES.items() if k != "DrctnOrSd"}


def test_revived_and_further_modified_are_carried_from_our_report():
    ours = SideReport(UTI, US, THEM, True, VALUES, revived=True, further_modified=True)
    status = reconcile(ours, None)
    assert status.revived and status.further_modified


def test_the_catalogue_has_each_key_once_and_known_groups():
    keys = [f.key for f in FIELDS]
    assert len(keys) == len(set(keys))
    assert {f.group for f in FIELDS} <= {"CtrPtyMtchgCrit", "CtrctMtchgCrit", "TxMtchgCrit"}
    assert all(f.name for f in FIELDS)

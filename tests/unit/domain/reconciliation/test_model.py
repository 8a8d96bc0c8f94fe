"""The reconciliation status as the console shows it, and the states that cannot exist."""

from __future__ import annotations

import pytest

from shared.domain.reconciliation import FieldDifference, ReconStatus

UTI = "5493001KJTIIGC8Y1R12SWAP000001"


def test_a_matched_trade_cannot_have_differences():
    with pytest.raises(ValueError, match="matched needs paired and no differences"):
        ReconStatus(UTI, True, True, True, (FieldDifference("CtrctTp", "SWAP", "FRAS"),))


def test_an_unpaired_trade_cannot_be_matched():
    with pytest.raises(ValueError, match="matched needs paired"):
        ReconStatus(UTI, True, False, True)


def test_a_single_sided_trade_cannot_be_paired():
    with pytest.raises(ValueError, match="single-sided"):
        ReconStatus(UTI, False, True, False)


@pytest.mark.parametrize(("two_sided", "paired", "matched", "shown"), [
    (False, False, False, ("not_applicable", "not_applicable", "NORE")),
    (True, False, False, ("unpaired", "not_applicable", "SSUN")),
    (True, True, False, ("paired", "unmatched", "DSNM")),
    (True, True, True, ("paired", "matched", "DSMA")),
])
def test_pairing_matching_and_the_tr_flag_follow_the_status(two_sided, paired, matched, shown):
    differences = () if matched or not paired else (FieldDifference("Lvl", "TCTN", "PSTN"),)
    status = ReconStatus(UTI, two_sided, paired, matched, differences)
    assert (status.pairing, status.matching, status.flag) == shown


def test_a_difference_serialises_with_both_values():
    assert FieldDifference("XprtnDt", "2031-11-24", None).as_dict() == {
        "field": "XprtnDt", "ours": "2031-11-24", "theirs": None}

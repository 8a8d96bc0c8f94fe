"""Breaks between our books and the TR's view: what the reconciliation screen lists."""

from __future__ import annotations

from shared.domain.reconciliation import (
    Break,
    BreakKind,
    FieldDifference,
    OurTrade,
    ReconStatus,
    TrTrade,
    breaks,
)

NOTIONAL = FieldDifference("NtnlAmtFrstLeg", "10000000 EUR", "11000000 EUR")


def tr(*utis: str, action: str = "NEWT") -> dict[str, TrTrade]:
    return {u: TrTrade(u, action) for u in utis}


def unmatched(uti: str, *differences: FieldDifference) -> ReconStatus:
    return ReconStatus(uti, True, True, False, differences or (NOTIONAL,))


def kinds(found: list[Break]) -> list[tuple[str, str]]:
    return [(b.kind.value, b.uti) for b in found]


def test_the_views_agreeing_give_no_break():
    ours = [OurTrade("A", True, "NEWT"), OurTrade("B", False, "TERM")]
    assert breaks(ours, tr("A"), {"A": ReconStatus("A", True, True, True)}) == []


def test_a_trade_open_at_the_tr_that_we_do_not_hold():
    [found] = breaks([], tr("X", action="MODI"), {})
    assert (found.kind, found.uti, found.tr_action, found.our_action) == (
        BreakKind.AT_TR_ONLY, "X", "MODI", None)


def test_a_trade_we_hold_open_that_the_tr_does_not_have():
    [found] = breaks([OurTrade("A", True, "NEWT")], tr(), {})
    assert (found.kind, found.our_action) == (BreakKind.MISSING_AT_TR, "NEWT")


def test_a_trade_terminated_here_but_open_at_the_tr():
    [found] = breaks([OurTrade("A", False, "TERM")], tr("A", action="MODI"), {})
    assert (found.kind, found.our_action, found.tr_action) == (BreakKind.OPEN_AT_TR, "TERM",
                                                                "MODI")


def test_a_trade_cancelled_here_with_eror_but_open_at_the_tr_is_the_same_break():
    [found] = breaks([OurTrade("A", False, "EROR")], tr("A"), {})
    assert found.kind is BreakKind.OPEN_AT_TR


def test_a_trade_ended_both_here_and_at_the_tr_is_no_break():
    assert breaks([OurTrade("A", False, "TERM")], tr(), {}) == []


def test_the_fields_the_other_side_reports_differently_are_a_break_with_their_values():
    [found] = breaks([OurTrade("A", True, "NEWT")], tr("A"), {"A": unmatched("A")})
    assert found.kind is BreakKind.FIELD_MISMATCH and found.differences == (NOTIONAL,)


def test_an_unpaired_trade_is_not_a_break_the_other_side_may_not_have_reported_yet():
    status = ReconStatus("A", True, False, False)
    assert breaks([OurTrade("A", True, "NEWT")], tr("A"), {"A": status}) == []


def test_a_trade_terminated_here_and_unmatched_is_only_the_termination_break():
    found = breaks([OurTrade("A", False, "TERM")], tr("A"), {"A": unmatched("A")})
    assert kinds(found) == [("open_at_tr", "A")]


def test_before_any_trade_state_report_only_mismatches_can_be_said():
    ours = [OurTrade("A", True), OurTrade("B", True), OurTrade("C", False)]
    found = breaks(ours, None, {"B": unmatched("B")})
    assert kinds(found) == [("field_mismatch", "B")]


def test_breaks_come_by_kind_then_uti():
    ours = [OurTrade("M2", True), OurTrade("M1", True), OurTrade("T", False),
            OurTrade("F", True)]
    found = breaks(ours, tr("Z", "T", "F", "A"), {"F": unmatched("F")})
    assert kinds(found) == [("at_tr_only", "A"), ("at_tr_only", "Z"), ("open_at_tr", "T"),
                            ("missing_at_tr", "M1"), ("missing_at_tr", "M2"),
                            ("field_mismatch", "F")]


def test_the_same_break_found_again_keeps_its_signature_and_another_does_not():
    once = breaks([OurTrade("A", True)], tr("A"), {"A": unmatched("A")})[0]
    again = breaks([OurTrade("A", True, "MODI")], tr("A", action="MODI"),
                   {"A": unmatched("A")})[0]
    other = breaks([OurTrade("A", True)], tr("A"), {"A": unmatched(
        "A", FieldDifference("NtnlAmtFrstLeg", "10000000 EUR", "12000000 EUR"))})[0]
    assert once.signature == again.signature != other.signature
    missing = breaks([OurTrade("A", True)], tr(), {})[0]
    assert missing.signature != once.signature


def test_our_trade_is_open_unless_its_latest_event_ended_it():
    assert [OurTrade.after("A", action).open for action in
            ("NEWT", "MODI", "VALU", "REVI", "TERM", "EROR", "PRTO")] == [
        True, True, True, True, False, False, False]

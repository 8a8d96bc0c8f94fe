from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.domain.lifecycle import (
    REFUSALS,
    TRANSITIONS,
    Profile,
    TradeLifecycle,
    TradeState,
    profile_for,
    replay,
)
from shared.domain.model import ActionType, EventType, Level
from shared.domain.rules import REGISTRY

A, E, S = ActionType, EventType, TradeState
T0 = datetime(2026, 11, 20, 1, 30, tzinfo=UTC)


@dataclass(frozen=True)
class Report:
    """The four fields the machine reads; the tests need nothing else."""

    action_type: ActionType
    event_type: EventType | None = None
    level: Level = Level.TCTN
    execution_timestamp: datetime | None = T0


def run(*actions: ActionType | Report, regime: str | None = None):
    reports = [a if isinstance(a, Report) else Report(a) for a in actions]
    return replay(reports, regime=regime)


def refused(decisions) -> list[str | None]:
    return [d.rule_id for d in decisions]


def test_a_plain_life() -> None:
    final, decisions = run(A.NEWT, A.MODI, A.VALU, A.MARU, A.CORR, A.TERM)
    assert final.state is S.TERMINATED and all(d.accepted for d in decisions)
    assert [d.after for d in decisions][-2:] == [S.LIVE, S.TERMINATED]
    assert final.accepted == 6 and final.opened_by is A.NEWT


@pytest.mark.parametrize(("actions", "rule_id"), [
    ((A.NEWT, A.NEWT), "SR-LC-015"),
    ((A.POSC, A.NEWT), "SR-LC-015"),
    ((A.NEWT, A.EROR, A.NEWT), "SR-LC-015"),
    ((A.MODI,), "SR-LC-016"),
    ((A.VALU,), "SR-LC-016"),
    ((A.PRTO,), "SR-LC-016"),
    ((A.NEWT, A.EROR, A.MODI), "SR-LC-017"),
    ((A.NEWT, A.EROR, A.EROR), "SR-LC-017"),
    ((A.REVI,), "SR-LC-018"),
    ((A.NEWT, A.REVI), "SR-LC-018"),
    ((A.NEWT, A.TERM, A.MODI), "SR-LC-021"),
    ((A.NEWT, A.TERM, A.VALU), "SR-LC-021"),
    ((A.NEWT, A.TERM, A.TERM), "SR-LC-021"),
    ((A.NEWT, A.PRTO, A.MODI), "SR-LC-039"),
    ((A.NEWT, A.PRTO, A.NEWT), "SR-LC-039"),
])
def test_refusals_default_profile(actions, rule_id) -> None:
    _, decisions = run(*actions)
    assert all(d.accepted for d in decisions[:-1])
    last = decisions[-1]
    assert last.rule_id == rule_id and last.before == last.after
    assert last.message_en and last.message_ko and "{" not in last.message_en + last.message_ko


def test_refusal_changes_nothing() -> None:
    start, _ = run(A.NEWT, A.TERM)
    after, decision = start.apply(Report(A.MODI))
    assert not decision.accepted and after is start


def test_revive_restores_what_the_error_interrupted() -> None:
    assert run(A.NEWT, A.EROR, A.REVI)[0].state is S.LIVE
    assert run(A.NEWT, A.TERM, A.REVI)[0].state is S.LIVE
    final, _ = run(A.NEWT, A.TERM, A.EROR, A.REVI, regime="cftc-part45")
    assert final.state is S.TERMINATED  # CFTC: a dead swap errored and revived is dead again


def test_cftc_terminated_state_follows_appendix_f_figure_1() -> None:
    for action in (A.MODI, A.CORR, A.VALU, A.MARU, A.EROR, A.REVI, A.PRTO):
        _, decisions = run(A.NEWT, A.TERM, action, regime="cftc-part45")
        assert decisions[-1].accepted, action
    _, decisions = run(A.NEWT, A.TERM, A.TERM, regime="cftc-part45")
    assert decisions[-1].rule_id == "SR-LC-021"
    assert "only MODI, CORR, EROR, REVI, VALU, MARU, PRTO are accepted" in (
        decisions[-1].message_en)


def test_cftc_transfer_back_in_needs_newt_ptng() -> None:
    _, decisions = run(A.NEWT, A.PRTO, A.NEWT, regime="cftc-part45")
    assert decisions[-1].rule_id == "SR-LC-039"
    assert "NEWT with event type PTNG" in decisions[-1].message_en
    final, decisions = run(A.NEWT, A.PRTO, Report(A.NEWT, E.PTNG), regime="cftc-part45")
    assert final.state is S.LIVE and decisions[-1].accepted


def test_cftc_errored_swap_cannot_be_ported() -> None:
    _, decisions = run(A.NEWT, A.EROR, A.PRTO, regime="cftc-part45")
    assert decisions[-1].rule_id == "SR-LC-017"


def test_level_changes_only_by_corr_or_revi() -> None:
    position = Level.PSTN
    _, decisions = run(A.NEWT, Report(A.MODI, level=position))
    assert decisions[-1].rule_id == "SR-LC-019"
    assert "PSTN" in decisions[-1].message_en and "TCTN" in decisions[-1].message_en
    final, decisions = run(A.NEWT, Report(A.CORR, level=position), Report(A.VALU, level=position))
    assert all(d.accepted for d in decisions) and final.level is position


def test_execution_timestamp_is_fixed_on_modi_but_not_on_corr() -> None:
    moved = Report(A.MODI, execution_timestamp=T0 + timedelta(minutes=1))
    assert run(A.NEWT, moved)[1][-1].rule_id == "SR-DT-014"
    naive_same = Report(A.MODI, execution_timestamp=T0.replace(tzinfo=None))
    assert run(A.NEWT, naive_same)[1][-1].accepted
    corrected = Report(A.CORR, execution_timestamp=T0 + timedelta(minutes=1))
    final, decisions = run(A.NEWT, corrected, Report(A.MODI, execution_timestamp=None))
    assert all(d.accepted for d in decisions)
    assert final.execution_timestamp == T0 + timedelta(minutes=1)


def test_allowed_lists_the_state_s_actions() -> None:
    assert TradeLifecycle().allowed() == (A.NEWT, A.POSC)
    assert run(A.NEWT, A.EROR)[0].allowed() == (A.REVI,)
    assert profile_for("CFTC-PART45") is Profile.CFTC and profile_for("krx") is Profile.DEFAULT
    assert profile_for(None) is Profile.DEFAULT


def test_every_refusal_is_a_registered_rule_with_the_same_messages() -> None:
    for rule_id, refusal in REFUSALS.items():
        rule = REGISTRY[rule_id]
        assert (rule.message_en, rule.message_ko, rule.field) == (
            refusal.message_en, refusal.message_ko, refusal.field)


# --- properties ---------------------------------------------------------------------------

reports = st.builds(
    Report,
    action_type=st.sampled_from(ActionType),
    event_type=st.one_of(st.none(), st.sampled_from(EventType)),
    level=st.sampled_from(Level),
    execution_timestamp=st.one_of(st.none(), st.sampled_from(
        [T0, T0 + timedelta(minutes=1), T0.replace(tzinfo=None)])),
)
histories = st.lists(reports, max_size=25)
regimes = st.sampled_from([None, "krx", "emir", "cftc-part45"])


@settings(max_examples=500, deadline=None)
@given(history=histories, regime=regimes)
def test_no_sequence_crashes_and_every_refusal_names_a_registered_rule(history, regime) -> None:
    final, decisions = replay(history, regime=regime)
    assert len(decisions) == len(history)
    for decision in decisions:
        if not decision.accepted:
            assert decision.rule_id in REGISTRY
            assert decision.message_en and decision.message_ko
            assert decision.after is decision.before
    assert final.accepted == sum(d.accepted for d in decisions)


@settings(max_examples=500, deadline=None)
@given(history=histories, regime=regimes)
def test_accepted_sequences_keep_the_invariants(history, regime) -> None:
    _, decisions = replay(history, regime=regime)
    accepted = [(r, d) for r, d in zip(history, decisions, strict=True) if d.accepted]
    state = S.ABSENT
    opened = 0
    for report, decision in accepted:
        action = report.action_type
        assert decision.before is state, "decisions chain: each starts where the last ended"
        assert action in TRANSITIONS[profile_for(regime)][state]
        if action in (A.NEWT, A.POSC):
            opened += 1
            # a second NEWT/POSC only after a port-out and back in (CFTC NEWT-PTNG)
            assert state is S.ABSENT or (state is S.PORTED and report.event_type is E.PTNG
                                         and profile_for(regime) is Profile.CFTC)
        if state is S.ERRORED:
            assert action is A.REVI  # nothing but a revive after an error
        if action is A.REVI:
            assert state in (S.ERRORED, S.TERMINATED)
        if state is S.TERMINATED and profile_for(regime) is Profile.DEFAULT:
            assert action in (A.CORR, A.REVI)
        state = decision.after
    if profile_for(regime) is Profile.DEFAULT:
        assert opened <= 1, "never two NEWT/POSC accepted for one UTI"


@settings(max_examples=300, deadline=None)
@given(history=histories, regime=regimes)
def test_replay_is_deterministic_and_resumable(history, regime) -> None:
    whole, decisions = replay(history, regime=regime)
    half = len(history) // 2
    first, early = replay(history[:half], regime=regime)
    resumed, late = replay(history[half:], start=first)
    assert resumed == whole and early + late == decisions

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from shared.domain.issues import Severity
from shared.domain.model import (
    ActionType,
    Cleared,
    Clearing,
    EventType,
    Nature,
    Party,
    Product,
)
from shared.domain.rules import validate
from shared.domain.rules.combinations import ALLOWED, allowed_events
from shared.domain.rules.timeliness import reference_timestamp
from tests.unit.domain.rules import factory as f

A, E = ActionType, EventType


def _ids(event, **ctx) -> dict[str, list]:
    found: dict[str, list] = {}
    for issue in validate(event, f.context(**ctx)):
        found.setdefault(issue.rule_id, []).append(issue)
    return found


# --- action/event pairs -------------------------------------------------------------------

def test_cftc_examples_of_appendix_f_are_allowed() -> None:
    cftc = ALLOWED["cftc-part45"]
    for action, event in [(A.NEWT, E.TRAD), (A.MODI, E.TRAD), (A.TERM, E.NOVA),
                          (A.NEWT, E.NOVA), (A.MODI, E.NOVA), (A.TERM, E.ETRM),
                          (A.TERM, E.CLRG), (A.NEWT, E.CLRG), (A.TERM, E.COMP),
                          (A.NEWT, E.COMP), (A.TERM, E.EXER), (A.MODI, E.EXER),
                          (A.NEWT, E.EXER), (A.TERM, E.ALOC), (A.NEWT, E.ALOC),
                          (A.MODI, E.CREV), (A.PRTO, E.PTNG), (A.NEWT, E.PTNG),
                          (A.NEWT, E.UPDT), (A.CORR, None), (A.EROR, None), (A.REVI, None),
                          (A.VALU, None), (A.MARU, None)]:
        assert event in cftc[action], (action, event)


def test_rows_match_the_mark_counts_of_table_7() -> None:
    cftc = ALLOWED["cftc-part45"]
    assert (len(cftc[A.NEWT]), len(cftc[A.MODI]), len(cftc[A.TERM])) == (9, 8, 9)


@pytest.mark.parametrize(("regime", "action", "event", "problem"), [
    ("cftc-part45", A.CORR, E.TRAD, "CORR carries no event type; leave it blank"),
    ("cftc-part45", A.POSC, E.TRAD, "POSC is not an action type of this regime"),
    ("emir", A.PRTO, E.PTNG, "PRTO is not an action type of this regime"),
    ("emir", A.NEWT, None, "NEWT needs an event type, one of"),
    ("emir", A.TERM, E.TRAD, "TERM allows ALOC, CLAL, CLRG, COMP"),
    # UK EMIR kept ESMA's table: no porting action there either
    ("uk-emir", A.PRTO, E.PTNG, "PRTO is not an action type of this regime"),
    # public dissemination carries no valuations
    ("cftc-part43", A.VALU, None, "VALU is not an action type of this regime"),
])
def test_pair_messages(regime, action, event, problem) -> None:
    report = f.newt(action_type=action, event_type=event)
    issue = _ids(report, regimes=(regime,))["SR-LC-020"][0]
    assert problem in issue.message_en and issue.severity is Severity.REJECT


@pytest.mark.parametrize("regime", ["emir", "cftc-part45"])
def test_a_partial_termination_modi_etrm_is_accepted(regime) -> None:
    # EMIR reports it as MODI-ETRM; CFTC as MODI-TRAD (ETRM is a TERM event there)
    report = f.lifecycle(A.MODI, E.ETRM)
    assert "SR-LC-020" not in _ids(report, regimes=(regime,))


@pytest.mark.parametrize(("regime", "action", "event"), [
    ("cftc-part45", A.MODI, E.CLRG), ("emir", A.MODI, E.CLRG), ("emir", A.EROR, E.ETRM),
    ("cftc-part45", A.NEWT, E.ETRM), ("emir", A.NEWT, E.ETRM)])
def test_termination_and_clearing_pairs_that_stay_invalid(regime, action, event) -> None:
    report = f.lifecycle(action, event) if action is not A.NEWT else f.newt(event_type=event)
    assert _ids(report, regimes=(regime,))["SR-LC-020"][0].severity is Severity.REJECT


def test_emir_correction_may_leave_the_event_type_blank() -> None:
    assert None in allowed_events("emir", A.CORR) and E.TRAD in allowed_events("emir", A.CORR)


def test_krx_flags_unknown_pairs_for_review_only() -> None:
    issue = _ids(f.newt(action_type=A.TERM, event_type=E.TRAD), regimes=("krx",))["SR-LC-020"]
    assert issue[0].severity is Severity.WARN and "its own is not public" in issue[0].message_en


@pytest.mark.parametrize("regime", ["jfsa", "mas", "hkma", "asic"])
def test_a_regime_without_a_table_at_hand_only_warns_and_says_why(regime) -> None:
    issue = _ids(f.newt(action_type=A.TERM, event_type=E.TRAD), regimes=(regime,))["SR-LC-020"]
    assert issue[0].severity is Severity.WARN
    assert "its own is not at hand" in issue[0].message_en
    assert "자체 기준 미확보" in issue[0].message_ko


def test_same_problem_under_every_regime_is_one_issue() -> None:
    report = f.newt(event_type=None)
    issues = _ids(report, regimes=("emir", "cftc-part45"))["SR-LC-020"]
    assert len(issues) == 2  # the messages name the regime: kept apart
    term = f.lifecycle(A.TERM, E.ETRM, event_timestamp=None)
    assert [i.regime for i in _ids(term)["SR-LC-035"]] == [None]


# --- fields by action type ----------------------------------------------------------------

def test_eror_with_economics_is_refused_except_under_cftc() -> None:
    eror = f.lifecycle(A.EROR, legs=f.newt().legs)
    assert [i.regime for i in _ids(eror, regimes=("emir", "krx"))["SR-LC-036"]] == [None]
    assert "SR-LC-036" not in _ids(eror, regimes=("cftc-part45",))
    assert "legs" in _ids(eror, regimes=("emir",))["SR-LC-036"][0].message_en


def test_missing_core_fields_each_get_an_issue() -> None:
    issues = _ids(f.newt(counterparty_1=None, execution_timestamp=None, legs=[],
                         product=Product()))["SR-LC-037"]
    assert [i.field for i in issues] == ["counterparty_1", "execution_timestamp",
                                         "product.asset_class", "legs[0].notional"]


def test_margin_update_needs_collateral() -> None:
    assert _ids(f.maru(collateral=None))["SR-LC-038"][0].field == "collateral"


# --- history ------------------------------------------------------------------------------

def test_sequence_rules_need_history() -> None:
    assert "SR-LC-016" not in _ids(f.lifecycle(A.MODI, E.TRAD), history=None)


def test_cftc_accepts_a_valuation_after_termination_emir_does_not() -> None:
    history = (f.newt(), f.lifecycle(A.TERM, E.ETRM))
    valu = f.valu()
    by_regime = {r: _ids(valu, regimes=(r,), history=history) for r in ("emir", "cftc-part45")}
    assert "SR-LC-021" in by_regime["emir"] and "SR-LC-021" not in by_regime["cftc-part45"]
    assert "only CORR, REVI are accepted" in by_regime["emir"]["SR-LC-021"][0].message_en


def test_execution_timestamp_change_on_modi_names_both_values() -> None:
    moved = f.EXECUTED + timedelta(minutes=5)
    issue = _ids(f.lifecycle(A.MODI, E.TRAD, execution_timestamp=moved),
                 history=(f.newt(),))["SR-DT-014"][0]
    assert "2026-11-20T01:35:00Z" in issue.message_en and "2026-11-20T01:30:00Z" in (
        issue.message_en)


# --- clearing and valuation ---------------------------------------------------------------

def test_clearing_member_that_is_a_ccp() -> None:
    same = f.newt(clearing=Clearing(cleared=Cleared.YES, ccp=f.LEI_CCP,
                                    clearing_member=f.LEI_CCP))
    assert _ids(same)["SR-CL-026"][0].field == "clearing.clearing_member"
    known = f.cleared()
    assert "SR-CL-026" in _ids(known, known_ccps=frozenset({f.LEI_CM}))


def test_intended_clearing_needs_no_ccp_yet() -> None:
    assert "SR-CL-026" not in _ids(f.newt(clearing=Clearing(cleared=Cleared.INTENDED)))


def test_stale_margin_warns_and_expired_trades_are_exempt() -> None:
    old = datetime(2026, 10, 1, tzinfo=UTC)
    stale = f.maru(collateral=f.maru().collateral.model_copy(update={"timestamp": old}))
    issue = _ids(stale)["SR-VA-029"][0]
    assert issue.severity is Severity.WARN and issue.field == "collateral.timestamp"
    assert "50 days ago" in issue.message_en
    expired = f.newt(valuation=f.valuation(timestamp=old), expiration_date=old.date())
    assert "SR-VA-029" not in _ids(expired)


def test_option_without_contract_type_still_needs_delta() -> None:
    event = f.newt(product=Product(asset_class="INTR", upi=f.UPI), option={"strike": Decimal(1)},
                   valuation=f.valuation())
    assert "SR-VA-028" in _ids(event)


# --- timeliness ---------------------------------------------------------------------------

def test_deadline_from_the_calendars_per_regime() -> None:
    # executed Fri 2026-11-20 10:30 KST / Thu 20:30 New York; reported Tue 2026-11-24
    late = f.newt(reporting_timestamp=datetime(2026, 11, 24, 1, tzinfo=UTC))
    issues = _ids(late, now=datetime(2026, 11, 24, 2, tzinfo=UTC))["SR-TM-030"]
    assert {i.regime for i in issues} == {"krx", "emir", "cftc-part45"}
    assert all(i.severity is Severity.WARN for i in issues)
    krx = next(i for i in issues if i.regime == "krx")
    assert "2026-11-23T15:00:00Z" in krx.message_en  # end of Mon 23 Nov in Seoul


def test_ccp_reports_same_day_under_krx() -> None:
    ccp = Party(identifier=f.LEI_1, nature=Nature.CCP)
    evening = f.newt(counterparty_1=ccp,
                     reporting_timestamp=datetime(2026, 11, 20, 16, tzinfo=UTC))
    assert [i.regime for i in _ids(evening, regimes=("krx",),
                                   now=datetime(2026, 11, 20, 17, tzinfo=UTC))["SR-TM-030"]] == [
        "krx"]


def test_injected_deadline_function_and_unknown_regime() -> None:
    calls = []

    def due(regime, reference, *, counterparty_kind=None):
        calls.append((regime, reference, counterparty_kind))
        if regime == "krx":
            raise ValueError("no calendar")
        return reference + timedelta(minutes=1)

    issues = _ids(f.newt(), deadline_fn=due, counterparty_kind="SD")["SR-TM-030"]
    assert {i.regime for i in issues} == {"emir", "cftc-part45"}
    assert calls[0][1] == f.EXECUTED and calls[0][2] == "SD"


def test_reference_timestamp_by_action() -> None:
    assert reference_timestamp(f.newt()) == f.EXECUTED
    assert reference_timestamp(f.valu()) == f.valu().valuation.timestamp
    assert reference_timestamp(f.maru()) == f.maru().collateral.timestamp
    term = f.lifecycle(A.TERM, E.ETRM)
    assert reference_timestamp(term) == term.event_timestamp


def test_not_yet_reported_is_judged_against_now() -> None:
    pending = f.newt(reporting_timestamp=None)
    issue = _ids(pending, deadline=f.NOW - timedelta(minutes=1))["SR-TM-030"][0]
    assert issue.message_en.startswith("not yet reported at 2026-11-20T07:00:00Z")
    assert issue.regime is None  # one explicit deadline: the same under every regime

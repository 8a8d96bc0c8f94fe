"""The lifecycle state machine of one trade (one UTI) at one trade repository. Pure.

A TR accepts a report only if its action type is possible after the reports it accepted before
(ESMA RTS 2022/1858 Art. 1; CFTC Technical Specification v3.2, Appendix F section 1). This
module replays a UTI's history and decides the next report: accepted (with the state it leads
to) or refused, naming the SR-* rule and saying why in English and Korean. A refused report
changes nothing, as at the TR, so the next report is judged against the same state.

States: ABSENT (nothing accepted yet), LIVE, TERMINATED, ERRORED (cancelled by EROR) and
PORTED (transferred out by PRTO).

Two profiles, because the regimes differ:

| state      | default (EMIR, KRX)                      | cftc-part45 (Appendix F, Figure 1)      |
|------------|------------------------------------------|-----------------------------------------|
| ABSENT     | NEWT, POSC                               | NEWT, POSC                              |
| LIVE       | MODI CORR VALU MARU TERM EROR PRTO       | MODI CORR VALU MARU TERM EROR PRTO      |
| TERMINATED | CORR, REVI                               | MODI CORR VALU MARU EROR REVI PRTO      |
| ERRORED    | REVI                                     | REVI                                    |
| PORTED     | nothing                                  | NEWT with event type PTNG (ported back) |

REVI of an errored trade restores the state the EROR interrupted (a terminated trade that was
errored and revived is terminated again); REVI of a terminated trade makes it live.

Beyond the action type, two fields must stay put between reports: the level (transaction or
position) changes only through CORR or REVI (SR-LC-019), and a MODI cannot change the
execution timestamp (SR-DT-014, after EMIR-VR-2042-03).

The machine does not look at UTIs: callers pass one UTI's reports, in reporting order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Protocol

from shared.domain.model import ActionType, EventType, Level, utc

__all__ = [
    "REFUSALS",
    "Decision",
    "LifecycleEvent",
    "Profile",
    "Refusal",
    "TradeLifecycle",
    "TradeState",
    "lifecycle_after",
    "profile_for",
    "regime_event_type",
    "replay",
]

A = ActionType


class TradeState(StrEnum):
    ABSENT = "ABSENT"
    LIVE = "LIVE"
    TERMINATED = "TERMINATED"
    ERRORED = "ERRORED"
    PORTED = "PORTED"

    @property
    def ko(self) -> str:
        return _STATE_KO[self]


_STATE_KO = {
    TradeState.ABSENT: "미보고", TradeState.LIVE: "유효", TradeState.TERMINATED: "종료",
    TradeState.ERRORED: "오류취소", TradeState.PORTED: "타 저장소 이관",
}


class Profile(StrEnum):
    DEFAULT = "default"  # EMIR (RTS 2022/1858 Art. 1) and KRX, whose own rules are not public
    CFTC = "cftc-part45"  # CFTC Technical Specification v3.2, Appendix F section 1


def profile_for(regime: str | None) -> Profile:
    return Profile.CFTC if regime and regime.lower().startswith("cftc") else Profile.DEFAULT


S = TradeState
_LIVE_MOVES = {A.MODI: S.LIVE, A.CORR: S.LIVE, A.VALU: S.LIVE, A.MARU: S.LIVE,
               A.TERM: S.TERMINATED, A.EROR: S.ERRORED, A.PRTO: S.PORTED}
_OPEN_MOVES = {A.NEWT: S.LIVE, A.POSC: S.LIVE}

# state -> action -> next state; REVI's target from ERRORED is resolved by `revive_to`.
TRANSITIONS: Mapping[Profile, Mapping[TradeState, Mapping[ActionType, TradeState]]] = {
    Profile.DEFAULT: {
        S.ABSENT: _OPEN_MOVES,
        S.LIVE: _LIVE_MOVES,
        S.TERMINATED: {A.CORR: S.TERMINATED, A.REVI: S.LIVE},
        S.ERRORED: {A.REVI: S.LIVE},
        S.PORTED: {},
    },
    Profile.CFTC: {
        S.ABSENT: _OPEN_MOVES,
        S.LIVE: _LIVE_MOVES,
        S.TERMINATED: {A.MODI: S.TERMINATED, A.CORR: S.TERMINATED, A.VALU: S.TERMINATED,
                       A.MARU: S.TERMINATED, A.EROR: S.ERRORED, A.REVI: S.LIVE,
                       A.PRTO: S.PORTED},
        S.ERRORED: {A.REVI: S.LIVE},
        S.PORTED: {A.NEWT: S.LIVE},  # only NEWT-PTNG: a transfer back in (footnote 108)
    },
}


@dataclass(frozen=True)
class Refusal:
    """Why a report is refused; the rule registry publishes these under the same ids."""

    rule_id: str
    field: str
    title: str
    message_en: str
    message_ko: str
    source: str


def _refusal(rule_id: str, field: str, title: str, en: str, ko: str, source: str) -> Refusal:
    return Refusal(rule_id, field, title, en, ko, source)


# Placeholders: action, state, state_ko, allowed, first, level, trade_level, value,
# trade_execution.
REFUSALS: Mapping[str, Refusal] = MappingProxyType({r.rule_id: r for r in (
    _refusal(
        "SR-LC-015", "action_type", "At most one NEWT or POSC per UTI",
        "{action} refused: this UTI already has an accepted {first}; report changes to the trade "
        "as MODI or CORR",
        "{action} 반려: 이 UTI는 이미 {first} 보고가 접수되었습니다. 거래 변경은 MODI 또는 CORR로 "
        "보고하십시오",
        "ESMA RTS 2022/1858 Art. 1; CFTC Tech. Spec. v3.2 App. F"),
    _refusal(
        "SR-LC-016", "action_type", "MODI, CORR, TERM, EROR, VALU, MARU and PRTO need a live trade",
        "{action} refused: no NEWT or POSC has been accepted for this UTI, so there is no trade "
        "to apply it to; report the trade first",
        "{action} 반려: 이 UTI로 접수된 NEWT 또는 POSC 보고가 없어 적용할 거래가 없습니다. 먼저 "
        "신규 거래를 보고하십시오",
        "ESMA RTS 2022/1858 Art. 1"),
    _refusal(
        "SR-LC-017", "action_type", "After EROR only REVI (no MODI or anything else)",
        "{action} refused: the trade was cancelled with EROR; only {allowed} is accepted until "
        "it is revived",
        "{action} 반려: 이 거래는 EROR로 취소되었습니다. 복원 전까지는 {allowed}만 접수됩니다",
        "ESMA RTS 2022/1858 Art. 1; CFTC Tech. Spec. v3.2 App. F Figure 1"),
    _refusal(
        "SR-LC-018", "action_type", "REVI only after EROR or TERM",
        "REVI refused: only an errored or terminated trade can be revived, and this trade is "
        "{state}",
        "REVI 반려: 오류취소 또는 종료된 거래만 복원할 수 있으나 이 거래의 상태는 {state_ko}입니다",
        "CFTC Tech. Spec. v3.2 App. F (Example 2, Figure 1)"),
    _refusal(
        "SR-LC-019", "level", "The level changes only via CORR or REVI",
        "{action} refused: level {level} differs from the trade's level {trade_level}; the "
        "level can change only with CORR or REVI",
        "{action} 반려: 보고 수준 {level}이(가) 거래의 보고 수준 {trade_level}과(와) 다릅니다. "
        "보고 수준은 CORR 또는 REVI로만 변경할 수 있습니다",
        "EMIR Refit top rejections: level changed outside CORR/REVI (domain notes)"),
    _refusal(
        "SR-LC-021", "action_type",
        "After TERM only CORR or REVI (CFTC also MODI, VALU, MARU, EROR, PRTO)",
        "{action} refused: the trade is terminated; only {allowed} are accepted",
        "{action} 반려: 이 거래는 종료되었습니다. {allowed}만 접수됩니다",
        "Project rule on ESMA RTS 2022/1858 Art. 1; CFTC Tech. Spec. v3.2 App. F Figure 1"),
    _refusal(
        "SR-LC-039", "action_type",
        "Nothing after PRTO to this repository (CFTC: NEWT-PTNG brings the trade back)",
        "{action} refused: the trade was transferred to another repository with PRTO; "
        "{allowed_ported}",
        "{action} 반려: 이 거래는 PRTO로 다른 거래정보저장소로 이관되었습니다. {allowed_ported_ko}",
        "CFTC Tech. Spec. v3.2 App. F footnote 108"),
    _refusal(
        "SR-DT-014", "execution_timestamp", "The execution timestamp does not change on MODI",
        "MODI refused: execution timestamp {value} differs from the trade's {trade_execution}; "
        "it cannot change with MODI, send a CORR if it was wrong",
        "MODI 반려: 체결시각 {value}이(가) 거래의 체결시각 {trade_execution}과(와) 다릅니다. "
        "체결시각은 MODI로 변경할 수 없으며, 잘못 보고된 경우 CORR로 정정하십시오",
        "EMIR-VR-2042-03"),
)})


class LifecycleEvent(Protocol):
    """What the machine reads of a report (a TradeEvent has all of it)."""

    @property
    def action_type(self) -> ActionType: ...
    @property
    def event_type(self) -> EventType | None: ...
    @property
    def level(self) -> Level: ...
    @property
    def execution_timestamp(self) -> datetime | None: ...


@dataclass(frozen=True)
class Decision:
    action: ActionType
    before: TradeState
    after: TradeState
    rule_id: str | None = None  # None: accepted
    field: str | None = None
    message_en: str | None = None
    message_ko: str | None = None
    params: Mapping[str, str] = dataclass_field(default_factory=dict)

    @property
    def accepted(self) -> bool:
        return self.rule_id is None


@dataclass(frozen=True)
class TradeLifecycle:
    """What the TR knows of one UTI after the reports it accepted."""

    profile: Profile = Profile.DEFAULT
    state: TradeState = TradeState.ABSENT
    opened_by: ActionType | None = None  # the NEWT or POSC that made the trade known
    level: Level | None = None
    execution_timestamp: datetime | None = None
    revive_to: TradeState | None = None  # what an EROR interrupted, for REVI to restore
    accepted: int = 0  # number of accepted reports

    @classmethod
    def start(cls, regime: str | None = None) -> TradeLifecycle:
        # One per class and profile, shared: a TradeLifecycle is immutable (frozen), and every
        # validated event starts one for each regime it is judged under.
        profile = profile_for(regime)
        started = _STARTS.get((cls, profile))
        if started is None:
            started = _STARTS[(cls, profile)] = cls(profile=profile)
        return started

    def allowed(self) -> tuple[ActionType, ...]:
        """The action types this state accepts, in ISO order (for messages and the console)."""
        moves = TRANSITIONS[self.profile][self.state]
        return tuple(a for a in ActionType if a in moves)

    def decide(self, event: LifecycleEvent) -> Decision:
        """Accept or refuse `event` in this state; never raises for a well-typed event."""
        target, refusal = self._judge(event)
        if refusal is not None:
            return self._refuse(event, refusal)
        assert target is not None
        return Decision(event.action_type, self.state, target)

    def refusal(self, event: LifecycleEvent) -> str | None:
        """The id of the rule refusing `event` in this state, None if it is accepted: what
        `decide` says, without building the decision and its messages (the sequence rules ask
        it eight times per event and regime)."""
        return self._judge(event)[1]

    def _judge(self, event: LifecycleEvent) -> tuple[TradeState | None, str | None]:
        """(the state `event` leads to, None) when accepted; (None, refusing rule id) if not."""
        action = event.action_type
        target = TRANSITIONS[self.profile][self.state].get(action)
        if target is not None and self.state is S.PORTED and event.event_type is not EventType.PTNG:
            target = None  # CFTC: only a transfer back in (NEWT-PTNG) reopens a ported trade
        if target is None:
            return None, self._refusal_rule(action)
        if action is A.REVI and self.state is S.ERRORED:
            target = self.revive_to or S.LIVE
        if (self.level is not None and event.level != self.level
                and action not in (A.NEWT, A.POSC, A.CORR, A.REVI)):
            return None, "SR-LC-019"
        if (action is A.MODI and self.execution_timestamp is not None
                and event.execution_timestamp is not None
                and utc(event.execution_timestamp) != self.execution_timestamp):
            return None, "SR-DT-014"
        return target, None

    def apply(self, event: LifecycleEvent) -> tuple[TradeLifecycle, Decision]:
        """The lifecycle after `event`, and the decision; a refusal leaves it unchanged."""
        decision = self.decide(event)
        if not decision.accepted:
            return self, decision
        return self._advance(event, decision.after), decision

    def after(self, event: LifecycleEvent) -> TradeLifecycle:
        """`apply(event)[0]`, without building the decision."""
        target, refusal = self._judge(event)
        if refusal is not None:
            return self
        assert target is not None
        return self._advance(event, target)

    def _advance(self, event: LifecycleEvent, target: TradeState) -> TradeLifecycle:
        """The lifecycle after the accepted `event`, which leads to `target`."""
        action = event.action_type
        opened_by = self.opened_by
        if action in (A.NEWT, A.POSC) and opened_by is None:
            opened_by = action
        level, execution_timestamp = self.level, self.execution_timestamp
        if action in (A.NEWT, A.POSC, A.CORR, A.REVI):  # the reports that may set these
            level = event.level
            if event.execution_timestamp is not None:
                execution_timestamp = utc(event.execution_timestamp)
        revive_to = self.revive_to
        if action is A.EROR:
            revive_to = self.state
        elif action is A.REVI:
            revive_to = None
        return TradeLifecycle(self.profile, target, opened_by, level, execution_timestamp,
                              revive_to, self.accepted + 1)

    def _refusal_rule(self, action: ActionType) -> str:
        if self.state is S.PORTED:
            return "SR-LC-039"
        if action in (A.NEWT, A.POSC):
            return "SR-LC-015"
        if action is A.REVI:
            return "SR-LC-018"
        return {S.ABSENT: "SR-LC-016", S.ERRORED: "SR-LC-017",
                S.TERMINATED: "SR-LC-021"}.get(self.state, "SR-LC-016")

    def _refuse(self, event: LifecycleEvent, rule_id: str) -> Decision:
        refusal = REFUSALS[rule_id]
        params = self._params(event)
        return Decision(event.action_type, self.state, self.state, rule_id, refusal.field,
                        refusal.message_en.format_map(params),
                        refusal.message_ko.format_map(params), params)

    def _params(self, event: LifecycleEvent) -> dict[str, str]:
        allowed = self.allowed()
        names = ", ".join(allowed) or "-"
        if self.profile is Profile.CFTC:
            ported_en = "only a NEWT with event type PTNG (transfer back in) is accepted"
            ported_ko = "다시 이관받는 경우(NEWT, 이벤트 유형 PTNG)에만 접수됩니다"
        else:
            ported_en = "no further report is accepted here"
            ported_ko = "이 저장소에는 더 이상 보고할 수 없습니다"
        execution = event.execution_timestamp
        return {
            "action": event.action_type.value,
            "state": self.state.value,
            "state_ko": self.state.ko,
            "allowed": names,
            "allowed_ported": ported_en,
            "allowed_ported_ko": ported_ko,
            "first": (self.opened_by or A.NEWT).value,
            "level": event.level.value,
            "trade_level": self.level.value if self.level else "-",
            "value": _iso(utc(execution)) if execution else "-",
            "trade_execution": _iso(self.execution_timestamp) if self.execution_timestamp else "-",
        }


_STARTS: dict[tuple[type[TradeLifecycle], Profile], TradeLifecycle] = {}  # classes x 2


def replay(events: Iterable[LifecycleEvent], *, regime: str | None = None,
           start: TradeLifecycle | None = None) -> tuple[TradeLifecycle, list[Decision]]:
    """Feed one UTI's reports in order; return the final lifecycle and one decision each."""
    lifecycle = start or TradeLifecycle.start(regime)
    decisions = []
    for event in events:
        lifecycle, decision = lifecycle.apply(event)
        decisions.append(decision)
    return lifecycle, decisions


def lifecycle_after(events: Iterable[LifecycleEvent], *,
                    regime: str | None = None) -> TradeLifecycle:
    """`replay(events, regime=regime)[0]`, without the decisions (what the rules judge by)."""
    lifecycle = TradeLifecycle.start(regime)
    for event in events:
        lifecycle = lifecycle.after(event)
    return lifecycle


def _iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def regime_event_type(regime: str | None, action: ActionType,
                      event_type: EventType | None) -> EventType | None:
    """The event type a regime's report carries for the canonical (action, event type).

    A partial termination is MODI with event type ETRM under EMIR (ESMA74-362-2281, 3.6.2:
    early termination of part of the notional is reported as a modification). CFTC allows ETRM
    only with TERM (Tech. Spec. v3.2 App. F Table 7); its MODI for a reduced notional is a
    change of the agreed terms, i.e. TRAD with the amendment indicator set (as DRR reports it).
    """
    if profile_for(regime) is Profile.CFTC and action is A.MODI and event_type is EventType.ETRM:
        return EventType.TRAD
    return event_type

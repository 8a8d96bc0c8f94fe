"""The TR's per-record checks and the per-submitter trade state they run against.

Checks, in order, for each record of an accepted file (RTS 2022/1858 Art. 1, CFTC §45.13):
structure and action type, UTI shape, every LEI (shape, check digits, then the register if
one is configured), valuation age, and last the lifecycle: the UTI's state at this TR
(`shared.domain.lifecycle.TradeLifecycle`, the same machine our validate stage uses) must
accept the action. A record that fails any check is NACKed and changes no state, as at a
real TR; records are applied in file order, so a NEWT and its MODI may share a file.

State is kept per (regime, submitter LEI): each regime is a different TR, and one submitter's
UTIs are not another's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from shared.domain.identifiers import check_lei, check_uti
from shared.domain.lifecycle import Profile, TradeLifecycle, TradeState
from shared.domain.model import ActionType, EventType, Level
from swaprep.trsim.codes import LIFECYCLE_CODES
from swaprep.trsim.records import TrRecord, is_action

STALE_VALUATION = timedelta(days=14)
# Well-formed LEIs the simulated register does not list (never issued), even when no register
# is set: the demo's counterparty "Omega Capital Partners" (swaprep/local/demo.py
# UNREGISTERED_LEI), so that `swaprep up --demo` shows TR-ID-003 NACKs.
UNREGISTERED_LEIS = frozenset({"9884DEMO000000019911"})


@dataclass(frozen=True)
class RecordResult:
    position: int
    record_ref: str
    uti: str | None
    codes: tuple[tuple[str, str], ...] = ()  # (code, message); empty: ACK
    event_ts: str | None = None  # as the record carried it (not echoed in feedback)
    reporting_counterparty: str | None = None  # whose side it reports (not echoed either)

    @property
    def status(self) -> str:
        return "NACK" if self.codes else "ACK"

    def as_feedback(self) -> dict[str, Any]:
        out: dict[str, Any] = {"position": self.position, "record_ref": self.record_ref,
                               "uti": self.uti, "status": self.status}
        if self.codes:
            out["codes"] = [{"code": c, "message": m} for c, m in self.codes]
        return out


@dataclass(frozen=True)
class _Event:
    """What the lifecycle machine reads of a record."""

    action_type: ActionType
    event_type: EventType | None
    level: Level
    execution_timestamp: datetime | None


def _event(record: TrRecord) -> _Event:
    event_type = record.event_type if record.event_type in EventType.__members__ else None
    level = record.level if record.level in Level.__members__ else "TCTN"
    return _Event(ActionType(record.action), EventType(event_type) if event_type else None,
                  Level(level), record.execution_ts)


def trade_key(uti: str | None, reporting_counterparty: str | None) -> str:
    """A trade in a submitter's book: its UTI and the side reported (a delegate reports both
    sides of one UTI, each its own lifecycle)."""
    uti = uti or ""
    return f"{uti}@{reporting_counterparty.upper()}" if reporting_counterparty else uti


@dataclass
class Repository:
    """UTI states per (regime, submitter); `known_leis` None: every well-formed LEI exists."""

    known_leis: set[str] | None = None
    trades: dict[tuple[str, str], dict[str, TradeLifecycle]] = field(default_factory=dict)

    def book(self, regime: str, submitter: str) -> dict[str, TradeLifecycle]:
        return self.trades.setdefault((regime, submitter), {})

    def check(self, regime: str, submitter: str, records: Iterable[TrRecord],
              now: datetime) -> list[RecordResult]:
        book = self.book(regime, submitter)
        results = []
        for record in records:
            codes = self._static_codes(record, now)
            if not codes:
                key = trade_key(record.uti, record.reporting_counterparty)
                lifecycle = book.get(key) or TradeLifecycle.start(regime)
                after, decision = lifecycle.apply(_event(record))
                if decision.accepted:
                    book[key] = after
                else:
                    code = LIFECYCLE_CODES.get(decision.rule_id or "", "TR-LC-001")
                    codes.append((code, decision.message_en or decision.rule_id or "refused"))
            results.append(RecordResult(record.position, record.record_ref, record.uti,
                                        tuple(codes), record.event_ts,
                                        record.reporting_counterparty))
        return results

    def _static_codes(self, record: TrRecord, now: datetime) -> list[tuple[str, str]]:
        codes: list[tuple[str, str]] = []
        if record.problem:
            codes.append(("TR-SC-001", record.problem))
        if record.action is None:
            if not record.problem:
                codes.append(("TR-SC-001", "the record has no action type"))
        elif not is_action(record.action):
            codes.append(("TR-AC-001", f"unknown action type {record.action!r}"))
        uti_problem = check_uti(record.uti)
        if uti_problem:
            codes.append(("TR-ID-001", uti_problem))
        for name, value in record.leis:
            problem = check_lei(value)
            if problem:
                codes.append(("TR-ID-002", f"{name} {value}: {problem}"))
            elif value in UNREGISTERED_LEIS or (self.known_leis is not None
                                                and value not in self.known_leis):
                codes.append(("TR-ID-003", f"{name} {value} is not in the LEI register"))
        if record.valuation_ts is not None and now - record.valuation_ts > STALE_VALUATION:
            age = (now - record.valuation_ts).days
            codes.append(("TR-VA-001", f"valuation of {record.valuation_ts:%Y-%m-%d} is {age} "
                          "days old (at most 14)"))
        elif record.action == "VALU" and record.valuation_ts is None \
                and record.valuation_fields:
            codes.append(("TR-VA-002", "VALU without a valuation timestamp"))
        return codes

    # -- persistence (JSON-friendly) ---------------------------------------------------------

    def dump(self) -> list[dict[str, Any]]:
        return [
            {"regime": regime, "submitter": submitter, "uti": uti, **_dump_lifecycle(lc)}
            for (regime, submitter), book in self.trades.items() for uti, lc in book.items()
        ]

    def load(self, rows: Iterable[dict[str, Any]]) -> None:
        for row in rows:
            self.book(row["regime"], row["submitter"])[row["uti"]] = _load_lifecycle(row)

    def state_of(self, regime: str, submitter: str, uti: str,
                 reporting_counterparty: str | None = None) -> str:
        book = self.book(regime, submitter)
        lifecycle = book.get(trade_key(uti, reporting_counterparty)) if reporting_counterparty \
            else book.get(uti) or next((lc for key, lc in book.items()
                                        if key.split("@", 1)[0] == uti), None)
        return (lifecycle.state if lifecycle else TradeState.ABSENT).value


def _dump_lifecycle(lc: TradeLifecycle) -> dict[str, Any]:
    return {
        "profile": lc.profile.value, "state": lc.state.value,
        "opened_by": lc.opened_by.value if lc.opened_by else None,
        "level": lc.level.value if lc.level else None,
        "execution_timestamp": lc.execution_timestamp.isoformat()
        if lc.execution_timestamp else None,
        "revive_to": lc.revive_to.value if lc.revive_to else None,
        "accepted": lc.accepted,
    }


def _load_lifecycle(row: dict[str, Any]) -> TradeLifecycle:
    def maybe(kind: Callable[[str], Any], value: str | None) -> Any:
        return kind(value) if value else None

    return TradeLifecycle(
        profile=Profile(row["profile"]), state=TradeState(row["state"]),
        opened_by=maybe(ActionType, row.get("opened_by")), level=maybe(Level, row.get("level")),
        execution_timestamp=maybe(datetime.fromisoformat, row.get("execution_timestamp")),
        revive_to=maybe(TradeState, row.get("revive_to")), accepted=int(row.get("accepted", 0)),
    )

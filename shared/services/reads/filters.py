"""Query parameters validated at the edge: every value the API may pass to a query service.

Unknown enum values, inverted date ranges, oversized text and control characters are refused
with a message naming the parameter (pydantic's ValidationError is a ValueError: the API
answers 400/422). Lists come as JSON lists or comma-separated strings (`state=acked,nacked`).
Text searches are prefix matches on indexed columns (the trades list's `q`: a substring, any
case); any other text is just a value.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from shared.domain import model
from shared.domain.identifiers import uuid_or_none
from shared.domain.regimes import keys as regime_keys
from shared.services.reads.paging import DEFAULT_LIMIT, MAX_LIMIT

EventState = Literal["received", "invalid", "valid", "reported", "submitted", "acked",
                     "nacked", "cancelled", "superseded", "not_reportable"]
if TYPE_CHECKING:  # the registry's and the domain's values are known at run time only
    Regime = str
    AssetClass = str
    ActionType = str
else:  # built from their one home (a tuple subscript is the same as listing the values)
    Regime = Literal[regime_keys()]
    AssetClass = Literal[tuple(c.value for c in model.AssetClass)]
    ActionType = Literal[tuple(a.value for a in model.ActionType)]
FileStatus = Literal["received", "parsing", "parsed", "rejected", "duplicate"]
ReportStatus = Literal["building", "generated", "submitting", "submitted", "acked",
                       "partially_acked", "rejected", "failed"]
IssueStatus = Literal["open", "assigned", "resolved"]
Severity = Literal["reject", "warn"]
AlertStatus = Literal["open", "acked", "resolved"]
AlertSeverity = Literal["info", "warning", "critical"]
# The trades list's sortable columns (shared.adapters.db.reads.trades.SORT_KEYS).
TradeSort = Literal["updated_at", "executed_at", "uti", "trade_id", "state"]
# The other lists' sortable columns (their adapters' SORT_KEYS).
FileSort = Literal["received_at", "object_key", "status"]
ReportSort = Literal["created_at", "regime", "status", "record_count"]
AlertSort = Literal["last_seen_at", "severity", "kind"]
AuditSort = Literal["at", "action", "actor"]
Order = Literal["asc", "desc"]
ActivationStatus = Literal["running", "success", "application_error", "developer_error",
                           "timeout"]
# The TR's reconciliation breaks (migrations/0023_tr_reports.sql, tr_breaks)
BreakStatus = Literal["open", "assigned", "resolved", "cleared"]
BreakKind = Literal["at_tr_only", "open_at_tr", "missing_at_tr", "field_mismatch"]


def _split(value: Any) -> Any:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


def _printable(value: str) -> str:
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise ValueError("must not contain control characters")
    return value


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {value!r} (an IANA name, e.g. Asia/Seoul)") \
            from exc
    return value


def _text(max_length: int) -> StringConstraints:
    return StringConstraints(strip_whitespace=True, min_length=1, max_length=max_length)


# Text of at most N characters, stripped, not empty, no control characters. Aliases, not calls:
# a call is not a type to mypy.
Text52 = Annotated[str, _text(52), AfterValidator(_printable)]
Text100 = Annotated[str, _text(100), AfterValidator(_printable)]
Text200 = Annotated[str, _text(200), AfterValidator(_printable)]
Text300 = Annotated[str, _text(300), AfterValidator(_printable)]

_Item = TypeVar("_Item")
# `Many[X]`: a list of at most 20 X, given as a JSON list or a comma-separated string.
Many = Annotated[list[_Item], BeforeValidator(_split), Field(max_length=20)]


Instant = Annotated[datetime, AfterValidator(_utc)]
Zone = Annotated[str, StringConstraints(max_length=64), AfterValidator(_zone)]


def _ordered(model: BaseModel, *pairs: tuple[str, str]) -> None:
    for low, high in pairs:
        a, b = getattr(model, low), getattr(model, high)
        if a is not None and b is not None and a > b:
            raise ValueError(f"{low} must not be after {high}")


class Query(BaseModel):
    """Paging common to every list: `limit` 1..500 (default 50) and the opaque cursor."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    limit: int = Field(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    cursor: Annotated[str, StringConstraints(max_length=1000)] | None = None

    def filters(self) -> dict[str, Any]:
        """What the cursor's fingerprint covers: every parameter but the paging ones."""
        return self.model_dump(exclude={"limit", "cursor"}, exclude_none=True)


class FilesQuery(Query):
    status: Many[FileStatus] = []
    source: Text100 | None = None
    name: Text300 | None = None  # object key prefix
    received_from: Instant | None = None
    received_to: Instant | None = None
    sort: FileSort = "received_at"
    order: Order = "desc"

    @model_validator(mode="after")
    def _range(self) -> FilesQuery:
        _ordered(self, ("received_from", "received_to"))
        return self


class TradesQuery(Query):
    state: Many[EventState] = []
    regime: Many[Regime] = []
    asset_class: Many[AssetClass] = []
    action_type: Many[ActionType] = []
    counterparty: Text200 | None = None  # LEI prefix of either side, or the name's
    uti: Text52 | None = None  # prefix
    trade_id: Text100 | None = None  # prefix
    q: Text100 | None = None  # substring of UTI, trade id, either LEI or the name (any case)
    sort: TradeSort = "updated_at"
    order: Order = "desc"
    executed_from: Instant | None = None
    executed_to: Instant | None = None
    updated_from: Instant | None = None
    updated_to: Instant | None = None
    # Trades with an event late now, or due within the monitor's at-risk window (the
    # dashboard's tiles and the deadline alerts count the same: shared.adapters.db.deadlines).
    due: Literal["late", "at_risk"] | None = None

    @model_validator(mode="after")
    def _range(self) -> TradesQuery:
        _ordered(self, ("executed_from", "executed_to"), ("updated_from", "updated_to"))
        return self


class IssuesQuery(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    status: Many[IssueStatus] = []
    severity: Many[Severity] = []
    regime: Many[Regime] = []


ErrorKind = Literal["rule", "tr_code", "queue", "parse"]


class ErrorItemsQuery(Query):
    kind: ErrorKind
    key: Text100  # kind parse: the ingest file's id
    status: Many[IssueStatus] = []  # kind rule only

    @model_validator(mode="after")
    def _status_for_rules(self) -> ErrorItemsQuery:
        if self.status and self.kind != "rule":
            raise ValueError("status: only for kind=rule (issues have a status)")
        if self.kind == "parse" and uuid_or_none(self.key) is None:
            raise ValueError("key: a parse group's key is an ingest file id (a UUID)")
        return self


class ReportsQuery(Query):
    status: Many[ReportStatus] = []
    regime: Many[Regime] = []
    tr_message_id: Text100 | None = None  # prefix
    created_from: Instant | None = None
    created_to: Instant | None = None
    sort: ReportSort = "created_at"
    order: Order = "desc"

    @model_validator(mode="after")
    def _range(self) -> ReportsQuery:
        _ordered(self, ("created_from", "created_to"))
        return self


class StatsQuery(BaseModel):
    """A period of local days [date_from, date_to] in `tz`, cut into days, weeks or months."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    date_from: date
    date_to: date
    unit: Literal["day", "week", "month"] = "day"
    tz: Zone = "Asia/Seoul"
    top: int = Field(default=10, ge=1, le=100)

    @model_validator(mode="after")
    def _range(self) -> StatsQuery:
        _ordered(self, ("date_from", "date_to"))
        if (self.date_to - self.date_from).days > 3 * 366:
            raise ValueError("date_from .. date_to: at most three years")
        if self.date_to >= date.max:  # its end (the next midnight) would not be a date
            raise ValueError("date_to: must be before 9999-12-31")
        return self


class DashboardQuery(BaseModel):
    """Today's counts (`GET /api/stats`): the local day is today's in `tz`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tz: Zone = "Asia/Seoul"


class AlertsQuery(Query):
    status: Many[AlertStatus] = []
    severity: Many[AlertSeverity] = []
    kind: Text100 | None = None
    sort: AlertSort = "last_seen_at"
    order: Order = "desc"


class BreaksQuery(Query):
    """GET /api/reconciliation/breaks: newest first (`order=asc`: oldest first)."""

    status: Many[BreakStatus] = []
    kind: Many[BreakKind] = []
    regime: Many[Regime] = []
    uti: Text100 | None = None
    order: Order = "desc"


class ActivationsQuery(Query):
    action: Text100 | None = None
    status: Many[ActivationStatus] = []
    started_from: Instant | None = None
    started_to: Instant | None = None

    @model_validator(mode="after")
    def _range(self) -> ActivationsQuery:
        _ordered(self, ("started_from", "started_to"))
        return self


class AuditQuery(Query):
    actor: Text200 | None = None
    action: Text100 | None = None  # prefix: "report_file." matches its actions
    entity_type: Text100 | None = None
    entity_id: Text200 | None = None
    at_from: Instant | None = None
    at_to: Instant | None = None
    sort: AuditSort = "at"
    order: Order = "desc"

    @model_validator(mode="after")
    def _range(self) -> AuditQuery:
        _ordered(self, ("at_from", "at_to"))
        return self


# -- verification and corrections (issue 17 item 4) -------------------------------------------

ClockState = Literal["on_track", "at_risk", "late", "resolved"]


class VerificationsQuery(Query):
    """GET /api/verifications: the verification log, newest first."""

    regime: Many[Regime] = []
    order: Order = "desc"


class CorrectionsQuery(Query):
    """GET /api/corrections: the correction clocks, newest first."""

    state: Many[ClockState] = []
    regime: Many[Regime] = []
    uti: Text100 | None = None
    order: Order = "desc"


class NoticeQuery(BaseModel):
    """GET /api/corrections/notice: the draft for one regime's open clocks. What the facts
    cannot say (why not in time, the plan, the date) is left marked for the operator, who
    completes the text in the console before sending it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    regime: Regime

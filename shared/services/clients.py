"""The client view of delegated reporting (issue 17 item 2, docs/OBLIGATIONS.md "Delegated
reporting"): whom the tenant reports for, what was reported for one client, and the client's
daily file.

Who sees what: the tenant's users (viewer and up) any client of the tenant; a client_viewer
only the client its user row is bound to (`users.client_lei`), read in a client transaction
(`Database.client`) where the database itself hides every other client's report items.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, Literal

import psycopg
from pydantic import BaseModel, ConfigDict, Field

from shared.adapters.db import clients as clients_db
from shared.adapters.db import identity
from shared.domain.identifiers import is_uuid, lei_shaped
from shared.domain.regimes import keys as regime_keys
from shared.services.reads.paging import DEFAULT_LIMIT, MAX_LIMIT, decode_cursor, page
from shared.services.reads.values import jsonable

if TYPE_CHECKING:
    from shared.services.ports import Database

CLIENT_VIEWER = "client_viewer"

# The daily file's columns, in order (docs/OBLIGATIONS.md "The client's daily file").
DAILY_COLUMNS = ("reported_at", "regime", "uti", "action_type", "event_type",
                 "event_timestamp", "reporting_counterparty", "other_counterparty", "status",
                 "tr_code", "tr_message", "report_file_id", "position", "record_ref")


class NotVisible(LookupError):
    """The client is not one the caller may see (another client, or a viewer with no
    binding): the API answers 404 or 403 as the message says."""

    def __init__(self, message: str, *, forbidden: bool = False) -> None:
        super().__init__(message)
        self.forbidden = forbidden


class ClientReportsQuery(BaseModel):
    """GET /api/clients/{lei}/reports: a page of what was reported for the client."""

    model_config = ConfigDict(extra="forbid")

    date_from: date | None = None  # the report file's day (UTC), inclusive
    date_to: date | None = None  # inclusive
    regime: list[Literal[regime_keys()]] = Field(  # type: ignore[valid-type]
        default_factory=list, max_length=20)
    status: list[Literal["pending", "acked", "nacked"]] = Field(default_factory=list,
                                                                max_length=3)
    limit: int = Field(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    cursor: str | None = Field(default=None, max_length=1000)


@dataclass(frozen=True)
class Viewer:
    """Who reads the client view: the tenant, and the one client a client_viewer is bound to
    (None: any of the tenant's clients)."""

    tenant_id: str
    bound_lei: str | None = None

    def run(self, db: Database, work: Callable[[psycopg.Connection[Any]], Any]) -> Any:
        """`work(conn)` in the transaction this viewer reads in."""
        scope = (db.client(self.tenant_id, self.bound_lei) if self.bound_lei
                 else db.tenant(self.tenant_id))
        with scope as conn:
            return work(conn)

    def check(self, lei: str) -> str:
        """The path's LEI, normalised, if this viewer may see it."""
        wanted = lei.strip().upper()
        if not lei_shaped(wanted):
            raise ValueError(f"lei: {lei[:40]!r} is not an LEI (20 characters, ISO 17442)")
        if self.bound_lei is not None and wanted != self.bound_lei:
            raise NotVisible(f"no client {wanted} for this user")
        return wanted


def viewer_for(db: Database, *, tenant_id: str, role: str | None, subject: str) -> Viewer:
    """The caller's view: a client_viewer's binding is read from its user row; a
    client_viewer with none (an identity provider's user has no row) sees nothing."""
    if role != CLIENT_VIEWER:
        return Viewer(tenant_id)
    with db.tenant(tenant_id) as conn:
        user = identity.find_user(conn, subject) if is_uuid(subject) else None
    if user is None or not user.get("client_lei"):
        raise NotVisible("a client_viewer must be bound to a client (users.client_lei); this "
                         "one is not", forbidden=True)
    return Viewer(tenant_id, str(user["client_lei"]))


def list_clients(conn: psycopg.Connection[Any], viewer: Viewer) -> dict[str, Any]:
    rows = clients_db.list_clients(conn)
    if viewer.bound_lei is not None:
        rows = [r for r in rows if r["lei"] == viewer.bound_lei]
    return {"items": jsonable(rows)}


def _day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    return (datetime.combine(first, time(), tzinfo=UTC),
            datetime.combine(last + timedelta(days=1), time(), tzinfo=UTC))


def client_reports(conn: psycopg.Connection[Any], lei: str,
                   query: ClientReportsQuery) -> dict[str, Any]:
    filters = query.model_dump(exclude={"cursor", "limit"}, mode="json") | {"lei": lei}
    after = (decode_cursor(query.cursor, clients_db.ITEMS_SORT, filters)
             if query.cursor else None)
    start = _day_bounds(query.date_from, query.date_from)[0] if query.date_from else None
    end = _day_bounds(query.date_to, query.date_to)[1] if query.date_to else None
    rows = clients_db.client_items(conn, lei, day_from=start, day_to=end,
                                   regimes=list(query.regime), statuses=list(query.status),
                                   after=after, limit=query.limit + 1)
    return page(rows, query.limit, clients_db.ITEMS_SORT, filters, ("reported_at", "id"))


def daily_file_name(lei: str, day: date) -> str:
    return f"client-{lei}-{day:%Y-%m-%d}.csv"


def daily_csv(conn: psycopg.Connection[Any], lei: str, day: date) -> str:
    """What was reported for the client on `day` (the report files made that UTC day), one
    row per report item, with a header row (DAILY_COLUMNS)."""
    start, end = _day_bounds(day, day)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(DAILY_COLUMNS)
    for row in clients_db.client_day_items(conn, lei, start, end):
        other = (row["counterparty_2"] if (row["counterparty_1"] or "").upper() == lei
                 else row["counterparty_1"])
        values = {**row, "reporting_counterparty": lei, "other_counterparty": other}
        writer.writerow(["" if values[c] is None else _text(values[c]) for c in DAILY_COLUMNS])
    return out.getvalue()


def _text(value: Any) -> str:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return str(value)


def daily_files(db: Database, tenant_id: str, day: date) -> dict[str, str]:
    """{file name: CSV} for every client of the tenant reported for on `day`, or listed with
    reports at all (a client with none that day gets its header-only file)."""
    viewer = Viewer(tenant_id)

    def work(conn: psycopg.Connection[Any]) -> dict[str, str]:
        leis = [r["lei"] for r in clients_db.list_clients(conn)]
        return {daily_file_name(lei, day): daily_csv(conn, lei, day) for lei in leis}

    result: dict[str, str] = viewer.run(db, work)
    return result

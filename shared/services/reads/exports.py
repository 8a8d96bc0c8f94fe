"""Export bundles (docs/API.md#exports): a zip of a selection of the caller's tenant, written
to the outbound bucket under `<tenant>/exports/<id>.zip` and handed out as a presigned GET.

The rows are read in the tenant's transaction (RLS: nothing of another tenant can be in it)
through the same list queries and filter models as the API's lists (`shared.services.reads`),
page after page; a selection over `max_rows` rows or `max_bytes` bytes is refused whole
(`ExportTooLarge`, 413), never cut silently. Every export is audited.
"""

from __future__ import annotations

import csv
import io
import json
import posixpath
import uuid
import zipfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from shared.platform import clock
from shared.services.operations.base import Actor, InvalidRequest, OperationError, audit

if TYPE_CHECKING:
    import psycopg

    from shared.services.ports import Database, ObjectStore

KINDS = ("trades", "errors", "reports")
# The api action has 256 MB: rows and the zip are built in memory.
DEFAULT_MAX_ROWS = 20_000
DEFAULT_MAX_BYTES = 64 * 1024 * 1024
ISSUE_PAGE = 1000
# Spreadsheets run a cell starting with these as a formula (CSV injection): such text is
# prefixed with an apostrophe; numbers (e.g. -1.5) are left alone.
_FORMULA = ("=", "+", "-", "@", "\t", "\r")

class ExportTooLarge(OperationError):
    status, code = 413, "too_large"


@dataclass(frozen=True)
class Limits:
    max_rows: int = DEFAULT_MAX_ROWS
    max_bytes: int = DEFAULT_MAX_BYTES  # the report objects and the zip


@dataclass
class Selection:
    """What goes in the zip: the rows as one CSV, and for reports their files' objects."""

    kind: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    objects: list[tuple[str, str]] = field(default_factory=list)  # (bucket, key)


@dataclass
class Export:
    id: str
    kind: str
    bucket: str
    key: str
    rows: int
    files: int
    bytes: int
    created_at: datetime

    def as_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "created_at": self.created_at.isoformat()}


# -- filters ------------------------------------------------------------------------------------

def filter_model(kind: str) -> Any:
    """The list's own filter model for `kind` (pydantic; `limit`/`cursor` are refused)."""
    from shared.services.reads.filters import IssuesQuery, ReportsQuery, Text100, TradesQuery

    class ErrorsFilter(IssuesQuery):
        rule_id: Text100 | None = None

    return {"trades": TradesQuery, "reports": ReportsQuery, "errors": ErrorsFilter}[kind]


def parse_filters(kind: str, filters: Mapping[str, Any]) -> Any:
    """Validated filters, or InvalidRequest naming each bad one (`filters.<name>`)."""
    from pydantic import ValidationError

    from shared.services.operations.base import FieldError

    if kind not in KINDS:
        raise InvalidRequest("unknown export kind", [FieldError(
            "kind", f"must be one of {', '.join(KINDS)}, got {kind!r}")])
    paging = [FieldError(f"filters.{name}", "an export takes every matching row: no paging")
              for name in ("limit", "cursor") if name in filters]
    rest = {k: v for k, v in filters.items() if k not in ("limit", "cursor")}
    try:
        query = filter_model(kind).model_validate(rest)
    except ValidationError as exc:
        paging += [FieldError("filters." + ".".join(str(p) for p in e["loc"]), e["msg"])
                   for e in exc.errors(include_input=False, include_url=False)]
    if paging:  # every bad filter at once
        raise InvalidRequest("invalid export filters", paging)
    return query


# -- selection ----------------------------------------------------------------------------------

def _pages(list_page: Callable[[Any], dict[str, Any]], query: Any) -> Iterator[dict[str, Any]]:
    from shared.services.reads.paging import MAX_LIMIT

    # Each page's query is built through the filter model, so the cursor the list handed back
    # is validated like a client's would be.
    filters = query.model_dump(exclude={"limit", "cursor"})
    cursor: str | None = None
    while True:
        result = list_page(type(query).model_validate(
            {**filters, "limit": MAX_LIMIT, "cursor": cursor}))
        yield from result["items"]
        cursor = result["next_cursor"]
        if not cursor:
            return


def _issues(conn: psycopg.Connection[Any], query: Any) -> Iterator[dict[str, Any]]:
    from shared.adapters.db.reads.errors import export_issues
    from shared.services.reads.values import jsonable

    last = 0
    while True:
        rows = export_issues(conn, after_id=last, limit=ISSUE_PAGE, status=query.status,
                             severity=query.severity, regime=query.regime,
                             rule_id=query.rule_id)
        yield from jsonable(rows)
        if len(rows) < ISSUE_PAGE:
            return
        last = rows[-1]["id"]


def select(conn: psycopg.Connection[Any], kind: str, query: Any, limits: Limits) -> Selection:
    """The rows of the caller's tenant matching `query`; ExportTooLarge beyond the cap."""
    from shared.adapters.db.reads.reports import report_objects
    from shared.services.reads.reports import list_reports
    from shared.services.reads.trades import list_trades

    source = {"trades": lambda: _pages(lambda q: list_trades(conn, q), query),
              "reports": lambda: _pages(lambda q: list_reports(conn, q), query),
              "errors": lambda: _issues(conn, query)}[kind]()
    selection = Selection(kind)
    for row in source:
        if len(selection.rows) >= limits.max_rows:
            raise ExportTooLarge(f"the selection has more than {limits.max_rows} {kind} rows, "
                                 "the most one export holds: narrow the filters (e.g. a date "
                                 "range) and export in parts")
        if kind == "reports":
            counts = row.pop("items_by_status", {})
            submissions = row.pop("submissions", [])
            row.update({f"items_{k}": v for k, v in counts.items()},
                       submissions=len(submissions),
                       last_submission=submissions[-1]["outcome"] if submissions else None)
        selection.rows.append(row)
    if kind == "reports":
        keys = [str(r["id"]) for r in selection.rows if r.get("object_key")]
        if keys:
            selection.objects = [(r["bucket"], r["object_key"])
                                 for r in report_objects(conn, keys)]
    return selection


# -- the bundle ---------------------------------------------------------------------------------

def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False, default=str)
    text = str(value)
    if text.startswith(_FORMULA) and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def to_csv(rows: list[dict[str, Any]]) -> bytes:
    """UTF-8 with a BOM (spreadsheets then read Hangul names right), one header line; the
    columns are every key of the rows, in first-seen order."""
    columns = list(dict.fromkeys(k for row in rows for k in row))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(c)) for c in columns])
    return out.getvalue().encode("utf-8-sig")


def build_zip(selection: Selection, manifest: dict[str, Any],
              read: Callable[[str, str], bytes], max_bytes: int) -> tuple[bytes, int]:
    """(the zip, the number of report objects in it); ExportTooLarge beyond `max_bytes`."""
    buffer = io.BytesIO()
    total = 0
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False,
                                                     default=str))
        archive.writestr(f"{selection.kind}.csv", to_csv(selection.rows))
        for bucket, key in selection.objects:
            data = read(bucket, key)
            total += len(data)
            if total > max_bytes:
                raise ExportTooLarge(f"the report files of this selection are over "
                                     f"{max_bytes} bytes: narrow the filters")
            archive.writestr(f"reports/{posixpath.basename(key)}", data)
    data = buffer.getvalue()
    if len(data) > max_bytes:
        raise ExportTooLarge(f"the export would be {len(data)} bytes, over the {max_bytes} "
                             "allowed: narrow the filters")
    return data, len(selection.objects)


def export(db: Database, store: ObjectStore, actor: Actor, *, tenant_id: str, tenant_slug: str,
           kind: str, filters: Mapping[str, Any], bucket: str, limits: Limits = Limits(),
           now: datetime | None = None) -> Export:
    """Select, zip, store under `<tenant>/exports/<id>.zip`, audit (the caller presigns)."""
    from shared.services.operations.base import require

    require(actor, "export", "export data")
    query = parse_filters(kind, filters)
    now = now or clock.now()
    export_id = str(uuid.uuid4())
    with db.tenant(tenant_id) as conn:
        selection = select(conn, kind, query, limits)
    # a report file written before its bucket was recorded lives in the outbound bucket
    selection.objects = [(b or bucket, k) for b, k in selection.objects]
    manifest = {"id": export_id, "kind": kind, "tenant": tenant_slug,
                "filters": query.model_dump(mode="json", exclude={"limit", "cursor"},
                                            exclude_defaults=True),
                "rows": len(selection.rows), "created_at": now.isoformat(),
                "created_by": actor.name}
    data, files = build_zip(selection, manifest, store.get_bytes, limits.max_bytes)
    key = f"{tenant_slug}/exports/{export_id}.zip"
    store.put_bytes(bucket, key, data, content_type="application/zip",
                    metadata={"tenant": tenant_slug, "export": kind})
    result = Export(export_id, kind, bucket, key, len(selection.rows), files, len(data), now)
    with db.tenant(tenant_id) as conn:
        audit(conn, actor, tenant_id=tenant_id, action="export.created", entity_type="export",
              entity_id=export_id, before=None,
              after={**manifest, "bucket": bucket, "key": key, "files": files,
                     "bytes": len(data)})
    return result

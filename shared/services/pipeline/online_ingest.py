"""Online ingestion: `POST /api/ingest/events` from an FEP's API key, into the file pipeline.

A request is one event object or `{"events": [...]}` (at most `MAX_EVENTS`). Each event is one
record as the JSON Lines reader takes it (canonical `TradeEvent` JSON, or with `?profile=` a
flat record keyed by that profile's columns), and it is parsed by that reader, so a record
means the same and fails with the same codes (PARSE-JSONL-nnn) whichever way it came.

The request is recorded like a file, in one tenant transaction:
- the ingest ledger (`ingest_files`, bucket `api`, key `api/<request id>`, SHA-256 of the
  body): the same body again is a no-op that answers the first answer, `"replayed": true`;
- every event as a `raw_rows` row: `event` (with its event id, `duplicate` when the same
  event came before) or `parse_error` with its errors; bad input is kept, never dropped;
- the good ones in `trade_events` (`process.insert_events`, source `api`), and one `process`
  message `{event_ids}` for the new ones (enrichment is done here, so process only upserts
  trades and hands them to validation);
- one `ingest.api_batch` audit row.
After the commit the `process` consumer is woken (a lost wake-up only waits for the sweep).
"""

from __future__ import annotations

import hashlib
import io
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from shared.platform.jsontext import first_bad_text
from shared.platform.logging import get_logger

log = get_logger("swaprep.online_ingest")

MAX_EVENTS = 500
# NCP caps an action's parameters at 1 MB and the body travels base64 (4/3 larger) inside them:
# 700,000 bytes is ~933 KB encoded, leaving room for headers and the other parameters.
MAX_BODY_BYTES = 700_000
BUCKET = "api"
PROCESS_QUEUE = "process"
SCOPE = "ingest"


class IngestRequestError(Exception):
    """The request as a whole is refused (status, title, detail); nothing was stored."""

    def __init__(self, status: int, title: str, detail: str) -> None:
        super().__init__(detail)
        self.status, self.title, self.detail = status, title, detail


@dataclass(frozen=True)
class IngestAnswer:
    status: int  # 202 when at least one event was accepted, else 422
    body: dict[str, Any]


# -- the request body -------------------------------------------------------------------------

def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def parse_body(body: bytes) -> list[Any]:
    """The events of a request body; IngestRequestError when the body as a whole is wrong."""
    if len(body) > MAX_BODY_BYTES:
        raise IngestRequestError(413, "Payload too large",
                                 f"the body is {len(body)} bytes; the limit is {MAX_BODY_BYTES}"
                                 " (send larger batches as a file to the inbound bucket)")
    try:
        document = json.loads(body.decode("utf-8") or "null", parse_float=Decimal,
                              parse_constant=_refuse_constant)
    except UnicodeDecodeError as exc:
        raise IngestRequestError(400, "Malformed JSON body",
                                 f"the body is not UTF-8: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise IngestRequestError(400, "Malformed JSON body",
                                 f"{exc.msg} at line {exc.lineno} column {exc.colno}") from exc
    except (ValueError, RecursionError) as exc:
        raise IngestRequestError(400, "Malformed JSON body", str(exc) or "nested too deeply"
                                 ) from exc
    bad = first_bad_text(document)
    if bad is not None:  # what PostgreSQL cannot store is refused whole, by name (not a 500)
        raise IngestRequestError(400, "Bad request body", f"{bad[0] or 'body'}: {bad[1]}")
    if isinstance(document, dict) and "events" in document:
        if set(document) != {"events"} or not isinstance(document["events"], list):
            raise IngestRequestError(400, "Bad request body",
                                     'a batch is {"events": [...]} with nothing else beside it')
        events = document["events"]
        if not events:
            raise IngestRequestError(400, "Bad request body", '"events" is empty')
        if len(events) > MAX_EVENTS:
            raise IngestRequestError(413, "Too many events",
                                     f"{len(events)} events; at most {MAX_EVENTS} per request")
        return events
    if isinstance(document, dict):
        return [document]
    raise IngestRequestError(400, "Bad request body",
                             'expected one event object or {"events": [...]}, got JSON '
                             + type(document).__name__.replace("NoneType", "null"))


def _json_line(value: Any) -> str:
    """One event as a JSON line, numbers exactly as sent (json.dumps has no raw Decimal)."""
    if isinstance(value, dict):
        return "{" + ",".join(json.dumps(str(k), ensure_ascii=False) + ":" + _json_line(v)
                              for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_json_line(v) for v in value) + "]"
    if isinstance(value, Decimal):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def read_events(events: Sequence[Any], *, profile: str | None, name: str) -> list[Any]:
    """Every event through the JSON Lines reader: one ParsedRecord per event, in order."""
    from shared.formats.profiles import ProfileError
    from shared.formats.readers import reader_for

    try:
        reader = reader_for("jsonl", profile=profile)
    except (ProfileError, LookupError, ValueError) as exc:
        raise IngestRequestError(400, "Unknown profile", str(exc)) from exc
    text = "\n".join(_json_line(e) for e in events) + "\n"
    records = list(reader.read(io.BytesIO(text.encode("utf-8")), file_name=name))
    assert len(records) == len(events), "the reader yields one record per line"
    return records


# -- the use case ------------------------------------------------------------------------------

def ingest_events(db: Any, principal: Any, body: bytes, *, request_id: str,
                  profile: str | None = None, queue: Any, invoker: Any = None) -> IngestAnswer:
    """Record one request (see the module docstring); `principal` must hold the ingest scope."""
    from shared.adapters.db import ingest_files
    from shared.adapters.queue import OutgoingMessage
    from shared.services.pipeline.process import MAX_IDS_PER_MESSAGE

    events = parse_body(body)
    sha256 = hashlib.sha256(body).hexdigest()
    object_key = f"{BUCKET}/{request_id}"
    records = read_events(events, profile=profile, name=object_key)
    tenant_id = principal.tenant_id
    with db.tenant(tenant_id) as conn:
        file_id = ingest_files.insert_api_file(
            conn, tenant_id=tenant_id, bucket=BUCKET, object_key=object_key, sha256=sha256,
            size_bytes=len(body), source=principal.name, profile=profile,
            row_count=len(records))
        if file_id is None:
            return _replay(conn, principal, sha256, request_id)
        new_ids = _store(conn, tenant_id, file_id, records)
        for n in range(0, len(new_ids), MAX_IDS_PER_MESSAGE):
            queue.send(PROCESS_QUEUE, [OutgoingMessage(
                body={"event_ids": [str(i) for i in new_ids[n:n + MAX_IDS_PER_MESSAGE]],
                      "key": f"api:{file_id}:{n}"},
                tenant_id=tenant_id)], conn=conn)
        answer = _answer(conn, file_id, request_id, replayed=False)
        _audit(conn, principal, file_id, request_id, answer.body)
    if new_ids and invoker is not None:
        invoker.invoke_async(PROCESS_QUEUE, {"queue": PROCESS_QUEUE})
    log.info("api batch ingested", extra={"file_id": str(file_id), "events": len(records),
                                          "new": len(new_ids)})
    return answer


def _store(conn: Any, tenant_id: Any, file_id: uuid.UUID, records: list[Any]) -> list[Any]:
    """raw_rows for every record and trade_events for the good ones; the new events' ids."""
    from shared.adapters.db import ingest_files
    from shared.services.pipeline.process import Prepared, insert_events, prepare, tenant_settings

    tenant = tenant_settings(conn, tenant_id)
    rows: list[dict[str, Any]] = []
    to_insert: list[tuple[Prepared, Any, int]] = []
    for row_no, record in enumerate(records, start=1):
        errors: list[dict[str, Any]]
        if record.ok:
            prepared = prepare(record.event, tenant)
            if isinstance(prepared, Prepared):
                to_insert.append((prepared, file_id, row_no))
                rows.append(_raw_row(record, row_no, None))
                continue
            errors = prepared
        else:
            errors = [{"code": e.code, "field": e.field, "message": e.message}
                      for e in record.errors] or [{"code": "PARSE-000", "field": None,
                                                   "message": "the record yielded no event"}]
        rows.append(_raw_row(record, row_no, errors))
    stored = dict(zip((r for _, _, r in to_insert),
                      insert_events(conn, tenant, to_insert, source="api"), strict=True))
    new_ids = []
    for row in rows:
        if row["row_no"] in stored:
            event_id, new = stored[row["row_no"]]
            row.update(state="event", event_id=event_id, duplicate=not new)
            if new:
                new_ids.append(event_id)
    ingest_files.insert_api_rows(conn, [{**row, "tenant": tenant_id, "file": file_id}
                                        for row in rows])
    return new_ids


def _raw_row(record: Any, row_no: int, errors: list[dict[str, Any]] | None) -> dict[str, Any]:
    if errors is None:
        event = record.event
        result = '{"event":' + event.model_dump_json(exclude_defaults=True) + "}"
        error_text = None
    else:
        event = None
        result = json.dumps({"errors": errors}, ensure_ascii=False)
        error_text = "; ".join(
            f"{e.get('code')}{' [' + e['field'] + ']' if e.get('field') else ''}: "
            f"{e.get('message')}" for e in errors)
    return {"row_no": row_no, "content": (record.raw or "").replace("\x00", "\ufffd"),
            "state": "parse_error" if errors is not None else "event",
            "error": error_text,
            "errors": json.dumps(errors, ensure_ascii=False) if errors is not None else None,
            "result": result.replace("\\u0000", "\\ufffd"),
            "uti": event.uti if event else None, "trade_id": event.trade_id if event else None,
            "event_id": None, "duplicate": False}


def _answer(conn: Any, file_id: Any, request_id: str, *, replayed: bool) -> IngestAnswer:
    """The answer, read back from what is stored: a replay answers exactly the same."""
    from shared.adapters.db import ingest_files

    accepted, rejected = [], []
    for row in ingest_files.rows_with_events(conn, file_id):
        index = row["row_no"] - 1
        if row["state"] == "event":
            accepted.append({"index": index, "event_id": str(row["event_id"]),
                             "uti": row["uti"], "duplicate": row["duplicate"]})
        else:
            rejected.append({"index": index, "errors": [
                {"code": e.get("code"), "field": e.get("field"), "message": e.get("message")}
                for e in row["errors"] or []]})
    body = {"request_id": request_id, "file_id": str(file_id), "replayed": replayed,
            "accepted": accepted, "rejected": rejected}
    return IngestAnswer(202 if accepted else 422, body)


def _replay(conn: Any, principal: Any, sha256: str, request_id: str) -> IngestAnswer:
    from shared.adapters.db import ingest_files

    first = ingest_files.first_file_with_content(conn, principal.tenant_id, sha256)
    assert first is not None  # the row the insert conflicted with (same tenant)
    if first["bucket"] != BUCKET:
        raise IngestRequestError(
            409, "Already ingested as a file",
            f"the same content was ingested as {first['bucket']}/{first['object_key']}")
    first_request = first["object_key"].removeprefix(f"{BUCKET}/")
    answer = _answer(conn, first["id"], first_request, replayed=True)
    _audit(conn, principal, first["id"], request_id, answer.body)
    return answer


def _audit(conn: Any, principal: Any, file_id: Any, request_id: str,
           body: dict[str, Any]) -> None:
    from shared.adapters.db import audit

    after = {"accepted": len(body["accepted"]), "rejected": len(body["rejected"]),
             "duplicates": sum(1 for a in body["accepted"] if a["duplicate"]),
             "replayed": body["replayed"], "key_name": principal.name}
    audit.record(conn, tenant_id=principal.tenant_id, actor=principal.actor,
                 actor_type="api_key", action="ingest.api_batch", entity_type="ingest_file",
                 entity_id=str(file_id), after=after, request_id=request_id)

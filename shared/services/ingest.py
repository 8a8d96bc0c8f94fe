"""Ingest: an object landed in the inbound bucket -> a ledger entry and a `process` message.

The ledger (`ingest_files`, unique per tenant and SHA-256 of the content) makes a re-upload
of the same content a recorded no-op whatever its name, and the message is enqueued in the
same transaction as the ledger row, so a crash cannot leave a file recorded but never
processed, or processed twice. The tenant comes from the object's metadata (`tenant`) or the
first segment of its key (`<tenant-slug>/...`). Nothing is dropped: an empty file is kept and
marked rejected with its reason, and a file for an unknown tenant raises an alert.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
from dataclasses import dataclass
from typing import Any

from shared.platform.logging import get_logger, log_context
from shared.platform.triggers import ObjectEvent

log = get_logger("swaprep.ingest")

FORMATS = {".csv": "csv", ".txt": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".xml": "fpml",
           ".fpml": "fpml"}
HASH_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class IngestOutcome:
    bucket: str
    key: str
    status: str  # received | duplicate | rejected | ignored
    tenant: str | None = None
    file_id: str | None = None
    reason: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


def detect_format(key: str, content_type: str | None = None) -> str | None:
    ext = posixpath.splitext(key.lower())[1]
    if ext in FORMATS:
        return FORMATS[ext]
    if content_type and "xml" in content_type:
        return "fpml"
    return None


def tenant_slug_for(key: str, metadata: dict[str, str]) -> str | None:
    explicit = metadata.get("tenant") or metadata.get("x-amz-meta-tenant")
    if explicit:
        return explicit.strip().lower()
    first, _, rest = key.partition("/")
    return first.strip().lower() if rest else None


def _raise_alert(conn, kind: str, dedup_key: str, summary: str, details: dict) -> None:
    conn.execute(
        "INSERT INTO alerts (tenant_id, kind, severity, dedup_key, summary, details)"
        " VALUES (NULL, %s, 'warning', %s, %s, %s)"
        " ON CONFLICT (coalesce(tenant_id::text, ''), dedup_key) WHERE status <> 'resolved'"
        " DO UPDATE SET occurrences = alerts.occurrences + 1, last_seen_at = now()",
        (kind, dedup_key, summary, json.dumps(details)),
    )


def ingest_object(event: ObjectEvent, *, db, store, queue, invoker) -> IngestOutcome:
    """Record one uploaded object in the ledger and hand it to the `process` stage."""
    from shared.adapters.queue import OutgoingMessage

    if not event.created:
        return IngestOutcome(event.bucket, event.key, "ignored", reason=event.event_name)
    head = store.head(event.bucket, event.key)
    slug = tenant_slug_for(event.key, head.metadata)
    with db.system() as conn:
        row = conn.execute("SELECT id FROM tenants WHERE slug = %s", (slug,)).fetchone()
        if row is None:
            reason = (f"no tenant '{slug}'" if slug else
                      "no tenant: put the file under '<tenant>/' or set metadata 'tenant'")
            _raise_alert(conn, "ingest.unknown_tenant", f"unknown-tenant:{slug}",
                         f"File {event.key} in {event.bucket} was not ingested: {reason}",
                         {"bucket": event.bucket, "key": event.key})
            log.warning("file for unknown tenant", extra={"key": event.key, "tenant": slug})
            return IngestOutcome(event.bucket, event.key, "rejected", slug, reason=reason)
    tenant_id = row["id"]

    digest, size = hashlib.sha256(), 0
    for chunk in store.iter_chunks(event.bucket, event.key, HASH_CHUNK):
        digest.update(chunk)
        size += len(chunk)
    sha256 = digest.hexdigest()
    file_format = detect_format(event.key, head.content_type)
    rejection = None
    if size == 0:
        rejection = "empty file (0 bytes)"
    elif file_format is None:
        rejection = "unknown file format: expected .csv, .jsonl or .xml (FpML)"

    with log_context(tenant_id=str(tenant_id)), db.tenant(tenant_id) as conn:
        inserted = conn.execute(
            "INSERT INTO ingest_files (tenant_id, bucket, object_key, sha256, size_bytes, format,"
            " source, status, reject_reason) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"
            " ON CONFLICT (tenant_id, sha256) DO NOTHING RETURNING id",
            (tenant_id, event.bucket, event.key, sha256, size, file_format,
             head.metadata.get("source", "object-storage"),
             "rejected" if rejection else "received", rejection),
        ).fetchone()
        if inserted is None:
            original = conn.execute(
                "SELECT id, object_key FROM ingest_files WHERE tenant_id = %s AND sha256 = %s",
                (tenant_id, sha256),
            ).fetchone()
            conn.execute(
                "INSERT INTO audit_log (tenant_id, actor, actor_type, action, entity_type,"
                " entity_id, after) VALUES (%s, 'ingest', 'system', 'ingest.duplicate_file',"
                " 'ingest_file', %s, %s)",
                (tenant_id, str(original["id"]),
                 json.dumps({"bucket": event.bucket, "key": event.key, "sha256": sha256,
                             "same_content_as": original["object_key"]})),
            )
            log.info("duplicate file ignored", extra={"key": event.key, "sha256": sha256})
            return IngestOutcome(
                event.bucket, event.key, "duplicate", slug, str(original["id"]),
                reason=f"same content as {original['object_key']}",
            )
        file_id = inserted["id"]
        if rejection:
            log.warning("file rejected", extra={"key": event.key, "reason": rejection})
            return IngestOutcome(event.bucket, event.key, "rejected", slug, str(file_id), rejection)
        queue.send(
            "process",
            [OutgoingMessage(body={"kind": "file", "file_id": str(file_id)}, tenant_id=tenant_id,
                             dedup_id=f"file:{file_id}")],
            conn=conn,
        )
    invoker.invoke_async("process", {"queue": "process"})
    log.info("file received", extra={"key": event.key, "file_id": str(file_id), "bytes": size})
    return IngestOutcome(event.bucket, event.key, "received", slug, str(file_id))

"""Ingest, step 1: an object landed in the inbound bucket -> a ledger entry -> queued for reading.

`ingest_object` (the bucket trigger; the monitor's lost-trigger sweep calls it too): the ledger
(`ingest_files`, unique per tenant and SHA-256 of the content) makes a re-upload of the same
content a recorded no-op whatever its name. The ledger row and an `ingest` queue message
`{"file_id", "key"}` commit together, so a crash cannot leave a file recorded but never read.
The tenant comes from the object's metadata (`tenant`) or the first segment of its key
(`<tenant-slug>/...`). Nothing is dropped: an empty file or an unknown format is kept and
marked rejected with its reason, and a file for an unknown tenant raises an alert. The format
comes from the readers (`shared.formats.readers.detect_format`: the extension, else an XML
content type).

The pass that hashes the object also builds its sparse line index (a checkpoint of byte offset
and newlines before it every `INDEX_STEP`), so that a reader resuming a large file at a line
finds it without a full re-scan.

Step 2, reading the file into `raw_rows`, is `ingest_reading`; the `ingest` action runs both.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from shared.platform.logging import get_logger, log_context
from shared.platform.triggers import ObjectEvent
from shared.services.monitoring.alerts import raise_alert
from shared.services.ports import Database, Invoker, ObjectStore, Queue

log = get_logger("swaprep.ingest")

HASH_CHUNK = 1024 * 1024
INDEX_STEP = 8 * 1024 * 1024  # a line-index checkpoint per 8 MiB: ~128 entries for 1 GB
INGEST_QUEUE = "ingest"  # read by ingest_reading.drain_ingest_queue


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


def tenant_slug_for(key: str, metadata: dict[str, str]) -> str | None:
    explicit = metadata.get("tenant") or metadata.get("x-amz-meta-tenant")
    if explicit:
        return explicit.strip().lower()
    first, _, rest = key.partition("/")
    return first.strip().lower() if rest else None


def ingest_object(event: ObjectEvent, *, db: Database, store: ObjectStore, queue: Queue,
                  invoker: Invoker | None = None) -> IngestOutcome:
    """Record one uploaded object in the ledger and queue it for reading (`parse_file`).

    No wake-up (`invoker` is accepted for symmetry): the ingest action drains its own queue
    right after recording the files of its event."""
    from shared.adapters.db import audit, ingest_files
    from shared.adapters.db import tenants as tenants_db
    from shared.adapters.queue import OutgoingMessage
    from shared.formats.readers import UnreadableFile, detect_format

    if not event.created:
        return IngestOutcome(event.bucket, event.key, "ignored", reason=event.event_name)
    head = store.head(event.bucket, event.key)
    slug = tenant_slug_for(event.key, head.metadata)
    with db.system() as conn:
        row = tenants_db.by_slug(conn, slug)
        if row is None:
            reason = (f"no tenant '{slug}'" if slug else
                      "no tenant: put the file under '<tenant>/' or set metadata 'tenant'")
            raise_alert(conn, tenant_id=None, kind="ingest.unknown_tenant", severity="warning",
                        dedup_key=f"unknown-tenant:{slug}",
                        summary=f"File {event.key} in {event.bucket} was not ingested: {reason}",
                        details={"bucket": event.bucket, "key": event.key})
            log.warning("file for unknown tenant", extra={"key": event.key, "tenant": slug})
            return IngestOutcome(event.bucket, event.key, "rejected", slug, reason=reason)
    tenant_id = row["id"]

    # One pass for the content hash and a sparse line index (byte offset -> newlines before
    # it), so that a later activation can resume reading at a line without a full re-scan.
    digest, size, newlines = hashlib.sha256(), 0, 0
    index: list[list[int]] = [[0, 0]]
    for chunk in store.iter_chunks(event.bucket, event.key, HASH_CHUNK):
        if size - index[-1][0] >= INDEX_STEP:
            index.append([size, newlines])
        digest.update(chunk)
        size += len(chunk)
        newlines += chunk.count(b"\n")
    sha256 = digest.hexdigest()
    try:  # no sniffing of the first bytes here: an unknown extension is rejected, not guessed
        file_format: str | None = detect_format(event.key, content_type=head.content_type)
    except UnreadableFile:
        file_format = None
    profile = head.metadata.get("profile") or row["fep_profile"]
    rejection = None
    if size == 0:
        rejection = "empty file (0 bytes)"
    elif file_format is None:
        rejection = "unknown file format: expected .csv, .jsonl or .xml (FpML)"

    with log_context(tenant_id=str(tenant_id)), db.tenant(tenant_id) as conn:
        file_id = ingest_files.insert_object_file(
            conn, tenant_id=tenant_id, bucket=event.bucket, object_key=event.key, sha256=sha256,
            size_bytes=size, file_format=file_format,
            source=head.metadata.get("source", "object-storage"),
            status="rejected" if rejection else "received", reject_reason=rejection,
            profile=profile, line_index=index)
        if file_id is None:
            original = ingest_files.original_file(conn, tenant_id, sha256)
            assert original is not None  # the row the insert conflicted with (same tenant)
            audit.record(conn, tenant_id=tenant_id, actor="ingest", actor_type="system",
                         action="ingest.duplicate_file", entity_type="ingest_file",
                         entity_id=str(original["id"]),
                         after={"bucket": event.bucket, "key": event.key, "sha256": sha256,
                                "same_content_as": original["object_key"]})
            log.info("duplicate file ignored", extra={"key": event.key, "sha256": sha256})
            return IngestOutcome(
                event.bucket, event.key, "duplicate", slug, str(original["id"]),
                reason=f"same content as {original['object_key']}",
            )
        if rejection:
            log.warning("file rejected", extra={"key": event.key, "reason": rejection})
            return IngestOutcome(event.bucket, event.key, "rejected", slug, str(file_id), rejection)
        queue.send(INGEST_QUEUE, [OutgoingMessage(
            body={"file_id": str(file_id), "key": f"{file_id}:read"}, tenant_id=tenant_id,
            dedup_id=f"read:{file_id}")], conn=conn)
    log.info("file received", extra={"key": event.key, "file_id": str(file_id), "bytes": size})
    return IngestOutcome(event.bucket, event.key, "received", slug, str(file_id))

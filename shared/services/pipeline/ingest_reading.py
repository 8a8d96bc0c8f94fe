"""Ingest, step 2: a file recorded in the ledger -> every record in raw_rows.

`parse_file` (the `ingest` queue, drained by `drain_ingest_queue`; step 1, `ingest_ledger`,
queues each received file there, and the `ingest` action runs both): streams the object
through its reader (constant memory) and stores every record in `raw_rows` with COPY, in
chunks of `CHUNK_RECORDS`: raw text, position and parse result (the canonical event, or the
record's errors). Each chunk's rows, the file's cursor and one `process` message
`{"file_id", "chunk_no", "key"}` commit in one transaction. A file that cannot be read at
all (`UnreadableFile`) is marked rejected with the reader's reason.

Large files and crashes. Reading stores about 5,000 records/s (≈ 1.5 MB/s of the demo FEP
CSV at ~310 bytes a record; the CSV reader's mapping is four fifths of the time) in a flat
~12 MiB of Python memory, measured on a 2-core machine. One 300 s activation thus takes
≈ 1.3 M records (≈ 400 MB), and a 1 GB file (≈ 3.5 M records) needs three activations,
about 12 minutes. So the reader stops starting chunks `SAFETY_S` before the deadline and hands
over: the cursor (next chunk, records stored, the physical line of the next record) is already
committed with the last chunk, and a continuation message is queued on `ingest`. The next
activation resumes CSV / JSON Lines (the readers' `LINE_FORMATS`) at that line: it streams the
lines before the first record (the header), then blank lines up to the cursor (readers skip
them, so every line number, in positions and in error messages, stays the file's own), then the
object from that line's byte offset (a ranged GET; `line_index`, built while hashing, keeps the
scan for it short). FpML cannot be entered mid-file: it is read again from the start and the
stored records skipped.

One reader per file: `parse_owner` + `parse_heartbeat` are a lease, refreshed by every chunk.
A message that finds a live owner re-queues itself for later instead of reading (so a crash of
the owner is still noticed); a stale owner (no chunk for `STALE_OWNER_S`) is taken over. Each
chunk is written only if the cursor still says it is next, so no chunk is ever stored twice.
"""

from __future__ import annotations

import io
import json
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

from shared.adapters.queue.base import Queue as QueueAdapter
from shared.adapters.queue.consumer import consume, patiently
from shared.platform.logging import get_logger, log_context
from shared.services.ports import Database, Invoker, ObjectStore, Queue

log = get_logger("swaprep.ingest")

BLOCK_BYTES = 1024 * 1024  # the block size of ranged GETs and of the stream handed to readers
CHUNK_RECORDS = 500  # records per raw_rows chunk and per `process` message
SAFETY_S = 20.0  # no new chunk this close to the deadline: hand over instead
STALE_OWNER_S = 120  # a reader silent this long is presumed dead and its file taken over
WATCH_DELAY_S = 150  # a message that found a live reader comes back after this
VISIBILITY_S = 330  # longer than an activation (300 s), so a lease outlives its reader
WAKE_EVERY_CHUNKS = 20
INGEST_QUEUE = "ingest"
PROCESS_QUEUE = "process"
HEADER_CHARS = 4000


@dataclass
class ParseOutcome:
    file_id: str
    status: str  # parsed | rejected | handed_over | busy | done (nothing to do) | lost
    chunks: int = 0  # stored by this call
    rows: int = 0  # stored by this call
    reason: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


class _LostOwnership(Exception):
    """Another reader took the file over (this one was presumed dead): stop, store nothing."""


class _IterStream(io.RawIOBase):
    """A readable binary stream over an iterator of byte blocks."""

    def __init__(self, blocks: Iterator[bytes], close: Callable[[], None] | None = None) -> None:
        self._blocks = blocks
        self._pending = b""
        self._close = close

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        while not self._pending:
            block = next(self._blocks, None)
            if block is None:
                return 0
            self._pending = block
        n = min(len(view), len(self._pending))
        view[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n

    def close(self) -> None:
        if not self.closed and self._close is not None:
            self._close()
        super().close()


def _ranged_blocks(store: ObjectStore, bucket: str, key: str, start: int,
                   end: int | None = None) -> tuple[Iterator[bytes], Callable[[], None]]:
    """Bytes `start` to `end` (exclusive; None: to the end) as blocks, in one ranged GET."""
    blocks = store.iter_chunks(bucket, key, BLOCK_BYTES, start=start, end=end)
    return blocks, blocks.close


def _line_start(store: ObjectStore, bucket: str, key: str, index: list[list[int]],
                line: int) -> tuple[int, bytes, Iterator[bytes], Callable[[], None]]:
    """Where physical line `line` (1-based) starts: (byte offset, the bytes from there to the
    end of the block that held it, the rest of the object as blocks, close)."""
    wanted = line - 1  # newlines before the line
    offset, seen = max((tuple(c) for c in index if c[1] < wanted), default=(0, 0))
    if wanted == 0:
        offset, seen = 0, 0
    blocks, close = _ranged_blocks(store, bucket, key, offset)
    for data in blocks:
        if seen == wanted:
            return offset, data, blocks, close
        count = data.count(b"\n")
        if seen + count < wanted:
            seen += count
            offset += len(data)
            continue
        position = -1
        while seen < wanted:
            position = data.index(b"\n", position + 1)
            seen += 1
        return offset + position + 1, data[position + 1:], blocks, close
    return offset, b"", iter(()), close


def _resume_stream(store: ObjectStore, file: dict[str, Any], line: int) -> BinaryIO:
    """The file as the reader must see it to resume at physical line `line`: the lines before
    the first record (the header), blank lines up to `line`, then the object from `line` on.

    Readers skip blank lines, so positions and messages keep the file's own line numbers."""
    bucket, key, index = file["bucket"], file["object_key"], file["line_index"] or [[0, 0]]
    first = file["first_record_line"] or 1
    prefix_end, _, _, close_prefix = _line_start(store, bucket, key, index, first)
    close_prefix()
    prefix = b""
    if prefix_end:
        head, close_head = _ranged_blocks(store, bucket, key, 0, prefix_end)
        try:
            prefix = b"".join(head)
        finally:
            close_head()
    _, rest, blocks, close = _line_start(store, bucket, key, index, line)
    filler = max(0, line - first)

    def stream() -> Iterator[bytes]:
        yield prefix
        for _ in range(filler // 65536):
            yield b"\n" * 65536
        yield b"\n" * (filler % 65536)
        yield rest
        yield from blocks

    return io.BufferedReader(_IterStream(stream(), close), BLOCK_BYTES)


def _detect(store: ObjectStore, file: dict[str, Any]) -> str | None:
    """The text encoding of a CSV / JSON Lines file, from its first bytes as the readers do."""
    from shared.formats.readers import LINE_FORMATS, SAMPLE_BYTES, sniff_encoding

    if file["format"] not in LINE_FORMATS:
        return None
    blocks, close = _ranged_blocks(store, file["bucket"], file["object_key"], 0, SAMPLE_BYTES)
    try:
        sample = b"".join(blocks)
    finally:
        close()
    return sniff_encoding(file["format"], file["profile"], sample,
                          complete=file["size_bytes"] <= SAMPLE_BYTES)


def _header_text(store: ObjectStore, file: dict[str, Any], encoding: str | None,
                 first_line: int) -> str:
    """The lines before the first record, for the console (capped)."""
    if first_line <= 1 or encoding is None:
        return ""
    blocks, close = _ranged_blocks(store, file["bucket"], file["object_key"], 0, HEADER_CHARS * 4)
    try:
        data = b"".join(blocks)
    finally:
        close()
    lines = [line.rstrip(b"\r") for line in data.split(b"\n")[:first_line - 1]]
    text = b"\n".join(lines).decode(encoding, errors="replace").lstrip("\ufeff")
    return text[:HEADER_CHARS]


def _clean(text: str) -> str:
    # PostgreSQL text and jsonb cannot hold NUL; readers only refuse NULs in the first 64 KiB.
    return text.replace("\x00", "\ufffd") if "\x00" in text else text


def _row(record, row_no: int, chunk_no: int, tenant_id, file_id) -> tuple:
    """One raw_rows tuple for COPY (`ingest_files.RAW_COLUMNS`), the parse result as JSON text."""
    event = record.event
    if event is not None and not record.errors:
        if event.source is not None:
            event.source.record = row_no  # a resumed reader counts from 1 again
        result = '{"event":' + _clean_json(event.model_dump_json(exclude_defaults=True)) + "}"
        uti, trade_id = event.uti, event.trade_id
    else:
        errors = [{"code": e.code, "message": e.message, "field": e.field} for e in record.errors]
        if not errors:
            errors = [{"code": "PARSE-000", "message": "the record yielded no event",
                       "field": None}]
        result = _clean_json(json.dumps({"errors": errors}, ensure_ascii=False))
        uti = trade_id = None
    return (tenant_id, file_id, row_no, chunk_no, record.position.line,
            _clean(record.raw or ""), uti, trade_id, result)


def _clean_json(text: str) -> str:
    return text.replace("\\u0000", "\\ufffd") if "\\u0000" in text else text


@dataclass
class _Reading:
    """One reader's progress through one file."""

    tenant_id: uuid.UUID
    file_id: uuid.UUID
    owner: uuid.UUID
    chunk_no: int
    row_no: int
    first_record_line: int | None
    stored_chunks: int = 0
    stored_rows: int = 0


def _store_chunk(db: Database, queue: Queue, reading: _Reading, records: list[Any], *,
                 next_line: int | None, final_status: str | None = None, reason: str | None = None,
                 handover: bool = False, extra: dict[str, Any] | None = None) -> None:
    """Store `records` as the next chunk, advance the cursor, queue its `process` message; with
    `final_status` also close the file. One transaction: all of it or none of it."""
    from shared.adapters.db import ingest_files
    from shared.adapters.queue import OutgoingMessage

    chunk_no = reading.chunk_no
    rows = [_row(r, reading.row_no + i, chunk_no, reading.tenant_id, reading.file_id)
            for i, r in enumerate(records, start=1)]
    row_count = reading.row_no + len(rows)
    chunk_count = chunk_no + (1 if rows else 0)
    cursor = {"chunk_no": chunk_count, "row_no": row_count, "line": next_line}
    done = final_status is not None
    with db.tenant(reading.tenant_id) as conn:
        # Compare-and-set on the cursor: only the owner, and only if this chunk is still next.
        if not ingest_files.advance_parse_cursor(
                conn, file_id=reading.file_id, owner=reading.owner, chunk_no=chunk_no,
                cursor=cursor, row_count=row_count, chunk_count=chunk_count,
                status=final_status, reason=reason, done=done, release=done or handover,
                encoding=(extra or {}).get("encoding"),
                first_record_line=reading.first_record_line,
                header=(extra or {}).get("header")):
            raise _LostOwnership
        if rows:
            ingest_files.copy_raw_rows(conn, rows)
            queue.send(PROCESS_QUEUE, [OutgoingMessage(
                body={"file_id": str(reading.file_id), "chunk_no": chunk_no,
                      "key": f"{reading.file_id}:{chunk_no}"},
                tenant_id=reading.tenant_id)], conn=conn)
        if handover:
            queue.send(INGEST_QUEUE, [OutgoingMessage(
                body={"file_id": str(reading.file_id), "key": f"{reading.file_id}:{chunk_count}"},
                tenant_id=reading.tenant_id, dedup_id=f"read:{reading.file_id}:{chunk_count}")],
                conn=conn)
    reading.chunk_no, reading.row_no = chunk_count, row_count
    reading.stored_chunks += 1 if rows else 0
    reading.stored_rows += len(rows)


def _claim(db: Database, tenant_id: Any, file_id: Any, owner: uuid.UUID) -> dict[str, Any] | None:
    from shared.adapters.db import ingest_files

    with db.tenant(tenant_id) as conn:
        return ingest_files.lease_file_for_reading(conn, file_id, owner, STALE_OWNER_S)


def _watch_later(db: Database, queue: Queue, tenant_id: Any, file_id: Any) -> str:
    """The file is being read by a live reader: come back later, in case it dies."""
    from shared.adapters.db import ingest_files
    from shared.adapters.queue import OutgoingMessage

    with db.tenant(tenant_id) as conn:
        status = ingest_files.file_status(conn, file_id)
        if status not in ("received", "parsing"):
            return "done"
        # No dedup id: this message is replaced one for one, so their number never grows.
        queue.send(INGEST_QUEUE, [OutgoingMessage(
            body={"file_id": str(file_id), "key": f"{file_id}:watch"}, tenant_id=tenant_id,
            delay_s=WATCH_DELAY_S)], conn=conn)
    return "busy"


def parse_file(tenant_id: uuid.UUID | str, file_id: uuid.UUID | str, *, db: Database,
               store: ObjectStore, queue: Queue, invoker: Invoker | None = None,
               deadline_epoch_s: float | None = None, chunk_records: int | None = None,
               clock: Callable[[], float] = time.time) -> ParseOutcome:
    """Read (the rest of) one file into raw_rows, chunk by chunk, until done or the deadline."""
    from shared.adapters.objectstore import ObjectNotFound
    from shared.formats.readers import (
        LINE_FORMATS,
        ProfileError,
        UnreadableFile,
        reader_for_file,
    )

    tenant_id, file_id = uuid.UUID(str(tenant_id)), uuid.UUID(str(file_id))
    chunk_records = chunk_records or CHUNK_RECORDS
    owner = uuid.uuid4()
    file = _claim(db, tenant_id, file_id, owner)
    if file is None:
        status = _watch_later(db, queue, tenant_id, file_id)
        return ParseOutcome(str(file_id), status)
    cursor = file["parse_cursor"] or {"chunk_no": 0, "row_no": 0, "line": None}
    reading = _Reading(tenant_id, file_id, owner, int(cursor["chunk_no"]), int(cursor["row_no"]),
                       file["first_record_line"])
    resume_line = cursor.get("line")
    # CSV / JSON Lines resume at the cursor's line; FpML (or a cursor without a line) is read
    # again from the start and the records already stored are skipped.
    by_line = file["format"] in LINE_FORMATS and resume_line is not None
    skip = 0 if by_line else reading.row_no
    buffer: list = []
    stream: BinaryIO | None = None
    extra: dict[str, Any] = {}
    with log_context(tenant_id=str(tenant_id), file_id=str(file_id)):
        try:
            encoding = file["encoding"]
            if encoding is None and reading.row_no == 0:
                encoding = _detect(store, file)
                extra["encoding"] = encoding
            if skip == 0 and reading.row_no:
                assert resume_line is not None  # skip is 0 with rows read only when by_line
                stream = _resume_stream(store, file, int(resume_line))
            else:
                stream = store.open(file["bucket"], file["object_key"])
            reader = reader_for_file(file["format"], file["profile"], encoding)
            records = reader.read(stream, file_name=file["object_key"])
            seen = 0
            for record in records:
                seen += 1
                if seen <= skip:
                    continue
                if reading.first_record_line is None:
                    reading.first_record_line = record.position.line or 1
                    extra["header"] = _header_text(store, file, encoding,
                                                   reading.first_record_line)
                buffer.append(record)
                if len(buffer) <= chunk_records:
                    continue
                # One record of lookahead: the cursor names the line the next chunk starts at.
                chunk, buffer = buffer[:chunk_records], buffer[chunk_records:]
                out_of_time = (deadline_epoch_s is not None
                               and clock() > deadline_epoch_s - SAFETY_S)
                _store_chunk(db, queue, reading, chunk, next_line=buffer[0].position.line,
                             handover=out_of_time, extra=extra)
                extra = {}
                if reading.stored_chunks == 1 or reading.stored_chunks % WAKE_EVERY_CHUNKS == 0:
                    _wake(invoker, PROCESS_QUEUE)
                if out_of_time:
                    _wake(invoker, INGEST_QUEUE)
                    log.info("deadline near: reading continues in the next activation",
                             extra={"chunk_no": reading.chunk_no, "row_no": reading.row_no})
                    return _outcome(reading, "handed_over")
            _store_chunk(db, queue, reading, buffer, next_line=None, final_status="parsed",
                         extra=extra)
        except _LostOwnership:
            log.warning("another reader took the file over; stopping")
            return _outcome(reading, "lost")
        except (UnreadableFile, ProfileError, ObjectNotFound) as exc:
            reason = str(exc) if not isinstance(exc, ObjectNotFound) else (
                "the object was deleted from the bucket before it could be read")
            try:
                _store_chunk(db, queue, reading, buffer, next_line=None,
                             final_status="rejected", reason=_partial(reason, reading, buffer),
                             extra=extra)
            except _LostOwnership:
                return _outcome(reading, "lost")
            log.warning("file rejected", extra={"reason": reason})
            if reading.stored_rows:
                _wake(invoker, PROCESS_QUEUE)
            return _outcome(reading, "rejected", reason)
        except Exception:
            _release(db, reading)  # let the retry take over at once, not after STALE_OWNER_S
            raise
        finally:
            if stream is not None:
                stream.close()
    _wake(invoker, PROCESS_QUEUE)
    log.info("file read", extra={"rows": reading.row_no, "chunks": reading.chunk_no})
    return _outcome(reading, "parsed")


def _partial(reason: str, reading: _Reading, buffer: list) -> str:
    stored = reading.row_no + len(buffer)
    if not stored:
        return reason
    return (f"{reason} (the file breaks after record {stored}: records 1-{stored} are kept "
            "and processed; send the complete file again, records already received are "
            "recognised as duplicates)")


def _release(db: Database, reading: _Reading) -> None:
    """Give the file's reader lease up so that a retry reads at once. When the database is
    what failed, try for a few seconds: a lease left behind holds the file STALE_OWNER_S."""
    from shared.adapters.db import ingest_files

    def release() -> None:
        with db.tenant(reading.tenant_id) as conn:
            ingest_files.release_reader_lease(conn, reading.file_id, reading.owner)

    try:
        patiently(release)
    except Exception:  # the lease now just runs out
        log.warning("could not release the file's reader lease", exc_info=True)


def _outcome(reading: _Reading, status: str, reason: str | None = None) -> ParseOutcome:
    return ParseOutcome(str(reading.file_id), status, reading.stored_chunks, reading.stored_rows,
                        reason)


def _wake(invoker: Invoker | None, queue_name: str) -> None:
    if invoker is not None:
        invoker.invoke_async(queue_name, {"queue": queue_name})


def drain_ingest_queue(*, db: Database, store: ObjectStore, queue: QueueAdapter,
                       invoker: Invoker | None = None, deadline_epoch_s: float | None = None,
                       batch_size: int = 1, visibility_timeout_s: float = VISIBILITY_S,
                       clock: Callable[[], float] = time.time) -> dict[str, Any]:
    """Read queued files until the `ingest` queue is empty or the deadline is near."""
    outcomes: list[dict[str, Any]] = []

    def handler(message) -> None:
        if message.tenant_id is None:
            raise ValueError(f"ingest: message {message.id} carries no tenant")
        outcome = parse_file(message.tenant_id, message.body["file_id"], db=db, store=store,
                             queue=queue, invoker=invoker, deadline_epoch_s=deadline_epoch_s,
                             clock=clock)
        outcomes.append(outcome.as_dict())

    report = consume(queue, INGEST_QUEUE, handler, batch_size=batch_size,
                     visibility_timeout_s=visibility_timeout_s,
                     deadline_epoch_s=deadline_epoch_s, safety_margin_s=SAFETY_S, clock=clock)
    report["files"] = outcomes
    return report

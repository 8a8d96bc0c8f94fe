"""Physical lines of a binary stream, read in fixed-size chunks (constant memory).

Only `stream.read(n)` is used, so any binary file-like object works (a local file, an S3
StreamingBody, a BytesIO). A line longer than `max_line_bytes` is not buffered whole: its
first `max_line_bytes` are kept for the error's raw text and the rest is skipped up to the
next newline, so a file without newlines cannot exhaust memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from shared.formats.readers.base import UnreadableFile
from shared.formats.readers.encoding import SAMPLE_BYTES, Detected, decode_line, detect_encoding

__all__ = ["CHUNK_BYTES", "MAX_LINE_BYTES", "Line", "decoded_lines", "open_text"]

CHUNK_BYTES = 256 * 1024
MAX_LINE_BYTES = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Line:
    number: int  # 1-based physical line in the file
    text: str  # decoded, with its line terminator if it had one
    terminated: bool  # ended with "\n" (False: the file's last line, maybe truncated)
    decode_error: str | None = None  # undecodable bytes, replaced by U+FFFD in `text`
    length: int | None = None  # set when the line was longer than the limit: its full size


def _read_sample(stream: BinaryIO) -> tuple[bytes, bool]:
    parts: list[bytes] = []
    size = 0
    while size < SAMPLE_BYTES:
        chunk = stream.read(SAMPLE_BYTES - size)
        if not chunk:
            return b"".join(parts), True
        parts.append(chunk)
        size += len(chunk)
    return b"".join(parts), False


def open_text(stream: BinaryIO, declared: str | None = None, *,
              max_line_bytes: int = MAX_LINE_BYTES,
              file_name: str | None = None) -> tuple[Detected, Iterator[Line]]:
    """Detect the encoding from the first bytes, then decode the stream line by line."""
    sample, complete = _read_sample(stream)
    try:
        detected = detect_encoding(sample, declared, complete=complete)
    except UnreadableFile as exc:
        raise UnreadableFile(f"{file_name}: {exc}" if file_name else str(exc)) from None
    lines = decoded_lines(stream, sample[detected.bom_length:], detected.encoding,
                          max_line_bytes=max_line_bytes)
    return detected, lines


def decoded_lines(stream: BinaryIO, head: bytes, encoding: str, *,
                  max_line_bytes: int = MAX_LINE_BYTES) -> Iterator[Line]:
    for number, data, terminated, length in _byte_lines(stream, head, max_line_bytes):
        text, error = decode_line(data, encoding)
        yield Line(number, text, terminated, error, length)


def _byte_lines(stream: BinaryIO, head: bytes,
                max_line_bytes: int) -> Iterator[tuple[int, bytes, bool, int | None]]:
    buffer = head
    number = 0
    skipping = 0  # > 0: inside an over-long line, this many bytes seen so far
    kept = b""  # the over-long line's first max_line_bytes
    eof = False
    while True:
        start = 0
        while True:
            end = buffer.find(b"\n", start)
            if end < 0:
                break
            number += 1
            if skipping:
                total = skipping + end - start + 1
                yield number, kept, True, total
                skipping, kept = 0, b""
            elif end - start > max_line_bytes:
                yield number, buffer[start:start + max_line_bytes], True, end - start + 1
            else:
                yield number, buffer[start:end + 1], True, None
            start = end + 1
        rest = buffer[start:]
        if skipping:
            skipping += len(rest)
            rest = b""
        elif len(rest) > max_line_bytes:
            kept, skipping, rest = rest[:max_line_bytes], len(rest), b""
        if eof:
            if skipping:
                yield number + 1, kept, False, skipping
            elif rest:
                yield number + 1, rest, False, None
            return
        chunk = stream.read(CHUNK_BYTES)
        if not chunk:
            eof = True
            buffer = rest
            continue
        buffer = rest + chunk if rest else chunk

"""FEP readers. Each yields one `ParsedRecord` per input record, in order, in constant memory.

`detect_format` tells a file's format from its name (then its content type, then its first
bytes); `reader_for(fmt)` builds a reader, importing only that one. A stored file is read again
by `reader_for_file` with the encoding `sniff_encoding` found in its first bytes.

CSV and JSON Lines (`LINE_FORMATS`) are text read line by line: they are decoded in the
encoding their first `SAMPLE_BYTES` show (or their profile declares), and a reader may be
started at any physical line: readers skip blank lines, so a stream whose lines before that
line are blanked (apart from the header) yields the same records, with the file's own line
numbers in positions and messages. FpML is XML (it declares its own encoding) and is read from
its start.

A file that cannot be read at all raises `UnreadableFile`; an unusable mapping profile raises
`ProfileError`. Both messages say why, for the file's rejection reason.
"""

from __future__ import annotations

import posixpath
from typing import Any

from shared.formats.readers.base import ProfileError, Reader, UnreadableFile
from shared.formats.readers.encoding import SAMPLE_BYTES

__all__ = [
    "FORMAT_BY_EXTENSION",
    "LINE_FORMATS",
    "SAMPLE_BYTES",
    "ProfileError",
    "Reader",
    "UnreadableFile",
    "detect_format",
    "reader_for",
    "reader_for_file",
    "sniff_encoding",
]

FORMAT_BY_EXTENSION = {".csv": "csv", ".txt": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl",
                       ".xml": "fpml", ".fpml": "fpml"}
LINE_FORMATS = ("csv", "jsonl")  # text read line by line: encoded, resumable at a line


def detect_format(name: str, head: bytes = b"", *, content_type: str | None = None) -> str:
    """The format (csv, jsonl, fpml) of the file `name`: by its extension, else by its
    `content_type` (an XML media type: FpML), else by its first bytes `head` (if given).

    Raises `UnreadableFile` when none of them tells."""
    ext = posixpath.splitext(name.lower())[1]
    if ext in FORMAT_BY_EXTENSION:
        return FORMAT_BY_EXTENSION[ext]
    if content_type and "xml" in content_type:
        return "fpml"
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if start == b"<":
        return "fpml"
    if start == b"{":
        return "jsonl"
    if head:
        return "csv"
    raise UnreadableFile(f"cannot tell the format of {name!r}: expected .csv, .jsonl or .xml")


def reader_for(fmt: str, **options: Any) -> Reader:
    """A reader for `fmt` (csv, jsonl, fpml); CSV options include the mapping profile.

    `options` go to the chosen reader's constructor, whose own signature checks them."""
    if fmt == "csv":
        from shared.formats.readers.csv_reader import CsvReader

        return CsvReader(**options)
    if fmt == "jsonl":
        from shared.formats.readers.jsonl import JsonlReader

        return JsonlReader(**options)
    if fmt == "fpml":
        from shared.formats.readers.fpml import FpmlReader

        return FpmlReader(**options)
    raise UnreadableFile(f"unknown format {fmt!r}: expected csv, jsonl or fpml")


def reader_for_file(fmt: str, profile: str | None, encoding: str | None) -> Reader:
    """The reader of a stored file: its format, its mapping profile (None: the format's
    default; CSV always maps with one, JSON Lines without one reads canonical events) and the
    encoding `sniff_encoding` found (None: detect it again; ignored by FpML)."""
    if fmt == "csv":
        return reader_for("csv", profile=profile or "default", encoding=encoding)
    if fmt == "jsonl":
        return reader_for("jsonl", profile=profile, encoding=encoding)
    return reader_for(fmt)


def sniff_encoding(fmt: str, profile: str | None, sample: bytes, *,
                   complete: bool) -> str | None:
    """The text encoding (utf-8 or cp949) a reader of `fmt` with `profile` finds in a file whose
    first bytes are `sample` (the readers look at `SAMPLE_BYTES`; `complete`: the sample is the
    whole file); None for a format that is not text read line by line (FpML).

    Raises `UnreadableFile` (binary, UTF-16, neither UTF-8 nor CP949) or `ProfileError`."""
    if fmt not in LINE_FORMATS:
        return None
    from shared.formats.profiles import load_profile
    from shared.formats.readers.encoding import detect_encoding

    declared = load_profile(profile).encoding if profile else None
    return detect_encoding(sample, declared, complete=complete).encoding

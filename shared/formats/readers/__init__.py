"""FEP readers. Each yields one `ParsedRecord` per input record, in order, in constant memory.

`reader_for(name)` picks one by file name (and, for ambiguous names, by the first bytes),
importing only that reader.
"""

from __future__ import annotations

import posixpath
from typing import Any

from shared.formats.readers.base import Reader, UnreadableFile

FORMAT_BY_EXTENSION = {".csv": "csv", ".txt": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl",
                       ".xml": "fpml", ".fpml": "fpml"}


def detect_format(name: str, head: bytes = b"") -> str:
    ext = posixpath.splitext(name.lower())[1]
    if ext in FORMAT_BY_EXTENSION:
        return FORMAT_BY_EXTENSION[ext]
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

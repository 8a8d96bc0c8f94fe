"""The reader contract: a stream of records, each an event or an error with its position.

A reader never stops at a bad record: it yields a `ParsedRecord` with `error` set (naming the
file, line or record, field and rule) and goes on, so every input record ends in a state the
console can show. Only a file that cannot be read at all (unknown encoding, not XML, ...)
raises `UnreadableFile`, and then the whole file is rejected with that reason.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO, Protocol

from shared.domain.model import SourcePosition, TradeEvent


class UnreadableFile(ValueError):
    """The file as a whole cannot be read; the message says why, for the rejection reason."""


class ProfileError(ValueError):
    """A profile that cannot be used (unknown key, unknown field path, bad format).

    Defined here, next to `UnreadableFile`, so that `shared.formats.readers` exports it without
    importing `shared.formats.profiles` (which imports the readers' encoding module)."""


@dataclass(frozen=True)
class RecordError:
    code: str  # stable id, e.g. PARSE-CSV-003 (ragged row), PARSE-FPML-002 (missing element)
    message: str
    field: str | None = None  # canonical field path (counterparty_1.identifier) or source column

    def __str__(self) -> str:
        where = f" [{self.field}]" if self.field else ""
        return f"{self.code}{where}: {self.message}"


@dataclass(frozen=True)
class ParsedRecord:
    position: SourcePosition
    event: TradeEvent | None = None
    errors: tuple[RecordError, ...] = ()
    raw: str | None = None  # the record's source text, kept for the raw_rows table

    @property
    def ok(self) -> bool:
        return self.event is not None and not self.errors


class Reader(Protocol):
    format: str  # csv, jsonl, fpml

    def read(self, stream: BinaryIO, *, file_name: str | None = None) -> Iterator[ParsedRecord]:
        """Yield every record of `stream` in order; never load the whole file in memory."""

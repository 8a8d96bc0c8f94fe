"""CSV reader: a FEP's delimited file, mapped to canonical events by a profile.

Streaming: bytes are read in chunks, split into physical lines, decoded one line at a time
(see encoding.py) and handed to the stdlib `csv` parser, which pulls lines only as it needs
them (a quoted field may span lines). Memory holds one record, whatever the file's size.

Every data record yields exactly one `ParsedRecord` with its position (file, first physical
line, record number) and raw text. Record-level problems are errors of that record and the
file goes on; only a file without a usable header is `UnreadableFile`. Codes: mapping.Kind.
"""

from __future__ import annotations

import csv
from collections import deque
from collections.abc import Iterator
from typing import BinaryIO

from shared.domain.model import SourcePosition
from shared.formats.profiles import Profile, load_profile
from shared.formats.readers.base import ParsedRecord, RecordError, UnreadableFile
from shared.formats.readers.lines import MAX_LINE_BYTES, Line, open_text
from shared.formats.readers.mapping import Kind, RecordMapper, code

__all__ = ["MAX_RECORD_LINES", "CsvReader"]

MAX_RECORD_LINES = 100  # a quoted field spanning more lines is taken as an unbalanced quote
RAW_LIMIT = 64 * 1024  # raw text kept per record (an over-long record's head)
FMT = "CSV"


class _LineTooLong(Exception):
    def __init__(self, line: Line) -> None:
        self.line = line


class _RecordTooLong(Exception):
    pass


class _LineFeed:
    """The csv parser's line iterator: remembers the lines of the record being parsed, and
    lets the reader push lines back to parse them again after an unbalanced quote."""

    def __init__(self, lines: Iterator[Line], max_record_lines: int) -> None:
        self._lines = lines
        self._pushed: deque[Line] = deque()
        self.current: list[Line] = []
        self.max_record_lines = max_record_lines

    def __iter__(self) -> _LineFeed:
        return self

    def __next__(self) -> str:
        line = self._pushed.popleft() if self._pushed else next(self._lines)
        if line.length is not None:
            raise _LineTooLong(line)
        self.current.append(line)
        if len(self.current) > self.max_record_lines:
            raise _RecordTooLong
        return line.text

    def take(self) -> list[Line]:
        lines, self.current = self.current, []
        return lines

    def push_back(self, lines: list[Line]) -> None:
        self._pushed.extendleft(reversed(lines))


def _raw(lines: list[Line]) -> str:
    text = lines[0].text if len(lines) == 1 else "".join(line.text for line in lines)
    if text.endswith("\n"):
        text = text[:-2] if text.endswith("\r\n") else text[:-1]
    return text if len(text) <= RAW_LIMIT else text[:RAW_LIMIT] + "…"


def _csv_problem(exc: Exception) -> str:
    """The csv module's message, in words an operations user can act on."""
    text = str(exc)
    if "new-line character" in text:
        return ("a bare carriage return (CR) in an unquoted field: lines must end in LF or "
                "CRLF (old Mac line endings are not supported)")
    if "expected after" in text:
        return ("text after a closing quote: quote the whole field and double any quote "
                'inside it ("")')
    if "field larger than field limit" in text:
        return "a field longer than the CSV parser's limit (131072 characters)"
    return text


class CsvReader:
    format = "csv"

    def __init__(self, profile: str | Profile | None = None, *, encoding: str | None = None,
                 max_line_bytes: int = MAX_LINE_BYTES,
                 max_record_lines: int = MAX_RECORD_LINES) -> None:
        self.profile = profile if isinstance(profile, Profile) else load_profile(
            profile or "default")
        self.encoding = encoding  # overrides the profile's
        self.max_line_bytes = max_line_bytes
        self.max_record_lines = max_record_lines

    def read(self, stream: BinaryIO, *, file_name: str | None = None) -> Iterator[ParsedRecord]:
        profile = self.profile
        declared = self.encoding or profile.encoding
        _detected, lines = open_text(stream, declared, max_line_bytes=self.max_line_bytes,
                                     file_name=file_name)
        feed = _LineFeed(lines, self.max_record_lines)
        parser = csv.reader(feed, delimiter=profile.delimiter, quotechar=profile.quotechar,
                            strict=True)
        columns = self._header(parser, feed, file_name)
        mapped = tuple((i, name) for i, name in enumerate(columns) if name is not None)
        mapper = RecordMapper(profile, FMT)
        map_row = mapper.row_mapper(mapped)  # map_record of the mapped cells, compiled
        record = 0
        while True:
            errors: list[RecordError] = []
            try:
                row = next(parser)
            except StopIteration:
                return
            except _LineTooLong as exc:
                taken = [*feed.take(), exc.line]
                record += 1
                yield self._too_long(taken, exc.line, record, file_name)
                continue
            except (_RecordTooLong, csv.Error) as exc:
                taken = feed.take()
                if not taken:
                    return
                record += 1
                yield self._bad_quoting(taken, exc, record, file_name)
                feed.push_back(taken[1:])  # parse what the stray quote swallowed again
                continue
            taken = feed.take()
            if not any(cell.strip() for cell in row):
                continue  # a blank line (or one of only delimiters) is not a record
            record += 1
            first = taken[0]
            position = SourcePosition(file=file_name, line=first.number, record=record)
            for line in taken:
                if line.decode_error:
                    errors.append(RecordError(code(FMT, Kind.DECODE),
                                              f"line {line.number}: {line.decode_error}"))
            # extra cells that are all blank are tolerated: spreadsheet exports add them
            too_many = len(row) > len(columns) and any(c.strip() for c in row[len(columns):])
            if too_many or len(row) < len(columns):
                errors.append(self._ragged(row, columns, taken))
            if errors:
                yield ParsedRecord(position, None, tuple(errors), _raw(taken))
                continue
            event, value_errors = map_row(row, position)
            yield ParsedRecord(position, event, tuple(value_errors), _raw(taken))

    # -- header
    def _header(self, parser: Iterator[list[str]], feed: _LineFeed,
                file_name: str | None) -> list[str | None]:
        """Column index -> normalised profile column (None: not mapped, ignored)."""
        profile = self.profile
        where = f"{file_name or 'the file'}"
        skipped = 0
        while True:
            try:
                header = next(parser)
            except StopIteration:
                raise UnreadableFile(f"{where} is empty: no header row") from None
            except _LineTooLong as exc:
                raise UnreadableFile(f"{where}: line {exc.line.number} (the header) is longer "
                                     f"than {self.max_line_bytes} bytes") from None
            except (_RecordTooLong, csv.Error) as exc:
                raise UnreadableFile(
                    f"{where}: the header row cannot be parsed: {_csv_problem(exc)}") from None
            taken = feed.take()
            if skipped < profile.skip_lines:
                skipped += 1
                continue
            if header and any(cell.strip() for cell in header):
                break
        decode_errors = [line for line in taken if line.decode_error]
        names = [Profile.normalise_column(cell) for cell in header]
        present = set(names)
        missing = [c for c in profile.required if Profile.normalise_column(c) not in present]
        missing += [" or ".join(group) for group in profile.required_one_of
                    if not any(Profile.normalise_column(c) in present for c in group)]
        if missing:
            hint = f" ({decode_errors[0].decode_error})" if decode_errors else ""
            delimiter = profile.delimiter if profile.delimiter != "\t" else "TAB"
            raise UnreadableFile(
                f"{where}: the header (line {taken[0].number}) lacks the column(s) "
                f"{', '.join(missing)} required by profile {profile.name!r}; found "
                f"{len(header)} column(s) split on {delimiter!r}: "
                f"{', '.join(header[:12])}{' ...' if len(header) > 12 else ''}{hint}")
        seen: set[str] = set()
        columns: list[str | None] = []
        for name in names:
            if name in profile.columns and name not in seen:
                seen.add(name)
                columns.append(name)
            elif name in seen:
                raise UnreadableFile(f"{where}: column {name!r} appears twice in the header")
            else:
                columns.append(None)
        return columns

    # -- record-level structure errors
    def _ragged(self, row: list[str], columns: list[str | None], taken: list[Line]) -> RecordError:
        last = taken[-1]
        if len(row) < len(columns) and not last.terminated:
            return RecordError(code(FMT, Kind.TRUNCATED),
                               f"line {taken[0].number}: the file ends inside this record "
                               f"({len(row)} of {len(columns)} columns, no line end): "
                               "truncated upload?")
        return RecordError(code(FMT, Kind.STRUCTURE),
                           f"line {taken[0].number}: {len(row)} columns, the header has "
                           f"{len(columns)}")

    def _too_long(self, taken: list[Line], line: Line, record: int,
                  file_name: str | None) -> ParsedRecord:
        position = SourcePosition(file=file_name, line=taken[0].number, record=record)
        error = RecordError(code(FMT, Kind.TOO_LONG),
                            f"line {line.number}: {line.length} bytes, longer than the limit "
                            f"of {self.max_line_bytes}; the record was skipped")
        return ParsedRecord(position, None, (error,), _raw(taken))

    def _bad_quoting(self, taken: list[Line], exc: Exception, record: int,
                     file_name: str | None) -> ParsedRecord:
        first = taken[0]
        position = SourcePosition(file=file_name, line=first.number, record=record)
        at_end = not taken[-1].terminated or "unexpected end of data" in str(exc)
        if isinstance(exc, _RecordTooLong):
            error = RecordError(code(FMT, Kind.SHAPE),
                                f"line {first.number}: a quoted field does not close within "
                                f"{self.max_record_lines} lines: unbalanced quote")
        elif at_end and len(taken) == 1:
            error = RecordError(code(FMT, Kind.TRUNCATED),
                                f"line {first.number}: the file ends inside a quoted field: "
                                "truncated upload?")
        elif "unexpected end of data" in str(exc):
            error = RecordError(code(FMT, Kind.SHAPE),
                                f"line {first.number}: a quoted field opened here never closes: "
                                "unbalanced quote")
        else:
            error = RecordError(code(FMT, Kind.SHAPE),
                                f"line {first.number}: not valid CSV: {_csv_problem(exc)}")
        return ParsedRecord(position, None, (error,), _raw(taken[:1]))

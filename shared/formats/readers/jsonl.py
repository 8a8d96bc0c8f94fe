"""JSON Lines reader: one JSON object per line, streamed in constant memory.

Two shapes:
- canonical (default): each object is a `TradeEvent` as JSON (nested, the model's field
  names), the same shape the HTTPS event API takes. Numbers are read as Decimal, so 0.1 stays
  0.1; timestamps without an offset are taken as UTC.
- flat, with a profile: each object is a flat record whose keys are the profile's columns, as
  a CSV row would be (`JsonlReader(profile="default")`).

Blank lines are skipped. Every other line yields one `ParsedRecord`; a line that is not JSON,
not an object, cut off at the end of the file, or not a valid event is that record's error
(PARSE-JSONL-nnn, numbers shared with the CSV reader, see mapping.Kind) and the file goes on.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any, BinaryIO

from pydantic import BaseModel

from shared.domain.model import SourcePosition, TradeEvent, utc
from shared.formats.profiles import Profile, load_profile
from shared.formats.readers.base import ParsedRecord, RecordError
from shared.formats.readers.lines import MAX_LINE_BYTES, Line, open_text
from shared.formats.readers.mapping import Kind, RecordMapper, build_event, code

__all__ = ["JsonlReader"]

FMT = "JSONL"
RAW_LIMIT = 64 * 1024


class JsonlReader:
    format = "jsonl"

    def __init__(self, profile: str | Profile | None = None, *, encoding: str | None = None,
                 max_line_bytes: int = MAX_LINE_BYTES) -> None:
        self.profile = (profile if isinstance(profile, Profile) or profile is None
                        else load_profile(profile))
        self.encoding = encoding
        self.max_line_bytes = max_line_bytes
        self._mapper = RecordMapper(self.profile, FMT) if self.profile else None

    def read(self, stream: BinaryIO, *, file_name: str | None = None) -> Iterator[ParsedRecord]:
        declared = self.encoding or (self.profile.encoding if self.profile else None)
        _detected, lines = open_text(stream, declared, max_line_bytes=self.max_line_bytes,
                                     file_name=file_name)
        record = 0
        for line in lines:
            if line.length is None and not line.text.strip():
                continue
            record += 1
            position = SourcePosition(file=file_name, line=line.number, record=record)
            raw = _raw(line)
            errors = self._line_errors(line)
            if errors:
                yield ParsedRecord(position, None, tuple(errors), raw)
                continue
            try:
                obj = json.loads(line.text, parse_float=Decimal)
            except json.JSONDecodeError as exc:
                kind, what = ((Kind.TRUNCATED, "the file ends inside this JSON object: "
                               "truncated upload?") if not line.terminated and _cut_off(exc)
                              else (Kind.STRUCTURE, f"not valid JSON: {exc.msg} at column "
                                    f"{exc.colno}"))
                yield ParsedRecord(position, None, (RecordError(
                    code(FMT, kind), f"line {line.number}: {what}"),), raw)
                continue
            if not isinstance(obj, dict):
                yield ParsedRecord(position, None, (RecordError(
                    code(FMT, Kind.SHAPE), f"line {line.number}: a JSON {_json_type(obj)}, "
                    "expected an object {...}"),), raw)
                continue
            event, problems = self._event(obj, position)
            yield ParsedRecord(position, event, tuple(problems), raw)

    def _line_errors(self, line: Line) -> list[RecordError]:
        if line.length is not None:
            return [RecordError(code(FMT, Kind.TOO_LONG),
                                f"line {line.number}: {line.length} bytes, longer than the "
                                f"limit of {self.max_line_bytes}; the record was skipped")]
        if line.decode_error:
            return [RecordError(code(FMT, Kind.DECODE),
                                f"line {line.number}: {line.decode_error}")]
        return []

    def _event(self, obj: dict[str, Any], position: SourcePosition
               ) -> tuple[TradeEvent | None, list[RecordError]]:
        if self._mapper is not None:
            cells = {Profile.normalise_column(str(k)): _cell(v) for k, v in obj.items()}
            return self._mapper.map_record(cells, position)
        event, errors = build_event(obj, position, FMT, prune=False)
        if event is not None:
            _timestamps_to_utc(event)
        return event, errors


def _raw(line: Line) -> str:
    text = line.text.rstrip("\r\n")
    return text if len(text) <= RAW_LIMIT else text[:RAW_LIMIT] + "…"


def _cut_off(exc: json.JSONDecodeError) -> bool:
    # The parser ran out of text (rather than meeting a wrong character): a truncated line.
    return exc.pos >= len(exc.doc.rstrip()) or exc.msg.startswith("Unterminated string")


def _json_type(value: Any) -> str:
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    return "number"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, dict | list):
        return json.dumps(value, default=str)
    return str(value)


def _timestamps_to_utc(model: BaseModel) -> None:
    """A naive timestamp in canonical JSON is UTC (model.utc); aware ones are converted."""
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, datetime):
            if value.tzinfo is None or value.utcoffset():
                setattr(model, name, utc(value))
        elif isinstance(value, BaseModel):
            _timestamps_to_utc(value)
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, BaseModel):
                    _timestamps_to_utc(item)

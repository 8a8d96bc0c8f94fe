"""`swaprep validate FILE [--json] [--regime R ...]`: check a FEP file before it is sent.

Reads FILE with the reader its name (or first bytes) calls for, fills what enrichment can
derive (UTIs, ...) as the pipeline does, and runs every SR-* rule on each record. Each record's
earlier records with the same UTI are its history, so lifecycle sequences inside one file are
checked too (a MODI before its NEWT, a second NEWT). A record's own field errors do not make
later records of its UTI fail: the sequence is judged on the actions alone.

Prints one line per problem: file:line, rule id, severity, field, regime and message (English,
or Korean with --lang ko), then a summary; --json prints one JSON document with both
languages. Exit status: 0 when nothing is at reject level, 1 otherwise (parse errors and an
unreadable file count as rejects).
"""

from __future__ import annotations

import json
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from shared.domain.issues import Issue, Severity
from shared.domain.lifecycle import REFUSALS
from shared.domain.model import TradeEvent
from shared.domain.regimes import keys as regime_keys
from shared.domain.rules import ValidationContext, validate
from shared.formats.readers import detect_format, reader_for
from shared.formats.readers.base import ParsedRecord, UnreadableFile

HEAD_BYTES = 4096


@dataclass(frozen=True)
class Row:
    """One line of the report: a parse error or a rule issue, where it was found."""

    file: str
    line: int | None
    record: int | None
    uti: str | None
    kind: str  # parse | rule | file
    rule_id: str
    severity: str
    field: str | None
    regime: str | None
    value: str | None
    message_en: str
    message_ko: str | None

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "record": self.record, "uti": self.uti,
                "kind": self.kind, "rule_id": self.rule_id, "severity": self.severity,
                "field": self.field, "regime": self.regime, "value": self.value,
                "message_en": self.message_en, "message_ko": self.message_ko}


@dataclass
class Summary:
    records: int = 0
    rejected: int = 0
    warned: int = 0  # records with warnings and no reject

    @property
    def ok(self) -> bool:
        return self.rejected == 0


def _parse_now(value: str | None) -> datetime:
    if not value:
        return datetime.now(UTC)
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise click.BadParameter(f"{value!r} is not an ISO 8601 timestamp") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _enricher():
    try:
        from shared.domain.enrichment import enrich
    except ImportError:
        return None
    return lambda event: enrich(event).event


def check_file(path: Path, *, regimes: tuple[str, ...], now: datetime,
               profile: str | None = None, enrich: bool = True) -> tuple[list[Row], Summary]:
    """Every parse error and rule issue of the file, and the per-record summary."""
    name = str(path)
    summary = Summary()
    with path.open("rb") as stream:
        head = stream.read(HEAD_BYTES)
        stream.seek(0)
        try:
            fmt = detect_format(path.name, head)
            reader = reader_for(fmt, **({"profile": profile} if profile else {}))
            rows = list(_check_records(reader.read(stream, file_name=name), name, regimes, now,
                                       _enricher() if enrich else None, summary))
        except UnreadableFile as exc:
            row = Row(name, None, None, None, "file", "FILE", Severity.REJECT.value, None, None,
                      None, f"the file is rejected: {exc}", f"파일 반려: {exc}")
            summary.rejected += 1
            return [row], summary
    return rows, summary


def _check_records(records, name: str, regimes: tuple[str, ...], now: datetime, enrich,
                   summary: Summary):
    histories: dict[str, list[TradeEvent]] = defaultdict(list)
    for record in records:
        summary.records += 1
        rows = [_parse_row(record, error, name) for error in record.errors]
        event = record.event
        if event is not None:
            event = enrich(event) if enrich else event
            history = histories[event.uti] if event.uti else None
            ctx = ValidationContext(now=now, regimes=regimes,
                                    history=tuple(history) if history is not None else None)
            issues = validate(event, ctx)
            rows += [_issue_row(record, event, issue, name) for issue in issues]
            if history is not None and not any(i.rule_id in REFUSALS for i in issues):
                history.append(event)  # the TR would hold it; later records build on it
        if any(r.severity == Severity.REJECT.value for r in rows):
            summary.rejected += 1
        elif rows:
            summary.warned += 1
        yield from rows


def _parse_row(record: ParsedRecord, error, name: str) -> Row:
    position = record.position
    return Row(position.file or name, position.line, position.record, None, "parse", error.code,
               Severity.REJECT.value, error.field, None, None, error.message, None)


def _issue_row(record: ParsedRecord, event: TradeEvent, issue: Issue, name: str) -> Row:
    position = record.position
    return Row(position.file or name, position.line, position.record, event.uti, "rule",
               issue.rule_id, issue.severity.value, issue.field, issue.regime, issue.value,
               issue.message_en, issue.message_ko)


def _width(text: str) -> int:
    """Display width: Hangul and other wide characters take two terminal columns."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def render_table(rows: list[Row], summary: Summary, *, lang: str) -> str:
    headers = ("WHERE", "RULE", "SEVERITY", "FIELD", "REGIME", "MESSAGE")
    if lang == "ko":
        headers = ("위치", "규칙", "심각도", "항목", "제도", "내용")
    cells = [(r.where, r.rule_id, r.severity if lang != "ko" else Severity(r.severity).ko,
              r.field or "-", r.regime or "-",
              (r.message_ko or r.message_en) if lang == "ko" else r.message_en) for r in rows]
    lines = []
    if cells:
        widths = [max(_width(c[i]) for c in [headers, *cells]) for i in range(5)]
        for cell in [headers, *cells]:
            lines.append("  ".join(_pad(cell[i], widths[i]) for i in range(5)) + "  " + cell[5])
    lines.append(_summary_text(summary, lang))
    return "\n".join(lines)


def _summary_text(summary: Summary, lang: str) -> str:
    clean = summary.records - summary.rejected - summary.warned
    if lang == "ko":
        return (f"레코드 {summary.records}건: 정상 {clean}건, 반려 {summary.rejected}건, "
                f"경고만 있음 {summary.warned}건")
    return (f"{summary.records} record(s): {clean} ok, {summary.rejected} rejected, "
            f"{summary.warned} with warnings only")


@click.command(name="validate")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="One JSON document instead of a table.")
@click.option("--regime", "regimes", multiple=True, type=click.Choice(regime_keys()),
              help="Judge under this regime (repeatable). Default: each record's own regimes.")
@click.option("--lang", type=click.Choice(("en", "ko")), default="en", show_default=True,
              help="Language of the table's messages (JSON carries both).")
@click.option("--profile", help="Reader mapping profile for CSV (and flat JSONL) files.")
@click.option("--now", "now_text", metavar="TIMESTAMP",
              help="Judge deadlines and ages as of this ISO 8601 time (default: now).")
@click.option("--no-enrich", is_flag=True, help="Validate records exactly as read.")
def command(file: Path, as_json: bool, regimes: tuple[str, ...], lang: str,
            profile: str | None, now_text: str | None, no_enrich: bool) -> None:
    """Validate FILE (CSV, JSONL or FpML) against every SR-* rule."""
    now = _parse_now(now_text)
    rows, summary = check_file(file, regimes=regimes, now=now, profile=profile,
                               enrich=not no_enrich)
    if as_json:
        click.echo(json.dumps({
            "file": str(file), "regimes": list(regimes), "now": now.isoformat(),
            "records": summary.records, "rejected": summary.rejected,
            "warned": summary.warned, "ok": summary.ok,
            "issues": [r.to_dict() for r in rows],
        }, ensure_ascii=False, indent=2))
    else:
        click.echo(render_table(rows, summary, lang=lang))
    raise SystemExit(0 if summary.ok else 1)

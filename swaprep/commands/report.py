"""`swaprep report --regime cftc-part45|emir|krx FILE`: read a trade file, print its report.

Each record is enriched as the pipeline does (a missing UTI generated, derived fields
filled) and checked by the regime's rules. One trade prints one report document; several
print one batch document. Parse errors and rule issues go to stderr, each naming its record,
rule and field: validation is a separate concern, so the report is printed regardless and the
exit status is 0 whenever a report was produced. Imports stay light (the conformance scorer
spawns this once per case).
"""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from shared.domain.regimes import keys as regime_keys


@click.command(name="report")
@click.option("--regime", required=True, type=click.Choice(regime_keys()))
@click.option("--reporting-timestamp", default=None,
              help="ISO 8601 reporting timestamp (default: now, UTC).")
@click.option("--refdata-dir", envvar="SWAPREP_REFDATA_DIR", default=None,
              type=click.Path(file_okay=False), help="Directory extending the reference data.")
@click.option("--checks/--no-checks", default=True,
              help="Judge each trade by the regime's rules and print the issues on stderr "
                   "(default), or print the report only (scripts that judge elsewhere).")
@click.option("--reporting-party", default=None, metavar="LEI",
              help="Report each trade as this counterparty reports it (default: the record's "
                   "counterparty 1): the other side of a two-sided regime, or a client.")
@click.option("--submitting-entity", default=None, metavar="LEI",
              help="Who sends the report (default: the reporting party); a delegate's LEI.")
@click.option("--entity-responsible", default=None, metavar="LEI",
              help="Who answers for the report (default: the reporting party); the delegate "
                   "under mandatory delegation (EMIR Art. 9(1a)).")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def command(regime: str, reporting_timestamp: str | None, refdata_dir: str | None,
            checks: bool, reporting_party: str | None, submitting_entity: str | None,
            entity_responsible: str | None, file: Path) -> None:
    """Print the REGIME report of the trades in FILE (FpML, CSV or JSONL)."""
    from shared.domain.enrichment import enrich
    from shared.formats.readers import detect_format, reader_for
    from shared.formats.readers.base import UnreadableFile
    from shared.formats.writers.base import writer_for

    stamp = _timestamp(reporting_timestamp)
    try:
        writer = writer_for(regime)
    except ImportError as exc:
        raise click.ClickException(
            f"the {regime} writer is not available in this installation ({exc})") from exc
    with file.open("rb") as stream:
        head = stream.read(512)
        stream.seek(0)
        try:
            fmt = detect_format(file.name, head)
            options = {}
            if fmt == "fpml":
                from shared.domain.refdata import load

                options["refdata"] = load(refdata_dir)
            reader = reader_for(fmt, **options)
            events = []
            for record in reader.read(stream, file_name=os.fspath(file)):
                for error in record.errors:
                    where = record.position.path or record.position.line
                    click.echo(f"{file.name}: record {record.position.record} ({where}): "
                               f"{error}", err=True)
                if record.event is not None:
                    event = enrich(record.event).event
                    if reporting_party or submitting_entity or entity_responsible:
                        event = _as_reported(event, reporting_party, submitting_entity,
                                             entity_responsible)
                    if checks:
                        _print_issues(file.name, record.position.record, event, regime, stamp)
                    events.append(event)
        except UnreadableFile as exc:
            raise click.ClickException(str(exc)) from exc
    if not events:
        raise click.ClickException(f"{file.name}: no trade could be read, no report produced")
    out = sys.stdout.buffer
    if len(events) == 1:
        out.write(writer.write_one(events[0], reporting_timestamp=stamp))
    else:
        count = writer.write_batch(events, out, reporting_timestamp=stamp)
        click.echo(f"{count} records reported", err=True)
    out.write(b"\n")
    out.flush()


def _as_reported(event, reporting_party: str | None, submitting_entity: str | None,
                 entity_responsible: str | None):  # type: ignore[no-untyped-def]
    from shared.domain.obligations.perspective import NotACounterparty, as_reported_by

    one = event.counterparty_1.identifier if event.counterparty_1 else None
    lei = reporting_party or one
    if lei is None:
        raise click.ClickException("the record names no counterparty 1 to report for")
    try:
        return as_reported_by(event, lei, submitting_entity=submitting_entity,
                              entity_responsible=entity_responsible)
    except NotACounterparty as exc:
        raise click.ClickException(str(exc)) from exc


def _print_issues(name: str, record: int | None, event, regime: str, now: datetime) -> None:
    from shared.domain.rules.context import ValidationContext
    from shared.domain.rules.engine import validate

    for issue in validate(event, ValidationContext(now=now, regimes=(regime,))):
        click.echo(f"{name}: record {record}: {issue.rule_id} {issue.severity} "
                   f"[{issue.field}] {issue.message_en}", err=True)


def _timestamp(value: str | None) -> datetime:
    if not value:
        return datetime.now(UTC).replace(microsecond=0)
    stamp = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)

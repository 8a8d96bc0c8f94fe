"""The writer contract: canonical events in, one regime's report bytes out.

`write_one` produces a complete single-record document (what `swaprep report` prints and the
conformance scorer compares); `write_batch` puts N records in one file whose header count
(NbRcrds, a record count line, ...) matches what was written.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import BinaryIO, Protocol

from shared.domain.model import TradeEvent


class ReportWriter(Protocol):
    regime: str  # cftc-part45 | emir | krx
    media_type: str  # application/json, application/xml, text/csv
    extension: str  # .json, .xml, .csv

    def write_one(self, event: TradeEvent, *, reporting_timestamp: datetime) -> bytes:
        """One complete report document for one event."""

    def write_batch(
        self, events: Iterable[TradeEvent], out: BinaryIO, *, reporting_timestamp: datetime
    ) -> int:
        """Write every event into one report file on `out`; return the record count."""


REGIMES = ("cftc-part45", "emir", "krx")


def writer_for(regime: str) -> ReportWriter:
    """The writer of `regime`; imported lazily so an action loads only the one it uses."""
    if regime == "cftc-part45":
        from shared.formats.writers.cftc import CftcPart45Writer

        return CftcPart45Writer()
    if regime == "emir":
        from shared.formats.writers.emir import EmirRefitWriter

        return EmirRefitWriter()
    if regime == "krx":
        from shared.formats.writers.krx import KrxCsvWriter

        return KrxCsvWriter()
    raise ValueError(f"unknown regime {regime!r}: expected one of {', '.join(REGIMES)}")

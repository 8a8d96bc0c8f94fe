"""The writer contract: canonical events in, one regime's report bytes out.

`write_one` produces a complete single-record document (what `swaprep report` prints and the
conformance scorer compares); `write_batch` puts N records in one file whose header count
(NbRcrds, a record count line, ...) matches what was written.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from importlib import import_module
from typing import BinaryIO, Protocol

from shared.domain import regimes
from shared.domain.model import TradeEvent


class ReportWriter(Protocol):
    regime: str  # its key in shared.domain.regimes.REGISTRY
    media_type: str  # the registry's media type of that regime
    extension: str  # .json, .xml, .csv

    def write_one(self, event: TradeEvent, *, reporting_timestamp: datetime) -> bytes:
        """One complete report document for one event."""

    def write_batch(
        self, events: Iterable[TradeEvent], out: BinaryIO, *, reporting_timestamp: datetime
    ) -> int:
        """Write every event into one report file on `out`; return the record count."""


def writer_for(regime: str) -> ReportWriter:
    """The writer of `regime`; imported lazily so an action loads only the one it uses.

    `UnknownRegime` (a ValueError) for a regime the registry does not know.
    """
    module, _, name = regimes.regime(regime).writer.partition(":")
    writer_class: type[ReportWriter] = getattr(import_module(module), name)
    return writer_class()

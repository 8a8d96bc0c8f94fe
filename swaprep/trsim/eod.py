"""The simulated TR's end-of-day reports (EMIR Refit, RTS 2022/1858 Art. 4; UK EMIR the same;
a CFTC SDR's open swaps report, 17 CFR 49.11).

For every submitter of a regime with EOD reports (`EOD_REGIMES`), the TR keeps what it
accepted: per UTI the latest full report body, the latest valuation, the action, when it
came. Once per simulated day (`end_of_day()`, `POST /admin/eod`,
`swaprep trsim eod`: never a wall-clock timer) it writes three reports into the feedback
bucket, under `tr-reports/<folder>/<regime>/<yyyy-mm-dd>/`:

- `trade_state-<submitter LEI>.xml`: auth.107, every open trade's latest state;
- `reconciliation-<submitter LEI>.xml`: auth.091, each open trade's pairing and matching
  against the other side's report, with the fields that differ;
- `warnings-<submitter LEI>.xml`: auth.106, open trades with no valuation or one older than
  14 days on that date.

Under cftc-part45 (`OPEN_SWAPS_REGIMES`) the SDR writes one report instead:
`open_swaps-<submitter LEI>.json`, every swap open at the SDR for that submitter
(shared.formats.tr_reports.open_swaps), from the latest Part 45 report it accepted of each
(a TERM, EROR or PRTO it accepted takes the swap out; one it NACKed leaves it open).

The other side's reports: a real TR pairs ours with what the other counterparty (or its
delegate) reported. The simulator has only our side, so a named switch says what the other
side reported (`CounterpartySettings`, set with `set_counterparty(...)`,
`POST /admin/counterparty` or `swaprep trsim counterparty`):
- `mode="none"` (the default): the other side has reported nothing, so every two-sided trade
  is unpaired, as at a real TR before the other side reports;
- `mode="mirror"`: the other side reported each of our trades as we did (its own direction,
  its own counterparties), except the configured `differences` (`{"*": {field: value}}` for
  every trade, `{"<UTI>": {...}}` for one; a null value: the other side left it out) and
  the `unreported` UTIs;
- reports loaded with `load_counterparty_reports(regime, auth.030 bytes)` (`POST
  /admin/counterparty/reports?regime=emir`) are the other side's own files and win over the
  mirror for their UTIs.
A trade whose report says the other counterparty has no reporting obligation
(`OthrCtrPty/RptgOblgtn` false) is single-sided: not reconciled (NORE), as at a real TR.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from lxml import etree

from shared.domain.reconciliation import (
    ENDING_ACTIONS,
    OBJECT_PREFIX,
    OPEN_SWAPS_REGIMES,
    REGIMES,
    SideReport,
    other_side,
    reconcile,
)
from shared.formats import xmlsafe
from shared.formats.tr_reports import (
    HeldSwap,
    HeldTrade,
    ReconEntry,
    read_report,
    write_open_swaps,
    write_recon_report,
    write_state_report,
    write_warnings_report,
)
from shared.formats.tr_reports.common import (
    Finder,
    counterparties_of,
    utc_text,
    uti_of,
    values_of,
)
from swaprep.trsim.records import TrRecord

EOD_REGIMES = REGIMES  # the EMIR ones (ISO_REGIMES) and CFTC's open swaps report
EOD_PREFIX = OBJECT_PREFIX.rstrip("/")
KINDS = ("trade_state", "reconciliation", "warnings", "open_swaps")
_FULL = ("NEWT", "MODI", "CORR", "POSC", "REVI")  # reports that carry the whole trade
_ENDING = ENDING_ACTIONS  # the trade is no longer open at the TR


@dataclass
class Held:
    """The TR's copy of one open trade (JSON-friendly: it goes into the state file)."""

    body: str  # the latest full report body, XML text
    last_action: str
    received_at: str  # ISO 8601 UTC
    valuation: str | None = None  # the latest Valtn element, XML text
    revived: bool = False
    modified_on: str | None = None  # the day of the latest MODI / CORR


@dataclass
class CounterpartySettings:
    mode: str = "none"  # none | mirror
    differences: dict[str, dict[str, str | None]] = field(default_factory=dict)
    unreported: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.mode not in ("none", "mirror"):
            raise ValueError(f"counterparty mode must be 'none' or 'mirror', got {self.mode!r}")
        if not isinstance(self.differences, dict) or not all(
                isinstance(k, str) and isinstance(v, dict) for k, v in self.differences.items()):
            raise ValueError('differences must be {"*" or a UTI: {field: value or null}}')
        from shared.domain.reconciliation import FIELDS

        known = {f.key for f in FIELDS}
        for where, fields_ in self.differences.items():
            unknown = sorted(set(fields_) - known)
            if unknown:
                raise ValueError(f"differences[{where!r}]: unknown matching field(s) {unknown};"
                                 f" known: {', '.join(sorted(known))}")
            for name, value in fields_.items():
                if value is not None and not isinstance(value, str):
                    raise ValueError(f"differences[{where!r}][{name!r}] must be text or null")
        if not isinstance(self.unreported, list) or not all(
                isinstance(u, str) for u in self.unreported):
            raise ValueError("unreported must be a list of UTIs")


def _side(body: str, *, revived: bool = False, further_modified: bool = False) -> SideReport:
    root = xmlsafe.fromstring(body.encode())
    finder = Finder(etree.QName(root).namespace or "")
    reporting, other, obliged = counterparties_of(finder, root)
    return SideReport(uti_of(finder, root) or "", reporting, other, obliged,
                      values_of(finder, root), revived, further_modified)


class EndOfDay:
    """What the TR keeps for its end-of-day reports, and the reports themselves."""

    def __init__(self) -> None:
        self.books: dict[tuple[str, str], dict[str, Held]] = {}
        self.folders: dict[tuple[str, str], str] = {}
        self.counterparty = CounterpartySettings()
        self.loaded: dict[tuple[str, str], dict[str, Any]] = {}  # (regime, uti) -> their side
        self.produced: dict[str, list[str]] = {}  # "<regime>|<submitter>|<date>" -> keys

    # -- taking what arrives --------------------------------------------------------------

    def take(self, regime: str, submitter: str, folder: str, records: Iterable[TrRecord],
             accepted: Iterable[bool], received_at: datetime) -> None:
        """Apply the accepted records of one file, in file order."""
        if regime not in EOD_REGIMES:
            return
        book = self.books.setdefault((regime, submitter), {})
        self.folders[(regime, submitter)] = folder
        stamp = utc_text(received_at)
        for record, ok in zip(records, accepted, strict=True):
            if not ok or not record.uti or record.body is None:
                continue
            action = record.action or ""
            held = book.get(record.uti)
            if action in _ENDING:
                book.pop(record.uti, None)
            elif action in _FULL:
                book[record.uti] = Held(
                    record.body.decode(), action, stamp,
                    valuation=held.valuation if held else None,
                    revived=action == "REVI" or bool(held and held.revived),
                    modified_on=received_at.date().isoformat() if action in ("MODI", "CORR")
                    else held.modified_on if held else None)
            elif action == "VALU" and held is not None:
                # a Part 45 VALU is JSON with no valuation the open swaps report shows
                valuation = None if regime in OPEN_SWAPS_REGIMES else _valuation(record.body)
                if valuation is not None:
                    held.valuation = valuation
                held.last_action, held.received_at = action, stamp

    def set_counterparty(self, **settings: Any) -> dict[str, Any]:
        self.counterparty = CounterpartySettings(**settings)
        return asdict(self.counterparty)

    def load_counterparty_reports(self, regime: str, body: bytes) -> int:
        """The other side's own auth.030 file: each record's latest report of its UTI."""
        from swaprep.trsim.records import FileRefused, read_file

        if regime not in EOD_REGIMES or regime in OPEN_SWAPS_REGIMES:
            paired = tuple(r for r in EOD_REGIMES if r not in OPEN_SWAPS_REGIMES)
            raise ValueError(f"no reconciliation with the other side's reports for {regime!r};"
                             f" only {paired}")
        try:
            records = read_file(regime, body, "application/xml")
        except FileRefused as refused:
            raise ValueError(f"{refused.code}: {refused.message}") from refused
        taken = 0
        for record in records:
            if record.uti and record.body is not None and record.action in _FULL:
                side = _side(record.body.decode())
                self.loaded[(regime, record.uti)] = {
                    "reporting": side.reporting_counterparty,
                    "other": side.other_counterparty, "values": dict(side.values)}
                taken += 1
        return taken

    # -- the reports ---------------------------------------------------------------------

    def their_side(self, regime: str, ours: SideReport) -> SideReport | None:
        loaded = self.loaded.get((regime, ours.uti))
        if loaded is not None:
            return SideReport(ours.uti, loaded["reporting"], loaded["other"], True,
                              loaded["values"])
        settings = self.counterparty
        if settings.mode != "mirror" or ours.uti in settings.unreported:
            return None
        values = other_side(ours.values)
        for scope in ("*", ours.uti):
            for name, value in settings.differences.get(scope, {}).items():
                if value is None:
                    values.pop(name, None)
                else:
                    values[name] = value
        return SideReport(ours.uti, ours.other_counterparty, ours.reporting_counterparty, True,
                          values)

    def reports(self, regime: str, submitter: str, reference: date
                ) -> dict[str, bytes]:
        """The three reports of one submitter at one TR for `reference` (not written); the
        open swaps report alone under a CFTC regime."""
        book = self.books.get((regime, submitter), {})
        if regime in OPEN_SWAPS_REGIMES:
            return {"open_swaps": write_open_swaps(reference, submitter, [
                HeldSwap(json.loads(book[uti].body), book[uti].last_action,
                         book[uti].received_at) for uti in sorted(book)])}
        held, entries = [], []
        for uti in sorted(book):
            trade = book[uti]
            ours = _side(trade.body, revived=trade.revived,
                         further_modified=trade.modified_on == reference.isoformat())
            status = reconcile(ours, self.their_side(regime, ours))
            held.append(HeldTrade(
                trade.body.encode(), trade.last_action, datetime.fromisoformat(
                    trade.received_at.replace("Z", "+00:00")),
                trade.valuation.encode() if trade.valuation else None, status.flag))
            entries.append(ReconEntry(status, ours.reporting_counterparty, trade.last_action))
        state = write_state_report(reference, held)
        trades = read_report(state).trades  # type: ignore[union-attr]
        return {"trade_state": state,
                "reconciliation": write_recon_report(reference, entries),
                "warnings": write_warnings_report(reference, list(trades))}

    def due(self, reference: date, again: bool) -> list[tuple[str, str, str]]:
        """(regime, submitter, folder) whose reports of `reference` are not written yet."""
        return [(regime, submitter, self.folders.get((regime, submitter), submitter))
                for (regime, submitter) in sorted(self.books)
                if again or self.produced_key(regime, submitter, reference) not in self.produced]

    @staticmethod
    def produced_key(regime: str, submitter: str, reference: date) -> str:
        return f"{regime}|{submitter}|{reference.isoformat()}"

    @staticmethod
    def object_key(folder: str, regime: str, submitter: str, reference: date, kind: str) -> str:
        extension = ".json" if kind == "open_swaps" else ".xml"
        return (f"{EOD_PREFIX}/{folder}/{regime}/{reference.isoformat()}/{kind}-{submitter}"
                f"{extension}")

    # -- persistence --------------------------------------------------------------------

    def dump(self) -> dict[str, Any]:
        return {
            "books": [{"regime": r, "submitter": s, "folder": self.folders.get((r, s)),
                       "trades": {u: asdict(h) for u, h in book.items()}}
                      for (r, s), book in self.books.items()],
            "counterparty": asdict(self.counterparty),
            "loaded": [{"regime": r, "uti": u, **side} for (r, u), side in self.loaded.items()],
            "produced": self.produced,
        }

    def load(self, data: Mapping[str, Any]) -> None:
        for book in data.get("books", []):
            key = (book["regime"], book["submitter"])
            self.books[key] = {u: Held(**h) for u, h in book["trades"].items()}
            if book.get("folder"):
                self.folders[key] = book["folder"]
        if data.get("counterparty"):
            self.counterparty = CounterpartySettings(**data["counterparty"])
        for side in data.get("loaded", []):
            self.loaded[(side["regime"], side["uti"])] = {
                "reporting": side["reporting"], "other": side["other"],
                "values": side["values"]}
        self.produced.update(data.get("produced", {}))

    def clear(self) -> None:
        self.books.clear()
        self.folders.clear()
        self.loaded.clear()
        self.produced.clear()
        self.counterparty = CounterpartySettings()


def _valuation(body: bytes) -> str | None:
    root = xmlsafe.fromstring(body)
    node = root.find(".//{*}CtrPtySpcfcData/{*}Valtn")
    return None if node is None else etree.tostring(node).decode()

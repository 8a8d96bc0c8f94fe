"""Reading a submitted report file as the TR does: whole-file checks first, then records.

`read_file(regime, body, content_type)` returns the file's records in order, or raises
`FileRefused(code, message)` when the file as a whole is unusable (TR-FILE-*): it does not
parse, its layout is not the regime's, or its header/trailer count differs from its records.
Per-record problems (a missing UTI, an unknown action type) are left to the checks, so one
bad record NACKs alone.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from shared.domain.model import ActionType


class FileRefused(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass
class TrRecord:
    position: int  # 1-based in the file
    uti: str | None
    action: str | None
    event_type: str | None = None
    level: str | None = None
    execution_ts: datetime | None = None
    valuation_ts: datetime | None = None
    leis: list[tuple[str, str]] = field(default_factory=list)  # (field, value) to be LEIs
    problem: str | None = None  # structure problem found while reading (TR-SC-001)
    # False where the regime's file has no valuation fields at all (our CFTC JSON writes
    # none yet): a VALU cannot be judged on them then.
    valuation_fields: bool = True
    # The event timestamp as written (KRX EVENT_TS, CFTC eventTimestamp; EMIR has none): with
    # UTI and action it identifies an event, so tests can see whether one arrived twice.
    event_ts: str | None = None
    # ISO 20022 regimes: the report body as received (the New, Mod, ... element); CFTC: the
    # report's JSON object. The TR keeps it for its end-of-day reports (eod.py)
    body: bytes | None = None
    # Who the record reports for (EMIR RptgCtrPty, CFTC counterparty1, KRX CP1_ID): a TR
    # knows a trade by UTI and reporting counterparty, so a delegate's report of its client's
    # side is a trade of its own next to the delegate's report of its own side.
    reporting_counterparty: str | None = None

    @property
    def record_ref(self) -> str:
        # The reference our generate stage gives a report item: "<uti>:<action>:<position>";
        # the TR can rebuild it from the record alone, so it echoes it back in feedback.
        return f"{self.uti or ''}:{self.action or ''}:{self.position}"


def parse_ts(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _charset(content_type: str | None) -> str:
    for part in (content_type or "").split(";")[1:]:
        name, _, value = part.strip().partition("=")
        if name.lower() == "charset" and value:
            value = value.strip('"').lower()
            return "cp949" if value in ("cp949", "euc-kr", "ks_c_5601-1987") else "utf-8-sig"
    return "utf-8-sig"


def read_file(regime: str, body: bytes, content_type: str | None = None) -> list[TrRecord]:
    """The records of one regime's file: KRX CSV, an auth.030 Document or a CFTC JSON batch."""
    from shared.domain import regimes

    media_type = regimes.regime(regime).media_type  # the server checked X-Regime already
    if regime == "krx":
        records = _krx(body, _charset(content_type))
    elif media_type == "application/xml":  # every ISO 20022 regime: its own auth.030 version
        from shared.formats.writers.base import writer_for

        records = _auth030(body, writer_for(regime).namespace)  # type: ignore[attr-defined]
    elif media_type == "application/json":  # CFTC Part 45 and Part 43
        records = _cftc(body)
    else:  # a regime with a new kind of file needs its reader here
        raise ValueError(f"no reader for {regime!r} files ({media_type})")
    if not records:
        raise FileRefused("TR-FILE-004", "the file holds no records")
    return records


def _add_lei(record: TrRecord, name: str, value: Any) -> None:
    if isinstance(value, str) and value != "":
        record.leis.append((name, value))


# -- KRX: the CSV profile (shared/formats/writers/krx.py) -----------------------------------


def _krx(body: bytes, encoding: str) -> list[TrRecord]:
    from shared.formats.writers.krx import parse_batch

    try:
        batch = parse_batch(body, encoding=encoding)
    except UnicodeDecodeError as exc:
        raise FileRefused("TR-FILE-001", f"not {encoding} text: {exc.reason} at byte "
                          f"{exc.start}") from exc
    except csv.Error as exc:
        raise FileRefused("TR-FILE-001", f"CSV syntax: {exc}") from exc
    except ValueError as exc:
        text = str(exc)
        code = "TR-FILE-002" if "trailer" in text else "TR-FILE-003"
        raise FileRefused(code, text) from exc
    records = []
    for position, row in enumerate(batch.rows, start=1):
        record = TrRecord(
            position=position, uti=row["UTI"] or None, action=row["ACTION_TYPE"] or None,
            event_type=row["EVENT_TYPE"] or None, level=row["LEVEL"] or None,
            execution_ts=parse_ts(row["EXECUTION_TS"]), valuation_ts=parse_ts(row["VAL_TS"]),
            event_ts=row.get("EVENT_TS") or None,
            reporting_counterparty=row["CP1_ID"] or None,
        )
        if row["CP1_ID_TYPE"] in ("", "LEI"):
            _add_lei(record, "CP1_ID", row["CP1_ID"])
        if row["CP2_ID_TYPE"] == "LEI":
            _add_lei(record, "CP2_ID", row["CP2_ID"])
        for name in ("SUBMITTING_ENTITY", "ENTITY_RESPONSIBLE", "BROKER", "CCP",
                     "CLEARING_MEMBER"):
            _add_lei(record, name, row[name])
        records.append(record)
    return records


# -- EMIR and the other ISO 20022 regimes: auth.030.001.03 / .04 -----------------------------


def _auth030(body: bytes, namespace: str) -> list[TrRecord]:
    from lxml import etree

    from shared.formats import xmlsafe
    from shared.formats.writers.auth030 import VARIANTS

    try:
        root = xmlsafe.fromstring(body)
    except (etree.XMLSyntaxError, xmlsafe.UnsafeXml, ValueError) as exc:
        raise FileRefused("TR-FILE-001", f"XML: {exc}") from exc
    ns = {"a": namespace}
    if root.tag != f"{{{namespace}}}Document" or root.find("a:DerivsTradRpt", ns) is None:
        raise FileRefused("TR-FILE-003",
                          f"not an {namespace.rpartition(':')[2]} Document (root {root.tag})")
    declared = root.findtext("a:DerivsTradRpt/a:RptHdr/a:NbRcrds", namespaces=ns)
    reports = root.findall("a:DerivsTradRpt/a:TradData/a:Rpt", ns)
    if declared is None or not declared.strip().isdigit():
        raise FileRefused("TR-FILE-003", "RptHdr/NbRcrds is missing or not a number")
    if int(declared) != len(reports):
        raise FileRefused("TR-FILE-002", f"NbRcrds {declared.strip()} but {len(reports)} Rpt")
    actions = {variant: str(action) for action, variant in VARIANTS.items()}
    records = []
    for position, rpt in enumerate(reports, start=1):
        body_node = next(iter(rpt), None)
        name = etree.QName(body_node).localname if body_node is not None else None
        record = TrRecord(position=position, uti=None, action=actions.get(name or ""))
        if body_node is None:
            record.problem = "Rpt has no report variant (New, Mod, ...)"
            records.append(record)
            continue
        if record.action is None:
            record.problem = f"unknown report variant {name}"

        def text(path: str, node: Any = body_node) -> str | None:
            value = node.findtext(path, namespaces=ns)
            return value.strip() if value is not None else None

        record.body = etree.tostring(body_node)
        record.uti = text(".//a:TxId/a:UnqTxIdr")
        record.level = text("a:Lvl")
        record.event_type = text(".//a:DerivEvt/a:Tp")
        record.execution_ts = parse_ts(text(".//a:ExctnTmStmp"))
        record.valuation_ts = parse_ts(text(".//a:Valtn/a:TmStmp"))
        cpty = "a:CtrPtySpcfcData/a:CtrPty/"
        for label, path in (("RptgCtrPty", "a:RptgCtrPty/a:Id/a:Lgl/a:Id/a:LEI"),
                            ("OthrCtrPty", "a:OthrCtrPty/a:IdTp/a:Lgl/a:Id/a:LEI"),
                            ("Brkr", "a:Brkr/a:LEI"), ("SubmitgAgt", "a:SubmitgAgt/a:LEI"),
                            ("NttyRspnsblForRpt", "a:NttyRspnsblForRpt/a:LEI")):
            _add_lei(record, label, text(cpty + path))
        record.reporting_counterparty = text(cpty + "a:RptgCtrPty/a:Id/a:Lgl/a:Id/a:LEI")
        records.append(record)
    return records


# -- CFTC Part 45: {"reports": [...], "recordCount": N} ----------------------------------------


def _cftc(body: bytes) -> list[TrRecord]:
    try:
        document = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise FileRefused("TR-FILE-001", f"JSON: {exc}") from exc
    if not isinstance(document, dict) or not isinstance(document.get("reports"), list):
        raise FileRefused("TR-FILE-003", 'expected {"reports": [...], "recordCount": N}')
    count, reports = document.get("recordCount"), document["reports"]
    if isinstance(count, bool) or not isinstance(count, int):
        raise FileRefused("TR-FILE-003", "recordCount is missing or not an integer")
    if count != len(reports):
        raise FileRefused("TR-FILE-002", f"recordCount {count} but {len(reports)} reports")
    records = []
    for position, report in enumerate(reports, start=1):
        if not isinstance(report, dict):
            records.append(TrRecord(position, None, None, problem="report is not an object"))
            continue
        action = report.get("actionType")
        record = TrRecord(
            position=position, uti=report.get("uniqueTransactionIdentifier") or None,
            action=action if isinstance(action, str) and action else None,
            event_type=report.get("eventType"),
            level=report.get("level") or "TCTN",  # Part 45 reports are transaction level
            execution_ts=parse_ts(report.get("executionTimestamp")),
            valuation_ts=parse_ts(report.get("valuationTimestamp")),
            valuation_fields="valuationTimestamp" in report,
            event_ts=report.get("eventTimestamp") or None,
        )
        _add_lei(record, "counterparty1", report.get("counterparty1"))
        side = report.get("counterparty1")
        record.reporting_counterparty = side if isinstance(side, str) and side else None
        if report.get("counterparty2IdentifierSource") == "LEID":
            _add_lei(record, "counterparty2", report.get("counterparty2"))
        _add_lei(record, "reportSubmittingEntityID", report.get("reportSubmittingEntityID"))
        # the report as received, which the SDR keeps for its open swaps report (eod.py)
        record.body = json.dumps(report).encode()
        records.append(record)
    return records


def is_action(value: str | None) -> bool:
    return value in ActionType.__members__

"""The simulated TR's code list: every reason it refuses a file (HTTP) or a record (NACK).

Real TRs publish their own lists (ESMA's EMIR-VR-* workbook, each SDR's rejection codes,
KRX's member specification, which is not public); these codes stand in for them with the
same meaning, so the pipeline and the console handle TR codes without knowing any one TR.
docs/TR-SIMULATOR.md prints this table.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True)
class TrCode:
    code: str
    level: str  # http (the request), file (HTTP 400: the whole file), record (a NACK)
    title: str
    source: str


def _codes(*codes: TrCode) -> MappingProxyType[str, TrCode]:
    return MappingProxyType({c.code: c for c in codes})


CODES = _codes(
    # -- the request --------------------------------------------------------------------
    TrCode("TR-AUTH-001", "http", "API key missing or not valid for this regime (401)",
           "RTS 2022/1858 Art. 1: the submitter is authorised"),
    TrCode("TR-HDR-001", "file",
           "X-Regime missing or not one of the regimes the pipeline reports (krx, emir, ...)",
           "TR protocol (docs/PIPELINE.md)"),
    TrCode("TR-HDR-002", "file", "X-Submitter missing or not a valid LEI",
           "RTS 2022/1858 Art. 1: the submitter is authorised"),
    TrCode("TR-HDR-003", "file", "X-Report-File-Id missing or longer than 100 characters",
           "TR protocol: the idempotency key"),
    TrCode("TR-HTTP-404", "http", "No such path: the TR API is POST /reports (and GET /health)",
           "TR protocol"),
    TrCode("TR-SYS-001", "http", "Repository unavailable (simulated 5xx); retry later",
           "simulator fault mode"),
    # -- the file as a whole (HTTP 400) -------------------------------------------------
    TrCode("TR-FILE-001", "file", "Not parseable: bad encoding, JSON or XML syntax",
           "RTS 2022/1858 Art. 1: the file passes the schema"),
    TrCode("TR-FILE-002", "file", "Record count wrong: header/trailer count differs from "
           "the records (NbRcrds, recordCount, KRX trailer T,<count>)",
           "RTS 2022/1858 Art. 1: schema; KRX profile trailer"),
    TrCode("TR-FILE-003", "file", "Not the expected layout: wrong root element, header row "
           "or structure for the regime", "RTS 2022/1858 Art. 1: schema"),
    TrCode("TR-FILE-004", "file", "The file holds no records", "TR protocol"),
    TrCode("TR-FILE-005", "file", "X-Report-File-Id already used for different content",
           "TR protocol: one id, one file"),
    TrCode("TR-FILE-006", "file", "File too large (413)", "simulator limit"),
    # -- one record (NACK) ----------------------------------------------------------------
    TrCode("TR-SC-001", "record", "Record structure invalid (not an object, no action type)",
           "RTS 2022/1858 Art. 1: schema"),
    TrCode("TR-AC-001", "record", "Unknown action type", "ISO 20022 ActionType (auth.030)"),
    TrCode("TR-ID-001", "record", "UTI missing or malformed (1-52 characters A-Z 0-9)",
           "ISO 23897"),
    TrCode("TR-ID-002", "record", "LEI malformed or its check digits do not match",
           "ISO 17442 (MOD 97-10)"),
    TrCode("TR-ID-003", "record", "LEI not found in the LEI register",
           "RTS 2022/1858 Art. 1; GLEIF register"),
    TrCode("TR-LC-001", "record", "MODI, CORR, TERM, EROR, VALU, MARU or PRTO for a UTI the "
           "TR does not know", "RTS 2022/1858 Art. 1: refers to an existing trade"),
    TrCode("TR-LC-002", "record", "Duplicate: a second NEWT or POSC for the UTI",
           "RTS 2022/1858 Art. 1: no duplicates, no second NEWT or POSC"),
    TrCode("TR-LC-003", "record", "The trade was cancelled with EROR: only REVI is accepted "
           "(e.g. MODI after EROR without REVI)", "RTS 2022/1858 Art. 1"),
    TrCode("TR-LC-004", "record", "The trade is terminated (dead): the action is not accepted",
           "SR-LC-021 on RTS 2022/1858 Art. 1; CFTC Tech. Spec. App. F"),
    TrCode("TR-LC-005", "record", "REVI of a trade that is neither errored nor terminated",
           "CFTC Tech. Spec. App. F"),
    TrCode("TR-LC-006", "record", "The trade was ported to another TR (PRTO)",
           "CFTC Tech. Spec. App. F footnote 108"),
    TrCode("TR-LC-007", "record", "Level (TCTN/PSTN) changed outside CORR or REVI",
           "EMIR Refit top rejections (industry reports)"),
    TrCode("TR-LC-008", "record", "Execution timestamp changed by a MODI", "EMIR-VR-2042-03"),
    TrCode("TR-VA-001", "record", "Valuation older than 14 days", "RTS 2022/1858 Art. 4"),
    TrCode("TR-VA-002", "record", "VALU without a valuation timestamp",
           "RTS 2022/1855 (valuation data of a VALU)"),
)

# The lifecycle machine's refusals (shared.domain.lifecycle) as TR codes.
LIFECYCLE_CODES = MappingProxyType({
    "SR-LC-016": "TR-LC-001",
    "SR-LC-015": "TR-LC-002",
    "SR-LC-017": "TR-LC-003",
    "SR-LC-021": "TR-LC-004",
    "SR-LC-018": "TR-LC-005",
    "SR-LC-039": "TR-LC-006",
    "SR-LC-019": "TR-LC-007",
    "SR-DT-014": "TR-LC-008",
})


def markdown_table() -> str:
    """The code list as a Markdown table (what docs/TR-SIMULATOR.md shows)."""
    lines = ["| code | level | meaning | after |", "| --- | --- | --- | --- |"]
    lines += [f"| `{c.code}` | {c.level} | {c.title} | {c.source} |" for c in CODES.values()]
    return "\n".join(lines)

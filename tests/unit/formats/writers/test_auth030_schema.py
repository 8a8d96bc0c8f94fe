"""Every auth.030.001.04 report we write is valid against the message's schema.

The schema is ISO 20022's DerivativesTradeReportV04 as `python-iso20022` generates it from the
published XSD (a copy pinned in requirements-dev.lock, so this runs offline): element names
and nesting, code lists (day counts, units, sectors, ...), required elements, lengths,
patterns, digits, and the sequence order of every element. JFSA, MAS, HKMA and ASIC all take
this version; their field sets are each regime's subset of it. (No generated model of
auth.030.001.03, ESMA's and the FCA's version, is published on PyPI, so EMIR and UK EMIR are
checked by the conformance corpus only.)

Each regime is run over every trade of the conformance corpora (main and extra), the same
inputs `swaprep report` is scored on. Where DRR's own expected report for the trade breaks the
schema the same way (the corpus's event identifiers are not LEI-prefixed, as the schema's
pattern wants; DRR's error reports leave out the other counterparty), the problem is the
input's, not the writer's, and is tolerated here; the pipeline's rules refuse such events
before a file is written (SR-ID-041).
"""

from __future__ import annotations

import io
import os
import re
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import pytest

from shared.domain.enrichment import enrich
from shared.domain.refdata import load
from shared.formats.readers import reader_for
from shared.formats.writers.base import writer_for

pytest.importorskip("python_iso20022")  # a dev dependency: never in an action's zip

from python_iso20022.auth.auth_030_001_04.models import Auth03000104

from tests.support import iso20022

ROOT = Path(__file__).resolve().parents[4]
CORPUS = Path(os.environ.get("SWAPREP_CONFORMANCE_DIR", ROOT.parent / "shared" / "conformance"))
STAMP = datetime(2024, 4, 29, tzinfo=UTC)
V04_REGIMES = ("jfsa", "mas", "hkma", "asic")


def _inputs() -> list[Path]:
    return sorted([*CORPUS.glob("input/*/*.xml"), *CORPUS.glob("extra/input/*/*.xml")])


def _drr_problems(regime: str, path: Path) -> set[str]:
    """The schema problems of DRR's own expected report for this trade (none if it has none)."""
    expected = path.parents[2] / "expected" / regime / path.parent.name / path.name
    return set(schema_problems(expected.read_bytes())) if expected.exists() else set()


@cache
def _events(path: Path) -> tuple:
    reader = reader_for("fpml", refdata=load())
    records = list(reader.read(io.BytesIO(path.read_bytes()), file_name=path.name))
    return tuple(enrich(r.event).event for r in records if r.ok)


def schema_problems(data: bytes) -> list[str]:
    return iso20022.schema_problems(data, Auth03000104)


def test_the_schema_check_finds_what_a_schema_would_refuse():
    [event] = _events(CORPUS / "input" / "rates" / "IR-IRS-Fixed-Float-ex01.xml")
    event.event_id = "5493001RKR55V4X61F71EVENT1"  # an LEI and a code: the schema's pattern
    good = writer_for("jfsa").write_one(event, reporting_timestamp=STAMP)
    assert schema_problems(good) == []
    bad_id = good.replace(b"5493001RKR55V4X61F71EVENT1", b"SEF123")
    assert "does not match" in schema_problems(bad_id)[0]
    assert "Unknown property" in schema_problems(good.replace(b"DayCnt>", b"DayCount>"))[0]
    assert "not a valid" in schema_problems(good.replace(b"<Cd>A011<", b"<Cd>ZZZZ<"))[0]
    swapped = re.sub(rb"(<DlvryTp>[^<]*</DlvryTp>)(\s*)(<ExctnTmStmp>[^<]*</ExctnTmStmp>)",
                     rb"\3\2\1", good)
    assert swapped != good
    assert any("schema's order" in p for p in schema_problems(swapped))
    missing = re.sub(rb"<NbRcrds>1</NbRcrds>", b"", good)
    assert any("NbRcrds: required" in p for p in schema_problems(missing))


@pytest.mark.parametrize("regime", V04_REGIMES)
def test_every_report_of_the_corpus_is_valid_auth_030_001_04(regime):
    writer = writer_for(regime)
    assert writer.namespace == "urn:iso:std:iso:20022:tech:xsd:auth.030.001.04"  # type: ignore[attr-defined]
    checked, invalid = 0, []
    for path in _inputs():
        for event in _events(path):
            problems = [p for p in schema_problems(writer.write_one(
                event, reporting_timestamp=STAMP)) if p not in _drr_problems(regime, path)]
            checked += 1
            if problems:
                invalid.append(f"{path.parent.name}/{path.name}: {problems[:3]}")
    assert checked >= 80
    assert invalid == [], f"{len(invalid)} of {checked} {regime} reports:\n" + "\n".join(
        invalid[:15])

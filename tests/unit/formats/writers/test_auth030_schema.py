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

import dataclasses
import io
import os
import re
import warnings
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from shared.domain.enrichment import enrich
from shared.domain.refdata import load
from shared.formats.readers import reader_for
from shared.formats.writers.base import writer_for

pytest.importorskip("python_iso20022")  # a dev dependency: never in an action's zip

from python_iso20022.auth.auth_030_001_04.models import Auth03000104
from xsdata.formats.dataclass.parsers import XmlParser
from xsdata.formats.dataclass.parsers.config import ParserConfig

ROOT = Path(__file__).resolve().parents[4]
CORPUS = Path(os.environ.get("SWAPREP_CONFORMANCE_DIR", ROOT.parent / "shared" / "conformance"))
STAMP = datetime(2024, 4, 29, tzinfo=UTC)
V04_REGIMES = ("jfsa", "mas", "hkma", "asic")
PARSER = XmlParser(config=ParserConfig(fail_on_unknown_properties=True,
                                       fail_on_unknown_attributes=True,
                                       fail_on_converter_warnings=True))


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


def _restrictions(node: Any, where: str, problems: list[str]) -> None:
    """Required elements, lengths, patterns and digits the parser does not enforce."""
    for field in dataclasses.fields(node):
        meta, value = field.metadata, getattr(node, field.name)
        name = f"{where}/{meta.get('name', field.name)}"
        if meta.get("required") and (value is None or value == []):
            problems.append(f"{name}: required but missing")
        for item in value if isinstance(value, list) else [value]:
            if dataclasses.is_dataclass(item):
                _restrictions(item, name, problems)
            elif isinstance(item, str):
                if "max_length" in meta and len(item) > meta["max_length"]:
                    problems.append(f"{name}: {item!r} longer than {meta['max_length']}")
                if "min_length" in meta and len(item) < meta["min_length"]:
                    problems.append(f"{name}: {item!r} shorter than {meta['min_length']}")
                if "pattern" in meta and not re.fullmatch(meta["pattern"], item):
                    problems.append(f"{name}: {item!r} does not match {meta['pattern']}")
            elif isinstance(item, Decimal):
                digits = item.normalize().as_tuple()
                fraction = max(0, -int(digits.exponent))
                if "fraction_digits" in meta and fraction > meta["fraction_digits"]:
                    problems.append(f"{name}: {item} has over {meta['fraction_digits']} decimals")
                if "total_digits" in meta and len(digits.digits) > meta["total_digits"]:
                    problems.append(f"{name}: {item} has over {meta['total_digits']} digits")


def _order(node: Any, element: etree._Element, where: str, problems: list[str]) -> None:
    """Children in the order the schema's sequence gives (the generated fields' order)."""
    fields = [f for f in dataclasses.fields(node) if f.metadata.get("type") != "Attribute"]
    rank = {f.metadata.get("name", f.name): i for i, f in enumerate(fields)}
    children = [child for child in element if isinstance(child.tag, str)]
    names = [etree.QName(child).localname for child in children]
    ranks = [rank.get(name, -1) for name in names]
    if ranks != sorted(ranks):
        problems.append(f"{where}: children {names} are not in the schema's order")
    by_name = {f.metadata.get("name", f.name): f for f in fields}
    seen: dict[str, int] = {}
    for child, name in zip(children, names, strict=True):
        field = by_name.get(name)
        if field is None:
            continue
        value = getattr(node, field.name)
        if isinstance(value, list):
            value = value[seen.get(name, 0)] if seen.get(name, 0) < len(value) else None
            seen[name] = seen.get(name, 0) + 1
        if dataclasses.is_dataclass(value):
            _order(value, child, f"{where}/{name}", problems)


def schema_problems(data: bytes) -> list[str]:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a value the schema's type cannot hold is an error
        try:
            document = PARSER.from_bytes(data, Auth03000104)
        except Exception as exc:
            return [f"{type(exc).__name__}: {exc}"]
    problems: list[str] = []
    _restrictions(document, "Document", problems)
    _order(document, etree.fromstring(data), "Document", problems)
    return problems


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

"""Delegated reporting: one trade reported by each side and by a delegate, against DRR.

`../shared/conformance/delegated/` holds DRR's EMIR reports of one trade as party A, as party
B, and as party A reporting for party B under mandatory (EMIR Art. 9(1a)) and voluntary
delegation. `swaprep report --reporting-party/--submitting-entity/--entity-responsible` makes
each; what routing decides (shared.domain.obligations) is what the pipeline will pass.

The counterparty block (reporting counterparty, other counterparty, their natures, sides and
obligations, submitting entity, entity responsible) must match DRR field for field: that is
what delegation changes. Everything else must match too, except the two fields where our
mapping of this input's bond option (no notional amount, a strike with no currency) differs
from DRR's in every mode alike (docs/MAPPING.md): those are checked to be the same as in our
own self report, so they cannot hide a delegation error.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from swaprep.commands.report import command

ROOT = Path(__file__).resolve().parents[3]
CORPUS = Path(os.environ.get("SWAPREP_CONFORMANCE_DIR", ROOT.parent / "shared" / "conformance"))
DELEGATED = CORPUS / "delegated"
PARTY_A, PARTY_B = "DUMMYLEI012345678903", "DUMMYLEI012345678904"
STAMP = "2024-04-29T00:00:00Z"  # the reporting timestamp DRR's files carry
# (expected file, input, options): who reports, who submits, who is responsible
CASES = [
    ("dr-ex01-emir-partyA-self.xml", "dr-ex01.xml", []),
    ("dr-ex01-cftc-partyA-self.xml", "dr-ex01.xml", []),  # an EMIR file, as DRR publishes it
    ("dr-ex01-emir-partyB-self.xml", "dr-ex01.xml", ["--reporting-party", PARTY_B]),
    ("dr-ex02-emir-partyA-self.xml", "dr-ex02.xml", []),
    ("dr-ex02-emir-partyA-mandatory-delegated.xml", "dr-ex02.xml",
     ["--reporting-party", PARTY_B, "--submitting-entity", PARTY_A,
      "--entity-responsible", PARTY_A]),
    ("dr-ex03-emir-partyA-self.xml", "dr-ex03.xml", []),
    ("dr-ex03-emir-partyA-voluntary-delegated.xml", "dr-ex03.xml",
     ["--reporting-party", PARTY_B, "--submitting-entity", PARTY_A]),
]
# this input's bond option: DRR derives a notional from the strike and reports a strike with
# no currency as a monetary value; we report the strike as a rate and no notional
PRODUCT_GAPS = ("/NtnlAmt/", "/StrkPric/")


def _leaves(xml: bytes) -> dict[str, str]:
    """Every leaf and attribute by its path (namespace and repeat index stripped)."""
    root = etree.fromstring(xml)
    out: dict[str, str] = {}
    for node in root.iter():
        if not isinstance(node.tag, str):
            continue
        path = "/" + "/".join(etree.QName(n).localname
                              for n in reversed([node, *node.iterancestors()]))
        if len(node) == 0:
            out[path] = (node.text or "").strip()
        for name, value in node.attrib.items():
            if etree.QName(name).localname != "schemaLocation":
                out[f"{path}@{name}"] = value
    return out


def _report(source: str, options: list[str]) -> dict[str, str]:
    result = CliRunner().invoke(command, ["--regime", "emir", "--no-checks",
                                          "--reporting-timestamp", STAMP, *options,
                                          str(DELEGATED / "input" / source)])
    assert result.exit_code == 0, result.output
    return _leaves(result.stdout_bytes)


def test_the_delegated_examples_are_all_covered():
    assert sorted(p.name for p in (DELEGATED / "expected" / "emir").glob("*.xml")) == sorted(
        c[0] for c in CASES)


@pytest.mark.parametrize(("expected", "source", "options"), CASES, ids=[c[0] for c in CASES])
def test_each_way_of_reporting_matches_drr(expected, source, options):
    want = _leaves((DELEGATED / "expected" / "emir" / expected).read_bytes())
    got = _report(source, options)
    counterparty = {p for p in want.keys() | got.keys() if "/CtrPty/" in p}
    assert {p: got.get(p) for p in counterparty} == {p: want.get(p) for p in counterparty}
    rest = (want.keys() | got.keys()) - counterparty
    gaps = {p for p in rest if any(g in p for g in PRODUCT_GAPS)}
    assert {p: got.get(p) for p in rest - gaps} == {p: want.get(p) for p in rest - gaps}
    own = _report(source, [])
    assert {p: got.get(p) for p in gaps} == {p: own.get(p) for p in gaps}


def test_a_reporting_party_that_is_not_a_counterparty_is_refused():
    result = CliRunner().invoke(command, ["--regime", "emir", "--no-checks",
                                          "--reporting-party", "5493001KJTIIGC8Y1R12",
                                          str(DELEGATED / "input" / "dr-ex01.xml")])
    assert result.exit_code != 0
    assert "neither counterparty" in result.output and PARTY_A in result.output

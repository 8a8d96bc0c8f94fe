"""The pipeline is scored too: the corpus trades go through ingest, process and generate on
real PostgreSQL and the S3 API, and every record of every report file generate writes must
carry, field for field, what `swaprep report` prints for the same trade and regime.

The conformance scorer measures `swaprep report` against DRR; this test closes the gap between
that command and what a tenant's TR receives (the stored payload, its enrichment, the batch
writer). The tenant reports under every regime, so each writer's batch path is covered.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from lxml import etree

from shared.adapters.queue import OutgoingMessage
from shared.domain.regimes import REGISTRY
from shared.domain.regimes import keys as regime_keys
from shared.services.pipeline.generate import GenerateSettings, flush_all
from swaprep.commands.report import command as report_command
from tests.functional.services.pipeline_support import (  # noqa: F401 (fixtures)
    REPORTING_NOW,
    TENANT_LEI,
    event_states,
    pipeline,
    store,
)

pytestmark = pytest.mark.functional

ROOT = Path(__file__).resolve().parents[3]
CORPUS = Path(os.environ.get("SWAPREP_CONFORMANCE_DIR", ROOT.parent / "shared" / "conformance"))
OUTBOUND = "swaprep-outbound"
STAMP = "2026-11-20T08:00:00Z"  # REPORTING_NOW: the CLI stamps what generate stamps
# Fields that differ by design between one report and a batch file: when it was made.
VOLATILE = {"RptgTmStmp", "reportingTimestamp", "REPORTING_TS"}


@pytest.fixture
def every_regime_tenant(db):
    with db.system() as conn:
        return conn.execute(
            "INSERT INTO tenants (slug, name, lei, regimes) VALUES ('alpha-bank', 'Alpha', %s, %s)"
            " RETURNING id", (TENANT_LEI, list(regime_keys()))).fetchone()["id"]


def _cases() -> list[Path]:
    return sorted((CORPUS / "input").glob("*/*.xml"))


def _leaves(node: etree._Element, prefix: str = "") -> dict[str, str]:
    """Element path (with [i] for repeats) and @attributes -> text, as the scorer reads XML."""
    found: dict[str, str] = {}
    counts: dict[str, int] = defaultdict(int)
    for child in node:
        name = etree.QName(child).localname
        counts[name] += 1
    seen: dict[str, int] = defaultdict(int)
    for child in node:
        name = etree.QName(child).localname
        if name in VOLATILE:
            continue
        index = seen[name]
        seen[name] += 1
        path = f"{prefix}/{name}" + (f"[{index}]" if counts[name] > 1 else "")
        for attr, value in child.attrib.items():
            found[f"{path}@{attr}"] = value
        if len(child):
            found.update(_leaves(child, path))
        else:
            found[path] = (child.text or "").strip()
    return found


Record = dict[str, Any]


def _xml_records(data: bytes, namespace: str) -> list[Record]:
    root = etree.fromstring(data)
    return [_leaves(rpt) for rpt in root.findall("a:DerivsTradRpt/a:TradData/a:Rpt",
                                                 {"a": namespace})]


def _json_records(document: dict[str, Any]) -> list[Record]:
    reports = document.get("reports", [document])
    return [{k: v for k, v in r.items() if k not in VOLATILE} for r in reports]


def _csv_records(data: bytes) -> list[Record]:
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    header, body = rows[0], [r for r in rows[1:] if r and r[0] != "T"]
    return [{k: v for k, v in zip(header, row, strict=True) if k not in VOLATILE}
            for row in body]


def _records(regime: str, data: bytes) -> list[Record]:
    media_type = REGISTRY[regime].media_type
    if media_type == "application/xml":
        from shared.formats.writers.base import writer_for

        return _xml_records(data, writer_for(regime).namespace)  # type: ignore[attr-defined]
    if media_type == "application/json":
        return _json_records(json.loads(data))
    return _csv_records(data)


def _cli_record(regime: str, path: Path) -> Record:
    """What `swaprep report --regime R FILE` prints, run in-process (no process per case)."""
    result = CliRunner().invoke(report_command, ["--regime", regime, "--reporting-timestamp",
                                                 STAMP, str(path)])
    assert result.exit_code == 0, f"{path.name} {regime}: {result.output[-500:]}"
    [record] = _records(regime, result.stdout_bytes)  # one trade per corpus file
    return record


def test_generated_report_files_carry_what_swaprep_report_prints(
        db, pipeline, store, every_regime_tenant):  # noqa: F811
    cases = _cases()
    assert len(cases) >= 60, f"conformance corpus not found at {CORPUS}"
    for path in cases:
        pipeline.upload(f"alpha-bank/conformance/{path.parent.name}/{path.name}",
                        path.read_bytes())
    pipeline.run()
    states = event_states(db, every_regime_tenant)
    # Eight trades carry two conflicting UTIs (one per party): the pipeline refuses them at
    # the door (SR-ID-040), where `swaprep report` still prints a report.
    with db.tenant(every_regime_tenant) as conn:
        refused = [r["error"] for r in conn.execute(
            "SELECT error FROM raw_rows WHERE state = 'parse_error'")]
    assert all(e.startswith("SR-ID-040") for e in refused), refused
    states = event_states(db, every_regime_tenant)
    assert sum(states.values()) + len(refused) == len(cases), states
    # The corpus's parties are dummy LEIs (bad check digits) and most trades lack a UPI, so
    # validation holds every one back, as it should. What is scored here is the way from the
    # stored event to the TR file, so the test releases them as an operator's repair would.
    assert set(states) == {"invalid"}
    with db.tenant(every_regime_tenant) as conn:
        conn.execute("UPDATE trade_events SET state = 'valid' WHERE state = 'invalid'")

    store.ensure_buckets([OUTBOUND])
    sent: list[tuple[str, dict]] = []

    def send(conn, name, bodies, tenant_id):
        pipeline.queue.send(name, [OutgoingMessage(b, tenant_id=tenant_id) for b in bodies],
                            conn=conn)
        sent.extend((name, b) for b in bodies)

    flush_all(db=db, store=store, bucket=OUTBOUND, send=send, now=REPORTING_NOW,
              settings=GenerateSettings(batch_size=1000, max_wait_s=0))
    # Each record of each file, with the corpus file its event came from (report_items
    # holds the event at each position; the event its ingest file).
    generated: dict[str, list[tuple[Path, Record]]] = defaultdict(list)
    by_key = {f"alpha-bank/conformance/{p.parent.name}/{p.name}": p for p in cases}
    with db.tenant(every_regime_tenant) as conn:
        files = conn.execute("SELECT id, regime, object_key, record_count FROM report_files"
                             ).fetchall()
        sources = {(r["report_file_id"], r["position"]): by_key[r["object_key"]]
                   for r in conn.execute(
                       "SELECT i.report_file_id, i.position, f.object_key FROM report_items i"
                       " JOIN trade_events e ON e.id = i.event_id"
                       " JOIN ingest_files f ON f.id = e.file_id")}
    for file in files:
        records = _records(file["regime"], store.get_bytes(OUTBOUND, file["object_key"]))
        assert len(records) == file["record_count"]
        generated[file["regime"]] += [(sources[file["id"], position], record)
                                      for position, record in enumerate(records, start=1)]
    assert set(generated) == set(regime_keys()), "a regime got no report file"

    problems: list[str] = []
    for regime, records in generated.items():
        for path, got in records:
            expected = _cli_record(regime, path)
            if got != expected:
                diff = [(k, expected.get(k), got.get(k)) for k in sorted(set(got) | set(expected))
                        if expected.get(k) != got.get(k)]
                problems.append(f"{regime} {path.name}: {diff[:5]}")
    compared = sum(len(records) for records in generated.values())
    assert problems == [], f"{len(problems)} of {compared} records differ:\n" + "\n".join(
        problems[:20])
    # Every stored trade is in every regime's files: nothing released went missing.
    assert {regime: len(records) for regime, records in generated.items()} == dict.fromkeys(
        regime_keys(), sum(states.values()))

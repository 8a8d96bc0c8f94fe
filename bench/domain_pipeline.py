"""Records per second through the pure trade domain, stage by stage.

read (bytes -> CSV rows) -> canonical (rows -> TradeEvent via the default FEP profile)
-> enrich (UTI, derived fields) -> validate (every SR-* rule) -> write (one batch report per
regime). Input: N generated FEP rows (swaprep/local/demo.py, with its ~10 % planted errors).

Run: `.venv/bin/python bench/domain_pipeline.py [--rows 100000]`
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
import time
from datetime import UTC, datetime

from shared.domain.enrichment import enrich
from shared.domain.rules.context import ValidationContext
from shared.domain.rules.engine import validate
from shared.formats.readers import reader_for
from shared.formats.writers.base import writer_for
from swaprep.local.demo import generate_fep_csv

CHUNK = 1000  # records per chunk, as the pipeline's process stage takes them from the queue
STAGES = ("canonical (profile -> model)", "enrich", "validate (krx)", "write krx",
          "write cftc-part45", "write emir")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()

    content, _ = generate_fep_csv(rows=args.rows)
    now = datetime(2026, 11, 20, 18, 0, tzinfo=UTC)
    # The demo FEP reports to the KRX TR; CFTC/EMIR would also demand UPIs it does not carry.
    context = ValidationContext(now=now, regimes=("krx",))
    writers = {regime: writer_for(regime) for regime in ("krx", "cftc-part45", "emir")}
    seconds = dict.fromkeys(STAGES, 0.0)
    counts = dict.fromkeys(STAGES, 0)

    started = time.perf_counter()
    rows = sum(1 for _ in csv.reader(io.TextIOWrapper(io.BytesIO(content), encoding="utf-8")))
    read_s = time.perf_counter() - started

    def run_chunk(chunk: list) -> int:
        t = time.perf_counter()
        enriched = [enrich(e).event for e in chunk]
        seconds["enrich"] += time.perf_counter() - t
        t = time.perf_counter()
        issues = [validate(e, context) for e in enriched]
        seconds["validate (krx)"] += time.perf_counter() - t
        valid = [e for e, found in zip(enriched, issues, strict=True)
                 if not any(i.severity == "reject" for i in found)]
        for regime, writer in writers.items():
            t = time.perf_counter()
            writer.write_batch(valid, io.BytesIO(), reporting_timestamp=now)
            seconds[f"write {regime}"] += time.perf_counter() - t
            counts[f"write {regime}"] += len(valid)
        counts["enrich"] += len(chunk)
        counts["validate (krx)"] += len(chunk)
        return len(valid)

    valid_total, chunk = 0, []
    records = iter(reader_for("csv").read(io.BytesIO(content), file_name="bench.csv"))
    while True:
        t = time.perf_counter()
        record = next(records, None)
        seconds["canonical (profile -> model)"] += time.perf_counter() - t
        if record is None:
            break
        counts["canonical (profile -> model)"] += 1
        if record.event is not None:
            chunk.append(record.event)
        if len(chunk) == CHUNK:
            valid_total += run_chunk(chunk)
            chunk = []
    if chunk:
        valid_total += run_chunk(chunk)

    print(f"{args.rows} generated FEP rows in chunks of {CHUNK}, python "
          f"{sys.version.split()[0]}; {valid_total} without reject-level issues")
    print(f"{'stage':<30} {'records':>9} {'seconds':>9} {'records/s':>11}")
    print(f"{'read (csv rows)':<30} {rows - 1:>9} {read_s:>9.2f} {(rows - 1) / read_s:>11,.0f}")
    for stage in STAGES:
        print(f"{stage:<30} {counts[stage]:>9} {seconds[stage]:>9.2f} "
              f"{counts[stage] / seconds[stage]:>11,.0f}")
    total = sum(seconds[s] for s in STAGES[:4])
    print(f"{'end to end, krx':<30} {args.rows:>9} {total:>9.2f} {args.rows / total:>11,.0f}")


if __name__ == "__main__":
    main()

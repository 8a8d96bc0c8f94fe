"""Records per second through the pure trade domain, stage by stage.

read (bytes -> CSV rows) -> canonical (rows -> TradeEvent via the default FEP profile)
-> enrich (UTI, derived fields) -> route (issue 17: which regimes, which side, who submits,
over the demo tenant's entities, and the decision as the JSON text process stores)
-> validate (every SR-* rule, with the UTI's accepted history as the pipeline's validate
stage has it: what the lifecycle machine reads of each accepted report, not the whole event)
-> write (one batch report per regime). Input: N
generated FEP rows (swaprep/local/demo.py, with its ~10 % planted errors), made for today in
Korea (KST) and judged by the running clock.

Besides, the same chain for krx alone (read -> canonical -> enrich -> route -> validate ->
write krx),
in one pass timed by the wall clock from the file's bytes to the last report written: the
"end to end (elapsed)" line, the figure issue #15 asks for. The stage timers leave out the glue
between stages (chunking, history, tallies) and add their own overhead, so their sum is not it.
The "end to end (CPU)" line is the same pass by the process's CPU time: on a machine shared
with other work, the wall clock also counts the time the process waited for a core.

Then the outcome check, of both passes: the records' outcomes here (valid, invalid per reject
rule, parse error per code) against what the generator intended (ack and nack are both
`valid`: no TR judges here). When they differ the bench says so loudly, with the counts,
and exits 1.

`--gc-freeze` calls `gc.freeze()` once the modules are imported and the input is made, as an
action's entry point could after its imports: the cyclic garbage collector's full passes then
leave the ~300,000 objects of the imported modules alone. The actions do it once, after a
container's first activation (shared/platform/action.py), so a warm container's activations
run as with the flag; off by default all the same, so that the figures stay comparable with
the earlier rounds' (docs/BENCHMARKS.md gives both).

Run: `.venv/bin/python bench/domain_pipeline.py [--rows 100000] [--trade-date YYYY-MM-DD]
[--gc-freeze]`
"""

from __future__ import annotations

import argparse
import csv
import gc
import io
import json
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import cast

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.outcome import EXIT_MISMATCH, check_outcome, intended_counts, tally
from shared.domain.enrichment import enrich
from shared.domain.model import ActionType, EventType, Level, TradeEvent
from shared.domain.obligations.entities import EntityBook
from shared.domain.obligations.routing import Router, Routing
from shared.domain.rules.context import ValidationContext
from shared.domain.rules.engine import validate
from shared.formats.readers import reader_for
from shared.formats.writers.base import ReportWriter, writer_for
from swaprep.local.demo import DEMO_REGIMES, demo_book, demo_fep_records, kst_today, write_fep_csv

CHUNK = 1000  # records per chunk, as the pipeline's process stage takes them from the queue


@dataclass(frozen=True, slots=True)
class Accepted:
    """What the validate stage keeps of an accepted report for the UTI's later ones: what the
    lifecycle machine reads (the pipeline's `_Past` in shared/services/pipeline/validation.py).
    Holding every accepted TradeEvent instead made the bench's heap, and the garbage
    collector's full passes over it, grow with the run, a cost the pipeline does not have."""

    action_type: ActionType
    event_type: EventType | None
    level: Level
    execution_timestamp: datetime | None

    @classmethod
    def of(cls, event: TradeEvent) -> Accepted:
        return cls(event.action_type, event.event_type, event.level, event.execution_timestamp)


def history_of(past: list[Accepted]) -> Sequence[TradeEvent]:
    return cast(Sequence[TradeEvent], tuple(past))  # a LifecycleEvent is all the rules read
STAGES = ("canonical (profile -> model)", "enrich", "route", "validate (krx)", "write krx",
          "write cftc-part45", "write emir")
KRX_STAGES = 5  # the first ones: the krx chain's stage timers


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--trade-date", type=date.fromisoformat, default=None,
                        help="the day the file is made for (YYYY-MM-DD); default: today in KST")
    parser.add_argument("--gc-freeze", action="store_true",
                        help="gc.freeze() before the passes (see the module docstring)")
    args = parser.parse_args()

    today = kst_today()
    day = args.trade_date or today
    # the seed of generate_fep_csv(): the same draws every run, dated for `day`
    records = demo_fep_records(args.rows, seed=20261122, day=day, broken_rows=False)
    content = write_fep_csv(records)
    intended = intended_counts((r.intent for r in records), tr=False)
    del records
    now = datetime.now(UTC)  # the clock the pipeline's stages read
    book = demo_book()  # the demo tenant's head office and branches: its trades are Seoul's
    writers = {regime: writer_for(regime) for regime in ("krx", "cftc-part45", "emir")}
    seconds = dict.fromkeys(STAGES, 0.0)
    counts = dict.fromkeys(STAGES, 0)
    actual: Counter[str] = Counter()
    history: dict[str | None, list[Accepted]] = defaultdict(list)  # per UTI
    if args.gc_freeze:
        gc.collect()
        gc.freeze()

    started = time.perf_counter()
    rows = sum(1 for _ in csv.reader(io.TextIOWrapper(io.BytesIO(content), encoding="utf-8")))
    read_s = time.perf_counter() - started

    # The wall-clock pass runs first, so that it starts as a fresh process would: no cache of
    # the domain code warmed by the other pass.
    started, cpu_started = time.perf_counter(), time.process_time()
    end_to_end: Counter[str] = Counter()
    end_to_end_valid = run_krx_chain(content, now, writers["krx"], end_to_end, book)
    end_to_end_s = time.perf_counter() - started
    end_to_end_cpu_s = time.process_time() - cpu_started

    def run_chunk(chunk: list) -> int:
        t = time.perf_counter()
        enriched = [enrich(e).event for e in chunk]
        seconds["enrich"] += time.perf_counter() - t
        t = time.perf_counter()
        router, stored = Router(book, enabled=DEMO_REGIMES), {}
        for event in enriched:
            routed(event, router, stored)
        seconds["route"] += time.perf_counter() - t
        t = time.perf_counter()
        valid = []
        for event in enriched:
            past = history[event.uti]
            # The demo FEP reports to the KRX TR (CFTC/EMIR would also demand UPIs it lacks).
            issues = validate(event, ValidationContext(now=now, regimes=("krx",),
                                                       history=history_of(past)))
            rejects = {i.rule_id for i in issues if i.severity == "reject"}
            if not rejects:
                past.append(Accepted.of(event))
                valid.append(event)
            tally(actual, "invalid" if rejects else "valid", rejects)
        seconds["validate (krx)"] += time.perf_counter() - t
        for regime, writer in writers.items():
            t = time.perf_counter()
            writer.write_batch(valid, io.BytesIO(), reporting_timestamp=now)
            seconds[f"write {regime}"] += time.perf_counter() - t
            counts[f"write {regime}"] += len(valid)
        counts["enrich"] += len(chunk)
        counts["route"] += len(chunk)
        counts["validate (krx)"] += len(chunk)
        return len(valid)

    valid_total, chunk = 0, []
    reader = iter(reader_for("csv").read(io.BytesIO(content), file_name="bench.csv"))
    while True:
        t = time.perf_counter()
        record = next(reader, None)
        seconds["canonical (profile -> model)"] += time.perf_counter() - t
        if record is None:
            break
        counts["canonical (profile -> model)"] += 1
        if record.event is not None:
            chunk.append(record.event)
        else:
            tally(actual, "parse_error", [e.code for e in record.errors])
        if len(chunk) == CHUNK:
            valid_total += run_chunk(chunk)
            chunk = []
    if chunk:
        valid_total += run_chunk(chunk)

    print(f"{args.rows} generated FEP rows for {day}"
          f"{'' if day == today else f' (NOT today: today in KST is {today})'}"
          f" in chunks of {CHUNK}, python {sys.version.split()[0]}"
          f"{', gc.freeze() before the passes' if args.gc_freeze else ''};"
          f" {valid_total} without reject-level issues")
    print(f"{'stage':<30} {'records':>9} {'seconds':>9} {'records/s':>11}")
    print(f"{'read (csv rows)':<30} {rows - 1:>9} {read_s:>9.2f} {(rows - 1) / read_s:>11,.0f}")
    for stage in STAGES:
        print(f"{stage:<30} {counts[stage]:>9} {seconds[stage]:>9.2f} "
              f"{counts[stage] / seconds[stage]:>11,.0f}")
    total = sum(seconds[s] for s in STAGES[:KRX_STAGES])
    print(f"{'sum of krx stage timers':<30} {args.rows:>9} {total:>9.2f} "
          f"{args.rows / total:>11,.0f}")
    print(f"{'end to end (elapsed)':<30} {args.rows:>9} {end_to_end_s:>9.2f} "
          f"{args.rows / end_to_end_s:>11,.0f}"
          f"  read -> canonical -> enrich -> route -> validate -> write krx, one pass, wall"
          " clock;"
          f" {end_to_end_valid} written")
    print(f"{'end to end (CPU)':<30} {args.rows:>9} {end_to_end_cpu_s:>9.2f} "
          f"{args.rows / end_to_end_cpu_s:>11,.0f}"
          f"  the same pass, this process's CPU time ({end_to_end_cpu_s / args.rows * 1e6:.0f}"
          " us a record): what a shared machine's load does not inflate")
    what = f"{args.rows:,} rows for {day}"
    stages_ok = check_outcome(intended, actual, what=f"domain stages, {what}")
    end_to_end_ok = check_outcome(intended, end_to_end, what=f"end to end (krx), {what}")
    return 0 if stages_ok and end_to_end_ok else EXIT_MISMATCH


def routed(event: TradeEvent, router: Router, stored: dict[int, tuple[Routing, str]]
           ) -> tuple[str, ...]:
    """What process does per event to route it (one `Router` per chunk: its events that route
    alike share a decision, and the decision's JSON text for `trade_events.routing` is made
    once, as process.routing_json does); the regimes it is reported in."""
    routing = router.route(event)
    if id(routing) not in stored:
        stored[id(routing)] = (routing, json.dumps(routing.as_dict(), ensure_ascii=False))
    return routing.regimes


def run_krx_chain(content: bytes, now: datetime, writer: ReportWriter,
                  outcomes: Counter[str], book: EntityBook) -> int:
    """The krx chain as the process and validate stages run it, without stage timers.

    Tallies each record's outcome into `outcomes`; returns how many reports were written."""
    history: dict[str | None, list[Accepted]] = defaultdict(list)  # per UTI
    written = 0

    def run_chunk(chunk: list[TradeEvent]) -> int:
        valid = []
        router, stored = Router(book, enabled=DEMO_REGIMES), {}
        # In place, as process enriches the event it has just read (nothing else holds it).
        for event in (enrich(e, in_place=True).event for e in chunk):
            past = history[event.uti]
            regimes = routed(event, router, stored)  # the demo's Seoul trades: ("krx",)
            issues = validate(event, ValidationContext(now=now, regimes=regimes,
                                                       history=history_of(past)))
            rejects = {i.rule_id for i in issues if i.severity == "reject"}
            if not rejects:
                past.append(Accepted.of(event))
                valid.append(event)
            tally(outcomes, "invalid" if rejects else "valid", rejects)
        writer.write_batch(valid, io.BytesIO(), reporting_timestamp=now)
        return len(valid)

    chunk: list[TradeEvent] = []
    for record in reader_for("csv").read(io.BytesIO(content), file_name="bench.csv"):
        if record.event is not None:
            chunk.append(record.event)
        else:
            tally(outcomes, "parse_error", [e.code for e in record.errors])
        if len(chunk) == CHUNK:
            written += run_chunk(chunk)
            chunk = []
    if chunk:
        written += run_chunk(chunk)
    return written


if __name__ == "__main__":
    sys.exit(main())

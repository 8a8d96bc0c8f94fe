"""End-to-end throughput on the local stack: an FEP file from upload to TR acknowledgement.

Starts a fresh local stack (embedded PostgreSQL, moto S3, the function host running the real
functions/, triggers, the TR simulator) in a temporary state directory, creates a tenant,
uploads one generated FEP CSV of N records with plain boto3 (multipart, as an FEP's tooling
would), and watches the database until every record is in a final state. It prints:

- events/s from upload to ACK (acked + nacked events over the wall time to the last feedback);
- per stage, when it finished its last item (seconds after the upload) and its throughput;
- per action, activations and busy seconds (from the activation records);
- the outcome check: the final states (events acked, nacked per TR code, invalid per reject
  rule; rows in parse error per code, duplicates) against what the generator intended for
  every record. When they differ the bench says so loudly, with the counts, and exits 1.

The file is made for today in Korea (KST) by the running clock, as the stages and the TR
simulator judge it by that clock (a valuation older than 14 days is NACKed TR-VA-001);
`--trade-date` makes it for another day, which the outcome check then shows.

Run: `.venv/bin/python bench/e2e_pipeline.py --events 100000` (and `--events 1000000`).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.outcome import EXIT_MISMATCH, check_outcome, intended_counts, pipeline_counts

# The watched progress, each a count that only grows; the stage is done when it stops at
# its final value. (name, SQL over the tenant's rows)
PROGRESS = (
    ("ingest (rows stored)", "SELECT count(*) FROM raw_rows"),
    ("process (rows -> events)", "SELECT count(*) FROM raw_rows WHERE state <> 'stored'"),
    ("validate (events judged)", "SELECT count(*) FROM trade_events WHERE state <> 'received'"),
    ("generate (report items)", "SELECT count(*) FROM report_items"),
    ("submit (items at the TR)",
     "SELECT count(*) FROM report_items i JOIN report_files f ON f.id = i.report_file_id"
     " WHERE f.tr_message_id IS NOT NULL"),
    ("feedback (items ACK/NACK)", "SELECT count(*) FROM report_items WHERE status <> 'pending'"),
)
UNFINISHED = ("received", "valid", "reported", "submitted")


def _parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000, help="records in the FEP file")
    parser.add_argument("--containers", type=int, default=2,
                        help="warm containers per action (NCP scales out; here 2 cores)")
    # Each poll counts every stage's rows: at 1M records the counts cost the server about a
    # tenth of a second each, CPU the pipeline competes for (the cost model shows them).
    parser.add_argument("--poll-s", type=float, default=5.0)
    parser.add_argument("--timeout-s", type=float, default=4 * 3600)
    parser.add_argument("--keep", action="store_true", help="keep the state directory")
    parser.add_argument("--trade-date", type=date.fromisoformat, default=None,
                        help="the day the file is made for (YYYY-MM-DD; trades on the business"
                             " days before it); default: today in Korea (KST)")
    parser.add_argument("--price-per-gb-s", type=float, default=None,
                        help="NCP's Cloud Functions price per GB-second (from its pricing page,"
                             " in the currency of --currency): prints the cost per 1M events")
    parser.add_argument("--currency", default="KRW")
    parser.add_argument("--profile", action="store_true",
                        help="profile every activation (cProfile; slower) and print the"
                             " functions that took the most time per action")
    parser.add_argument("--broken-rows", action="store_true",
                        help="also parse errors and re-sent rows (duplicates), as in the demo")
    return parser.parse_args()


def _snapshot(db, tenant_id) -> dict[str, int]:
    with db.tenant(tenant_id) as conn:
        counts = {name: conn.execute(sql).fetchone()["count"] for name, sql in PROGRESS}
        counts["unfinished events"] = conn.execute(
            "SELECT count(*) FROM trade_events WHERE state = ANY(%s)",
            (list(UNFINISHED),)).fetchone()["count"]
        row = conn.execute("SELECT status, row_count FROM ingest_files").fetchone()
        counts["file rows"] = (row or {}).get("row_count") or -1
        counts["file parsed"] = int(bool(row and row["status"] in ("parsed", "rejected")))
        counts["open files"] = conn.execute(
            "SELECT count(*) FROM report_files WHERE status IN"
            " ('building', 'generated', 'submitting', 'submitted')").fetchone()["count"]
    return counts


def _settled(counts: dict[str, int]) -> bool:
    return (counts["file parsed"] == 1 and counts["ingest (rows stored)"] == counts["file rows"]
            and counts["process (rows -> events)"] == counts["file rows"]
            and counts["unfinished events"] == 0 and counts["open files"] == 0)


def _finish_times(series: list[tuple[float, dict[str, int]]]) -> dict[str, tuple[float, int]]:
    """Per stage: seconds after upload when its count first reached its final value."""
    final = series[-1][1]
    done: dict[str, tuple[float, int]] = {}
    for name, _ in PROGRESS:
        for at, counts in series:
            if counts[name] == final[name]:
                done[name] = (at, final[name])
                break
    return done


def _activation_busy(db, since: datetime) -> list[dict[str, Any]]:
    """Per action: runs, busy seconds, failures, and what the activations say they cost
    (`cost` in each result: CPU ms and statements; `received`: queue messages)."""
    with db.system() as conn:
        return conn.execute(
            "SELECT action, count(*) AS runs, coalesce(sum(duration_ms), 0) / 1000.0 AS busy_s,"
            " count(*) FILTER (WHERE status <> 'success') AS failed,"
            " coalesce(sum((result->'cost'->>'cpu_ms')::float), 0) AS cpu_ms,"
            " coalesce(sum((result->'cost'->>'statements')::bigint), 0) AS statements,"
            " coalesce(sum((result->>'received')::bigint), 0) AS messages"
            " FROM activations WHERE started_at >= %s GROUP BY action ORDER BY action",
            (since,)).fetchall()


def _final_counts(db, tenant_id) -> Counter[str]:
    """The tenant's final states, keyed as the generator's intent (bench/outcome.py)."""
    with db.tenant(tenant_id) as conn:
        def by(sql: str) -> dict[str, int]:
            return {r["k"]: r["n"] for r in conn.execute(sql)}

        return pipeline_counts(
            events=by("SELECT state AS k, count(*) AS n FROM trade_events GROUP BY state"),
            rows=by("SELECT state AS k, count(*) AS n FROM raw_rows GROUP BY state"),
            duplicates=conn.execute(
                "SELECT count(*) AS n FROM raw_rows WHERE duplicate").fetchone()["n"],
            nack_codes=by(  # feedback keeps a record's codes comma-joined
                "SELECT code AS k, count(DISTINCT i.event_id) AS n FROM report_items i"
                " JOIN trade_events e ON e.id = i.event_id,"
                " unnest(string_to_array(coalesce(i.tr_code, '(no code)'), ',')) AS code"
                " WHERE i.status = 'nacked' AND e.state = 'nacked' GROUP BY code"),
            reject_rules=by(
                "SELECT v.rule_id AS k, count(DISTINCT v.event_id) AS n"
                " FROM validation_issues v JOIN trade_events e ON e.id = v.event_id"
                " WHERE v.severity = 'reject' AND e.state = 'invalid' GROUP BY v.rule_id"),
            parse_codes=by(
                "SELECT c.code AS k, count(*) AS n FROM raw_rows r, LATERAL (SELECT DISTINCT"
                " coalesce(x->>'code', '(no code)') AS code FROM jsonb_array_elements("
                "coalesce(r.errors, '[]'::jsonb)) AS x) AS c"
                " WHERE r.state = 'parse_error' GROUP BY c.code"),
        )


def _print_profiles(folder: Path, top: int = 14) -> None:
    """Per action, the functions with the most time of their own over all its activations."""
    import pstats

    by_action: dict[str, list[str]] = {}
    for path in sorted(folder.glob("*.prof")):
        by_action.setdefault(path.name.split("-", 1)[0], []).append(str(path))
    for action, paths in sorted(by_action.items()):
        stats = pstats.Stats(*paths)
        print(f"\nprofile of {action} ({len(paths)} activations), by own time:")
        stats.sort_stats("tottime").print_stats(top)


def main() -> int:
    args = _parse_args()
    import boto3
    from botocore.config import Config as BotoConfig

    from bench.costmodel import POSTGRES_SETTINGS, CostModel, copy_floor
    from swaprep.local.demo import demo_fep_records, demo_lei, kst_today, write_fep_csv
    from swaprep.local.manifest import load_actions
    from swaprep.local.stack import REPO_ROOT, LocalStack

    base = Path(tempfile.mkdtemp(prefix="swaprep-bench-"))
    os.chmod(base, 0o755)  # the embedded server may run as the `postgres` user
    profiles = base / "profiles"
    if args.profile:  # the containers inherit it (shared/platform/action.py)
        profiles.mkdir()
        os.environ["SWAPREP_PROFILE_DIR"] = str(profiles)
    today = kst_today()
    day = args.trade_date or today
    print(f"generating {args.events:,} FEP records for {day} "
          f"({'today in KST' if day == today else f'NOT today: today in KST is {today}'}) ...",
          flush=True)
    # the seed of generate_fep_csv(): the same draws every run, dated for `day`
    records = demo_fep_records(args.events, seed=20261122, day=day,
                               broken_rows=args.broken_rows)
    content = write_fep_csv(records)
    intended = intended_counts(r.intent for r in records)
    del records
    shown = {k: v for k, v in intended.items() if " " not in k}
    print(f"  {len(content) / 2**20:,.1f} MiB; generator intent: {shown}", flush=True)
    ports = dict.fromkeys(("api", "invoke", "s3", "postgres", "trsim", "trsim_admin", "ncp"), 0)
    try:
        with LocalStack(state_dir=base / "state", ports=ports, mirror_s3=False,
                        containers_per_action=args.containers, write_endpoints=False,
                        bucket_prefix="bench", postgres_settings=POSTGRES_SETTINGS) as stack:
            with stack.db.system() as conn:
                tenant_id = conn.execute(
                    "INSERT INTO tenants (slug, name, lei, regimes) VALUES ('bench-bank',"
                    " 'Bench Bank', %s, '{krx}') RETURNING id", (demo_lei(1),)).fetchone()["id"]
            s3 = boto3.client(
                "s3", endpoint_url=stack.s3_endpoint_url, region_name="kr-standard",
                aws_access_key_id=stack.config["s3_access_key_id"],
                aws_secret_access_key=stack.config["s3_secret_access_key"],
                config=BotoConfig(s3={"addressing_style": "path"}))
            model = CostModel(stack)
            started_at = datetime.now(UTC)
            t0 = time.monotonic()
            import io

            s3.upload_fileobj(io.BytesIO(content), stack.buckets["inbound"],
                              "bench-bank/bench/fep-bench.csv")
            upload_s = time.monotonic() - t0
            print(f"uploaded in {upload_s:.1f} s; watching ...", flush=True)

            series: list[tuple[float, dict[str, int]]] = []
            last_print = 0.0
            while True:
                counts = _snapshot(stack.db, tenant_id)
                at = time.monotonic() - t0
                series.append((at, counts))
                if at - last_print >= 30:
                    last_print = at
                    shown = ", ".join(f"{k.split(' ')[0]} {v:,}" for k, v in counts.items()
                                      if k in dict(PROGRESS))
                    print(f"  {at:7.0f} s  {shown}", flush=True)
                if _settled(counts):
                    break
                if at > args.timeout_s:
                    print(f"did not settle in {args.timeout_s:.0f} s: {counts}", flush=True)
                    check_outcome(intended, _final_counts(stack.db, tenant_id),
                                  what=f"e2e pipeline, {args.events:,} records for {day},"
                                       " unsettled")
                    return 1
                time.sleep(args.poll_s)

            total_s = series[-1][0]
            model.stop()
            with stack.db.tenant(tenant_id) as conn:
                states = {r["state"]: r["n"] for r in conn.execute(
                    "SELECT state, count(*) AS n FROM trade_events GROUP BY state")}
                rows = {r["state"]: r["n"] for r in conn.execute(
                    "SELECT state, count(*) AS n FROM raw_rows GROUP BY state")}
                files = conn.execute(
                    "SELECT count(*) AS n, coalesce(avg(record_count), 0) AS avg"
                    " FROM report_files").fetchone()
            final = _final_counts(stack.db, tenant_id)
            busy = _activation_busy(stack.db, started_at)
            # The floor, in the same server after the run: the same rows COPYed once.
            floor_s, floor_rows = copy_floor(stack.superuser_url(), content)
            del content
        if args.profile:
            _print_profiles(profiles)
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)

    answered = states.get("acked", 0) + states.get("nacked", 0)
    print()
    print(f"records: {args.events:,}  raw rows by state: {rows}")
    print(f"events by state: {states}")
    print(f"report files: {files['n']:,} (avg {float(files['avg']):,.0f} records)")
    print(f"upload {upload_s:.1f} s; settled {total_s:.1f} s after the upload started")
    print(f"**end to end: {answered / total_s:,.0f} events/s from upload to ACK/NACK** "
          f"({answered:,} events answered by the TR)")
    print()
    print("| stage | items | done after (s) | items/s over that time |")
    print("| --- | --- | --- | --- |")
    for name, (at, count) in _finish_times(series).items():
        print(f"| {name} | {count:,} | {at:.1f} | {count / at if at else 0:,.0f} |")
    print()
    print("| action | activations | busy s (sum of durations) | failed |")
    print("| --- | --- | --- | --- |")
    for row in busy:
        print(f"| {row['action']} | {row['runs']:,} | {float(row['busy_s']):,.1f} |"
              f" {row['failed']} |")
    memory = {name: m.memory_mb for name, m in load_actions(REPO_ROOT / "functions").items()}
    model.report(args.events, busy, memory)
    gb_s = sum(float(r["busy_s"]) * memory.get(r["action"], 256) / 1024 for r in busy)
    per_million = gb_s * 1e6 / args.events
    print(f"NCP Cloud Functions: {per_million:,.0f} GB-s per 1M events (duration x memory of"
          " every activation)" + ("" if args.price_per_gb_s is None else
                                  f" = {per_million * args.price_per_gb_s:,.0f} {args.currency}"
                                  " at the given price"))
    print()
    print(f"floor: COPY of the file's {floor_rows:,} rows into a table of text columns,"
          f" same server: {floor_s:.1f} s ({floor_rows / floor_s:,.0f} rows/s);"
          f" end to end is {total_s / floor_s:,.0f}x the floor")
    if not check_outcome(intended, final,
                         what=f"e2e pipeline, {args.events:,} records for {day}"):
        return EXIT_MISMATCH
    return 0


if __name__ == "__main__":
    sys.exit(main())

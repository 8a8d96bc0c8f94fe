"""API latency on a full-size database: p50 / p99 and requests/s per endpoint, 1 and 32 clients.

Starts a fresh local stack (embedded PostgreSQL, moto S3, the function host running the real
functions/, the local API gateway with the real authorizer) on random ports with the
gateway's rate limits off (they would measure the limiter), loads N events (default
1,000,000) with bench/api_queries_data.py into its database, mints a viewer token with the
stack's JWT secret (as `swaprep token`), then drives `--clients` concurrent keep-alive clients
(threads spread over `--processes` load processes, apart from the stack's own process) against
every endpoint in turn for `--seconds`, side by side in the same run with two floors: GET
/api/health (gateway + authorizer-less action + its checks) and GET /api/auth/me (gateway +
authorizer + api action + one row).
It prints a markdown table: p50, p99, requests/s and non-200 answers per endpoint. It measures
nothing (exits 1) when the loader's outcome check finds the database not holding the data it
generated (bench/api_queries_data.py).

Run: `.venv/bin/python bench/api_latency.py [--events 1000000] [--clients 1,32] [--seconds 20]`
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--clients", default="1,32",
                        help="concurrent clients; a comma list measures each (1 = service time)")
    parser.add_argument("--seconds", type=float, default=20.0, help="per endpoint")
    parser.add_argument("--containers", type=int, default=4,
                        help="warm api containers (NCP scales out; here 2 cores)")
    parser.add_argument("--keep", action="store_true", help="keep the state directory")
    parser.add_argument("--processes", type=int, default=2, help="load processes")
    parser.add_argument("--only", help="comma-separated words: only endpoints whose label has one")
    # internal: one load process (see _drive)
    parser.add_argument("--drive", help=argparse.SUPPRESS)
    parser.add_argument("--threads", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--start-at", type=float, help=argparse.SUPPRESS)
    return parser.parse_args()


def _endpoints(stack: Any, tenant_id: Any) -> list[tuple[str, str]]:
    """(label, path and query) per measured endpoint; ids picked from the loaded data."""
    with stack.db.tenant(tenant_id) as conn:
        uti = conn.execute("SELECT uti FROM trades ORDER BY updated_at DESC LIMIT 1 OFFSET 1000"
                           ).fetchone()["uti"]
        newest = conn.execute("SELECT max(event_timestamp) AS t FROM trade_events"
                              ).fetchone()["t"]
    last = newest.date()
    first = last.fromordinal(last.toordinal() - 29)
    period = f"date_from={first}&date_to={last}"
    return [("GET /api/health (floor: public, checks DB, S3, queues)", "/api/health"),
            ("GET /api/auth/me (floor: gateway + authorizer + one row)", "/api/auth/me"),
            ("GET /api/trades (first page)", "/api/trades"),
            ("GET /api/trades?state=nacked&asset_class=CURR",
             "/api/trades?state=nacked&asset_class=CURR"),
            ("GET /api/trades/{uti}", f"/api/trades/{uti}"),
            ("GET /api/stats/volumes (30 days by day)", f"/api/stats/volumes?{period}"),
            ("GET /api/stats (today)", "/api/stats")]


def _client_process(url: str, headers: dict[str, str], threads: int, seconds: float,
                    start_at: float) -> None:
    """One load process: `threads` keep-alive clients (http.client: the cheapest client the
    standard library has), each timing its own requests; prints its results as JSON."""
    import http.client
    import json
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    results: list[list[float]] = []
    failures = [0]
    lock = threading.Lock()

    def client() -> None:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        mine: list[float] = []
        bad = 0
        time.sleep(max(0.0, start_at - time.time()))
        stop_at = start_at + seconds
        while time.time() < stop_at:
            t0 = time.perf_counter()
            conn.request("GET", target, headers=headers)
            answer = conn.getresponse()
            answer.read()
            elapsed = (time.perf_counter() - t0) * 1000
            if answer.status == 200:
                mine.append(elapsed)
            else:
                bad += 1
        conn.close()
        with lock:
            results.append(mine)
            failures[0] += bad

    workers = [threading.Thread(target=client, daemon=True) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    print(json.dumps({"latencies": [x for mine in results for x in mine],
                      "failures": failures[0]}))


def _drive(url: str, headers: dict[str, str], clients: int, seconds: float,
           processes: int = 2) -> tuple[list[float], int, float]:
    """(latencies in ms of 200 answers, count of other answers, wall seconds).

    The clients run in their own processes, so their cost does not queue behind the local
    stack's gateway and host, which share this process (and its GIL)."""
    import json
    import subprocess

    start_at = time.time() + 1.5  # every process connected and waiting
    share = [clients // processes + (1 if i < clients % processes else 0)
             for i in range(processes)]
    runs = [subprocess.Popen(
        [sys.executable, __file__, "--drive", url, "--threads", str(n),
         "--seconds", str(seconds), "--start-at", repr(start_at)],
        # the token goes by environment, not argv: `ps` shows argv to everyone
        env={**os.environ, "SWAPREP_BENCH_HEADERS": json.dumps(headers)},
        stdout=subprocess.PIPE, text=True) for n in share if n]
    latencies: list[float] = []
    failures = 0
    for run in runs:
        out, _ = run.communicate(timeout=seconds + 120)
        if run.returncode:
            raise RuntimeError(f"a load process failed ({run.returncode})")
        answer = json.loads(out)
        latencies.extend(answer["latencies"])
        failures += answer["failures"]
    return latencies, failures, seconds


def _row(label: str, clients: int, latencies: list[float], failures: int, wall: float) -> str:
    if not latencies:
        return f"| {label} | {clients} | - | - | 0 | {failures} |"
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return (f"| {label} | {clients} | {statistics.median(ordered):.1f} | {p99:.1f} |"
            f" {len(ordered) / wall:.0f} | {failures} |")


def _measure(stack: Any, tenant: tuple[Any, str], args: argparse.Namespace,
             say: Callable[[str], None]) -> list[str]:
    from shared.platform import tokens

    token = tokens.mint(stack.config["jwt_signing_secret"], subject="bench", ttl_s=3600,
                        tenant_id=str(tenant[0]), tenant_slug=tenant[1], role="viewer")
    headers = {"Authorization": f"Bearer {token}", "Accept-Encoding": "gzip"}
    base = stack.gateway.url
    rows = ["| endpoint | clients | p50 ms | p99 ms | requests/s | non-200 |",
            "| --- | --- | --- | --- | --- | --- |"]
    counts = [int(n) for n in str(args.clients).split(",")]
    for label, path in _endpoints(stack, tenant[0]):
        if args.only and not any(word in label for word in args.only.split(",")):
            continue
        # warm the containers first
        _drive(base + path, headers, max(counts), min(3.0, args.seconds), args.processes)
        for clients in counts:
            latencies, failures, wall = _drive(base + path, headers, clients, args.seconds,
                                               args.processes)
            rows.append(_row(label, clients, latencies, failures, wall))
            say(rows[-1])
    return rows


def main() -> int:
    args = _parse_args()
    if args.drive:
        import json

        _client_process(args.drive, json.loads(os.environ["SWAPREP_BENCH_HEADERS"]),
                        args.threads, args.seconds,
                        args.start_at)
        return 0
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import api_queries_data  # the loader next to this file

    from swaprep.local.stack import LocalStack

    base = Path(tempfile.mkdtemp(prefix="swaprep-bench-api-"))
    os.chmod(base, 0o755)  # the embedded server may run as the `postgres` user
    ports = dict.fromkeys(("api", "invoke", "s3", "postgres", "trsim", "trsim_admin", "ncp"), 0)
    try:
        with LocalStack(state_dir=base / "state", ports=ports, mirror_s3=False,
                        containers_per_action=args.containers, write_endpoints=False,
                        bucket_prefix="bench",
                        extra_params={"gateway_rate_limits": "off"}) as stack:
            began = time.monotonic()
            if not api_queries_data.load(stack.database_url, args.events, 20_000, 90, 5):
                return api_queries_data.EXIT_MISMATCH  # measuring other data than meant
            print(f"loaded {args.events:,} events in {time.monotonic() - began:.0f} s",
                  flush=True)
            with stack.db.system() as conn:
                row = conn.execute("SELECT id, slug FROM tenants WHERE slug = 'bench-alpha'"
                                   ).fetchone()
            print(f"\nclients {args.clients}, {args.seconds:g} s per endpoint, "
                  f"{args.containers} api containers\n", flush=True)
            rows = _measure(stack, (row["id"], row["slug"]), args,
                            lambda line: print(line, file=sys.stderr, flush=True))
            print("\n".join(rows), flush=True)
    finally:
        if args.keep:
            print(f"state kept in {base}")
        else:
            shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

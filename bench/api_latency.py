"""API latency on a full-size database: p50 / p99 and requests/s per endpoint, 32 clients.

Starts a fresh local stack (embedded PostgreSQL, moto S3, the function host running the real
functions/, the local API gateway with the real authorizer) on random ports with the
gateway's rate limits off (they would measure the limiter), loads N events (default
1,000,000) with bench/api_queries_data.py into its database, mints a viewer token with the
stack's JWT secret (as `swaprep token`), then drives `--clients` concurrent clients (threads,
one requests.Session each) against every endpoint in turn for `--seconds`, side by side in the
same run with GET /api/health, the HTTP floor (gateway + authorizer-less action + one query).
It prints a markdown table: p50, p99, requests/s and non-200 answers per endpoint.

Run: `.venv/bin/python bench/api_latency.py [--events 1000000] [--clients 32] [--seconds 20]`
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
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=20.0, help="per endpoint")
    parser.add_argument("--containers", type=int, default=4,
                        help="warm api containers (NCP scales out; here 2 cores)")
    parser.add_argument("--keep", action="store_true", help="keep the state directory")
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


def _drive(url: str, headers: dict[str, str], clients: int, seconds: float
           ) -> tuple[list[float], int, float]:
    """(latencies in ms of 200 answers, count of other answers, wall seconds)."""
    import requests

    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)
    stop_at = [0.0]

    def client() -> None:
        session = requests.Session()
        mine: list[float] = []
        bad = 0
        start.wait()
        while time.monotonic() < stop_at[0]:
            t0 = time.perf_counter()
            answer = session.get(url, headers=headers, timeout=60)
            elapsed = (time.perf_counter() - t0) * 1000
            if answer.status_code == 200:
                mine.append(elapsed)
            else:
                bad += 1
        with lock:
            latencies.extend(mine)
            failures[0] += bad

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    stop_at[0] = time.monotonic() + seconds
    began = time.monotonic()
    start.wait()
    for thread in threads:
        thread.join()
    return latencies, failures[0], time.monotonic() - began


def _row(label: str, latencies: list[float], failures: int, wall: float) -> str:
    if not latencies:
        return f"| {label} | - | - | 0 | {failures} |"
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return (f"| {label} | {statistics.median(ordered):.1f} | {p99:.1f} |"
            f" {len(ordered) / wall:.0f} | {failures} |")


def _measure(stack: Any, tenant: tuple[Any, str], args: argparse.Namespace,
             say: Callable[[str], None]) -> list[str]:
    from shared.platform import tokens

    token = tokens.mint(stack.config["jwt_signing_secret"], subject="bench", ttl_s=3600,
                        tenant_id=str(tenant[0]), tenant_slug=tenant[1], role="viewer")
    headers = {"Authorization": f"Bearer {token}", "Accept-Encoding": "gzip"}
    base = stack.gateway.url
    rows = ["| endpoint | p50 ms | p99 ms | requests/s | non-200 |",
            "| --- | --- | --- | --- | --- |"]
    for label, path in _endpoints(stack, tenant[0]):
        _drive(base + path, headers, args.clients, min(3.0, args.seconds))  # warm containers
        latencies, failures, wall = _drive(base + path, headers, args.clients, args.seconds)
        rows.append(_row(label, latencies, failures, wall))
        say(rows[-1])
    return rows


def main() -> int:
    args = _parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import api_queries_data  # the loader next to this file

    from swaprep.local.stack import LocalStack

    base = Path(tempfile.mkdtemp(prefix="swaprep-bench-api-"))
    os.chmod(base, 0o755)  # the embedded server may run as the `postgres` user
    ports = dict.fromkeys(("api", "invoke", "s3", "postgres", "trsim", "trsim_admin"), 0)
    try:
        with LocalStack(state_dir=base / "state", ports=ports, mirror_s3=False,
                        containers_per_action=args.containers, write_endpoints=False,
                        bucket_prefix="bench",
                        extra_params={"gateway_rate_limits": "off"}) as stack:
            began = time.monotonic()
            api_queries_data.load(stack.database_url, args.events, 20_000, 90, 5)
            print(f"loaded {args.events:,} events in {time.monotonic() - began:.0f} s",
                  flush=True)
            with stack.db.system() as conn:
                row = conn.execute("SELECT id, slug FROM tenants WHERE slug = 'bench-alpha'"
                                   ).fetchone()
            print(f"\n{args.clients} clients, {args.seconds:g} s per endpoint, "
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

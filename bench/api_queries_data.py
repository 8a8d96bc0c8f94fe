"""Load N realistic trade events (default 1,000,000) for one tenant, plus a second tenant, so
that the query services and the API can be measured on a full-size database.

Writes tenants, ingest files, trades, trade events (a NEWT then lifecycle events per trade,
mostly ACKed, some NACKed, invalid or in flight, a few ACKed late), validation issues, report
files with their items, submissions and feedback, and audit rows. Rows are generated in
Python and COPYed into temporary tables, then moved with one INSERT ... SELECT per table in a
system-scoped transaction (PostgreSQL refuses COPY into a table under row-level security),
so the rollup triggers of migration 0008 run as they do in production (then the rollup is
compacted, as the monitor's cron tick does). No raw rows: the files list is not among the
measured queries.

The data is dated back from the running clock (now, and the `--days` before it). After
loading, the outcome check compares, per tenant, what was generated with what the database
holds: events per state (and per state in the stats rollup the triggers keep), NACKs per TR
code and trades per state; when they differ it says so loudly, with the counts, and exits 1.

Run: `.venv/bin/python bench/api_queries_data.py postgresql://... [--events 1000000]`
     `--explain` then prints EXPLAIN ANALYZE timings and the service-call p50 of the trades
     list (first page and filtered), trade detail and the stats queries.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import statistics
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg

from bench.outcome import EXIT_MISMATCH, check_outcome
from swaprep.local.demo import demo_lei

ASSETS = (("INTR", 70, "InterestRate:IRSwap:FixedFloat"), ("CURR", 20, "ForeignExchange:Swap"),
          ("CRDT", 5, "Credit:SingleName:CDS"), ("EQUI", 3, "Equity:Swap:PriceReturn"),
          ("COMM", 2, "Commodity:Swap:Energy"))
REGIMES = ((["krx"], 85), (["cftc-part45", "krx"], 10), (["emir"], 5))
STATES = (("acked", 920), ("nacked", 30), ("invalid", 20), ("valid", 10), ("submitted", 10),
          ("received", 10))
LIFECYCLE = (("MODI", 50), ("VALU", 35), ("CORR", 10), ("TERM", 5))
RULES = [f"SR-{p}-{n:03d}" for p in ("ID", "DT", "NT", "LC", "SC") for n in range(1, 5)]
TR_CODES = [f"TR-{p}-{n:03d}" for p in ("ID", "LC", "VAL") for n in range(1, 4)]
NAMES = ("한국데모증권", "Alpha Capital", "Beta Bank", "Gamma Securities", "Delta Asset",
         "Epsilon Trust", "Zeta Investment", "Eta Partners", "Theta Holdings", "Iota Futures")
ITEMS_PER_FILE = 500


def _weighted(rng: random.Random, table: tuple) -> Any:
    values = [t[0] if len(t) == 2 else t for t in table]
    weights = [t[1] for t in table]
    return rng.choices(values, weights)[0]


def _copy_text(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, list):
        value = "{" + ",".join(f'"{v}"' for v in value) + "}"
    elif isinstance(value, datetime):
        value = value.isoformat()
    text = str(value)
    return (text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
            .replace("\r", "\\r"))


def _copy(conn: psycopg.Connection, table: str, columns: tuple[str, ...],
          rows: Iterable[tuple]) -> int:
    """COPY rows into a temp table shaped like `table`, then one RLS-checked INSERT."""
    temp = f"load_{table}"
    conn.execute(f"CREATE TEMP TABLE {temp} (LIKE {table} INCLUDING DEFAULTS) ON COMMIT DROP")
    cols = ", ".join(columns)
    count = 0
    with conn.cursor().copy(f"COPY {temp} ({cols}) FROM STDIN") as copy:
        buffer: list[str] = []
        for row in rows:
            buffer.append("\t".join(_copy_text(v) for v in row))
            count += 1
            if len(buffer) >= 5000:
                copy.write("\n".join(buffer) + "\n")
                buffer.clear()
        if buffer:
            copy.write("\n".join(buffer) + "\n")
    conn.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {temp}")
    conn.execute(f"DROP TABLE {temp}")
    return count


class TenantData:
    """Everything one tenant's N events need, generated deterministically from a seed."""

    def __init__(self, tenant_id: uuid.UUID, lei: str, events: int, days: int, seed: int,
                 now: datetime) -> None:
        self.tenant_id, self.lei, self.now = tenant_id, lei, now
        self.rng = random.Random(seed)
        self.days = days
        self.counterparties = [(demo_lei(1000 + i), f"{NAMES[i % len(NAMES)]} {i:04d}")
                               for i in range(2000)]
        self.events: list[tuple] = []
        self.trades: list[tuple] = []
        self.issues: list[tuple] = []
        self.reportable: list[tuple[uuid.UUID, str, datetime, str | None]] = []
        self.files: list[tuple] = []
        self._generate(events)

    def _payload(self, uti: str, trade_id: str, action: str, ts: datetime, executed: datetime,
                 cp: tuple[str, str], asset: tuple, notional: int, rate: float) -> str:
        return json.dumps({
            "uti": uti, "trade_id": trade_id, "action_type": action,
            "event_type": "ETRM" if action == "TERM" else "TRAD",
            "event_timestamp": ts.isoformat(), "execution_timestamp": executed.isoformat(),
            "counterparty_1": {"identifier": self.lei, "name": "Bench Bank"},
            "counterparty_2": {"identifier": cp[0], "name": cp[1]},
            "product": {"asset_class": asset[0], "product_name": asset[2]},
            "notional": [{"amount": str(notional), "currency": "KRW"}],
            "fixed_rate": f"{rate:.4f}", "direction": "PAY_FIXED", "cleared": False,
        }, ensure_ascii=False)

    def _generate(self, total: int) -> None:
        rng = self.rng
        file_size = 5000
        trade_no = 0
        start = self.now - timedelta(days=self.days)
        while len(self.events) < total:
            trade_no += 1
            uti = f"{self.lei}B{trade_no:09d}"
            trade_id = f"TRD{trade_no:09d}"
            asset = _weighted(rng, ASSETS)  # (asset class, weight, product)
            regimes = _weighted(rng, REGIMES)
            cp = rng.choice(self.counterparties)
            executed = start + timedelta(seconds=rng.uniform(0, self.days * 86400))
            notional, rate = rng.randrange(1, 500) * 10_000_000, rng.uniform(1, 5)
            n_events = min(1 + int(rng.expovariate(1 / 3)), 12, total - len(self.events))
            ts = executed + timedelta(minutes=rng.uniform(1, 60))
            actions = ["NEWT"] + [_weighted(rng, LIFECYCLE) for _ in range(n_events - 1)]
            if "TERM" in actions:  # a termination ends the trade's history
                actions = actions[:actions.index("TERM") + 1]
            last_id = last_state = last_action = None
            states: set[str] = set()
            for action in actions:
                if ts > self.now:
                    break
                event_id = uuid.uuid4()
                state = _weighted(rng, STATES) if ts < self.now - timedelta(hours=6) \
                    else rng.choice(("received", "valid", "submitted"))
                notional = notional if action == "VALU" else notional + (
                    rng.randrange(-5, 6) * 1_000_000 if action in ("MODI", "CORR") else 0)
                payload = self._payload(uti, trade_id, action, ts, executed, cp, asset,
                                        notional, rate)
                deadline = ts + timedelta(days=1)
                late = state == "acked" and rng.random() < 0.02
                updated = deadline + timedelta(hours=rng.uniform(1, 30)) if late else \
                    ts + timedelta(minutes=rng.uniform(5, 120))
                file_no = len(self.events) // file_size
                self.events.append((
                    event_id, self.tenant_id, None, len(self.events) % file_size + 1, "file",
                    uti, trade_id, action, "ETRM" if action == "TERM" else "TRAD", ts,
                    asset[0], regimes, payload, hashlib.md5(payload.encode()).hexdigest(),
                    state, deadline, ts, min(updated, self.now), regimes
                    if state in ("acked", "nacked", "submitted") else [], file_no))
                if state == "invalid" or rng.random() < 0.01:
                    rule = rng.choice(RULES)
                    self.issues.append((
                        self.tenant_id, event_id, rule, "reject", "notional",
                        f"{rule}: the value breaks the rule", "open" if state == "invalid"
                        else "resolved", ts + timedelta(minutes=1), "krx"))
                if state in ("acked", "nacked", "submitted"):
                    self.reportable.append((event_id, state, ts,
                                            rng.choice(TR_CODES) if state == "nacked" else None))
                states.add(state)
                last_id, last_state, last_action = event_id, state, action
                ts += timedelta(hours=rng.uniform(1, 72))
            if last_id is None:
                continue
            trade_state = "invalid" if "invalid" in states else \
                "received" if "received" in states else last_state
            self.trades.append((
                self.tenant_id, uti, trade_id, asset[0], asset[2], self.lei, cp[0],
                "terminated" if last_action == "TERM" else "live", trade_state, last_id,
                last_action, regimes, executed, min(ts, self.now)))
        self.file_count = len(self.events) // file_size + 1

    def intended(self) -> Counter[str]:
        """What the database should hold of this tenant: events per state (also in the
        stats rollup), NACKs per TR code, trades per state (keys as `final_counts`)."""
        counts: Counter[str] = Counter()
        for event in self.events:
            counts[f"events {event[14]}"] += 1
            counts[f"rollup {event[14]}"] += 1
        for _, state, _, code in self.reportable:
            if state == "nacked":
                counts[f"nacked {code}"] += 1
        for trade in self.trades:
            counts[f"trades {trade[8]}"] += 1
        return +counts

    def ingest_files(self) -> Iterator[tuple]:
        for n in range(self.file_count):
            received = self.now - timedelta(days=self.days) + timedelta(
                seconds=n * self.days * 86400 / self.file_count)
            digest = hashlib.sha256(f"{self.tenant_id}:{n}".encode()).hexdigest()
            yield (uuid.UUID(digest[:32]), self.tenant_id, "swaprep-inbound",
                   f"fep/bench/{n:05d}.csv", digest, 5000 * 400, "csv", "bench", "parsed",
                   5000, 10, received, received)

    def report_rows(self) -> tuple[list, list, list, list]:
        files, items, submissions, feedback = [], [], [], []
        ordered = sorted(self.reportable, key=lambda r: r[2])
        for start in range(0, len(ordered), ITEMS_PER_FILE):
            batch = ordered[start:start + ITEMS_PER_FILE]
            file_id, created = uuid.uuid4(), batch[-1][2] + timedelta(minutes=5)
            message = f"TR-{file_id.hex[:12]}"
            nacked = sum(1 for b in batch if b[1] == "nacked")
            pending = sum(1 for b in batch if b[1] == "submitted")
            status = "submitted" if pending else "partially_acked" if nacked else "acked"
            files.append((file_id, self.tenant_id, "krx", "krx-sim", "swaprep-outbound",
                          f"reports/{file_id}.csv", len(batch), status, message, created,
                          created + timedelta(seconds=2), created))
            for pos, (event_id, state, _, code) in enumerate(batch, start=1):
                items.append((self.tenant_id, file_id, event_id, pos, f"{file_id.hex[:8]}-{pos}",
                              {"acked": "acked", "nacked": "nacked"}.get(state, "pending"),
                              code, "rejected by the TR" if code else None))
            submissions.append((self.tenant_id, file_id, 1, created, created, 202, message,
                                "accepted"))
            if not pending:
                digest = hashlib.sha256(message.encode()).hexdigest()
                feedback.append((self.tenant_id, file_id, "swaprep-feedback",
                                 f"bench/{message}.json", digest, "applied",
                                 len(batch) - nacked, nacked, message, created))
        return files, items, submissions, feedback


EVENT_COLUMNS = ("id", "tenant_id", "file_id", "row_no", "source", "uti", "trade_id",
                 "action_type", "event_type", "event_timestamp", "asset_class", "regimes",
                 "payload", "payload_hash", "state", "deadline_at", "created_at", "updated_at",
                 "reported_regimes")


def final_counts(conn: psycopg.Connection, tenant_id: uuid.UUID) -> Counter[str]:
    """What the database holds of one tenant, keyed as `TenantData.intended`."""
    rows = conn.execute(
        "SELECT 'events ' || state, count(*) FROM trade_events WHERE tenant_id = %(t)s"
        " GROUP BY state"
        " UNION ALL SELECT 'rollup ' || key, sum(events) FROM (SELECT key, events"
        " FROM trade_event_rollup WHERE tenant_id = %(t)s AND dim = 'state' UNION ALL"
        " SELECT key, events FROM trade_event_rollup_delta WHERE tenant_id = %(t)s"
        " AND dim = 'state') AS r GROUP BY key"
        " UNION ALL SELECT 'nacked ' || coalesce(tr_code, '(no code)'), count(*)"
        " FROM report_items WHERE tenant_id = %(t)s AND status = 'nacked' GROUP BY tr_code"
        " UNION ALL SELECT 'trades ' || state, count(*) FROM trades WHERE tenant_id = %(t)s"
        " GROUP BY state", {"t": tenant_id}).fetchall()
    return Counter({key: int(n) for key, n in rows})


def load(url: str, events: int, other: int, days: int, seed: int) -> bool:
    """Load both tenants; False (after saying so loudly) when the database does not hold
    what was generated."""
    now = datetime.now(UTC).replace(microsecond=0)
    began = time.monotonic()
    with psycopg.connect(url) as conn:
        conn.execute("SELECT set_config('app.system', 'on', true)")
        if conn.execute("SELECT 1 FROM tenants WHERE slug = 'bench-alpha'").fetchone():
            sys.exit("tenant bench-alpha exists already: load into a fresh database")
        tenants = []
        for n, (slug, count) in enumerate((("bench-alpha", events), ("bench-beta", other))):
            lei = demo_lei(500 + n)
            tenant_id = conn.execute(
                "INSERT INTO tenants (slug, name, lei) VALUES (%s, %s, %s) RETURNING id",
                (slug, slug.replace("-", " ").title(), lei)).fetchone()[0]
            tenants.append(TenantData(tenant_id, lei, count, days, seed + n, now))
        print(f"generated in {time.monotonic() - began:.1f}s", flush=True)
        for data in tenants:
            files = list(data.ingest_files())
            _copy(conn, "ingest_files", ("id", "tenant_id", "bucket", "object_key", "sha256",
                                         "size_bytes", "format", "source", "status",
                                         "row_count", "chunk_count", "received_at",
                                         "updated_at"), files)
            file_ids = [f[0] for f in files]
            _copy(conn, "trade_events", EVENT_COLUMNS,
                  ((*e[:2], file_ids[e[19]], *e[3:19]) for e in data.events))
            _copy(conn, "trades", ("tenant_id", "uti", "trade_id", "asset_class", "product",
                                   "counterparty_1", "counterparty_2", "lifecycle", "state",
                                   "last_event_id", "last_action_type", "regimes",
                                   "executed_at", "updated_at"), data.trades)
            _copy(conn, "validation_issues", ("tenant_id", "event_id", "rule_id", "severity",
                                              "field", "message", "status", "created_at",
                                              "regime"), data.issues)
            rfiles, items, subs, feedback = data.report_rows()
            _copy(conn, "report_files", ("id", "tenant_id", "regime", "tr", "bucket",
                                         "object_key", "record_count", "status",
                                         "tr_message_id", "created_at", "submitted_at",
                                         "updated_at"), rfiles)
            _copy(conn, "report_items", ("tenant_id", "report_file_id", "event_id", "position",
                                         "record_ref", "status", "tr_code", "tr_message"),
                  items)
            _copy(conn, "submissions", ("tenant_id", "report_file_id", "attempt", "started_at",
                                        "finished_at", "http_status", "tr_message_id",
                                        "outcome"), subs)
            _copy(conn, "tr_feedback", ("tenant_id", "report_file_id", "bucket", "object_key",
                                        "sha256", "status", "ack_count", "nack_count",
                                        "tr_message_id", "received_at"), feedback)
            _copy(conn, "audit_log", ("tenant_id", "at", "actor", "actor_type", "action",
                                      "entity_type", "entity_id"),
                  ((data.tenant_id, f[9], "submit", "system", "report_file.submitted",
                    "report_file", f[0]) for f in rfiles))
            print(f"{data.tenant_id}: {len(data.events)} events, {len(data.trades)} trades,"
                  f" {len(data.issues)} issues, {len(items)} report items"
                  f" ({time.monotonic() - began:.1f}s)", flush=True)
    with psycopg.connect(url) as conn:  # as the monitor's cron tick would, soon after
        conn.execute("SELECT set_config('app.system', 'on', true)")
        folded = conn.execute("SELECT app.compact_trade_event_rollup()").fetchone()[0]
        print(f"rollup: {folded} delta rows folded", flush=True)
    with psycopg.connect(url, autocommit=True) as conn:
        for table in ("trade_events", "trades", "trade_event_rollup", "validation_issues",
                      "report_items", "report_files", "ingest_files", "audit_log"):
            conn.execute(f"VACUUM ANALYZE {table}")
    print(f"loaded and analysed in {time.monotonic() - began:.1f}s", flush=True)
    ok = True
    with psycopg.connect(url) as conn:
        conn.execute("SELECT set_config('app.system', 'on', true)")
        for data in tenants:
            slug = conn.execute("SELECT slug FROM tenants WHERE id = %s",
                                (data.tenant_id,)).fetchone()[0]
            ok &= check_outcome(data.intended(), final_counts(conn, data.tenant_id),
                                what=f"{slug}: {len(data.events):,} events loaded")
    return ok


class _Explaining:
    """A connection stand-in: every query the services run is also EXPLAIN ANALYZEd."""

    def __init__(self, conn: psycopg.Connection) -> None:
        self.conn, self.plans = conn, []

    def execute(self, query: str, params: Any = None, **kwargs: Any) -> Any:
        plan = self.conn.execute(f"EXPLAIN (ANALYZE, BUFFERS) {query}", params).fetchall()
        text = "\n".join(r[0] if isinstance(r, tuple) else r["QUERY PLAN"] for r in plan)
        self.plans.append((" ".join(query.split())[:90], text))
        return self.conn.execute(query, params, **kwargs)


def explain(url: str, runs: int) -> None:
    from shared.adapters.db import Database
    from shared.services.reads import stats as stats_q
    from shared.services.reads import trades as trades_q
    from shared.services.reads.filters import StatsQuery, TradesQuery

    db = Database(url, max_size=2)
    with db.system() as conn:
        tenant = conn.execute("SELECT id FROM tenants WHERE slug = 'bench-alpha'").fetchone()["id"]
        uti = conn.execute("SELECT uti FROM trades WHERE tenant_id = %s ORDER BY uti"
                           " OFFSET 1000 LIMIT 1", (tenant,)).fetchone()["uti"]
    today = datetime.now(UTC).date()
    cases = {
        "trades list, first page": lambda c: trades_q.list_trades(c, TradesQuery()),
        "trades list, filtered (nacked, CURR)": lambda c: trades_q.list_trades(
            c, TradesQuery(state=["nacked"], asset_class=["CURR"])),
        "trades list, counterparty name prefix": lambda c: trades_q.list_trades(
            c, TradesQuery(counterparty="gamma securities 01")),
        "trades list, UTI prefix": lambda c: trades_q.list_trades(c, TradesQuery(q=uti[:-3])),
        "trade detail": lambda c: trades_q.trade_detail(c, uti),
        "stats volumes, 30 days by day": lambda c: stats_q.volumes(
            c, StatsQuery(date_from=today - timedelta(days=29), date_to=today)),
        "stats volumes, 90 days by week": lambda c: stats_q.volumes(
            c, StatsQuery(date_from=today - timedelta(days=89), date_to=today, unit="week")),
        "stats rejections, 30 days": lambda c: stats_q.rejections(
            c, StatsQuery(date_from=today - timedelta(days=29), date_to=today)),
        "stats late reports, 30 days": lambda c: stats_q.late_reports(
            c, StatsQuery(date_from=today - timedelta(days=29), date_to=today)),
        "stats counterparties, 30 days": lambda c: stats_q.counterparties(
            c, StatsQuery(date_from=today - timedelta(days=29), date_to=today)),
    }
    for name, call in cases.items():
        with db.tenant(tenant) as conn:
            spy = _Explaining(conn)
            call(spy)
        timings = []
        for _ in range(runs):
            with db.tenant(tenant) as conn:
                began = time.perf_counter()
                call(conn)
                timings.append((time.perf_counter() - began) * 1000)
        executions = []
        for _query, plan in spy.plans:
            ms = next((line.split(":")[1].strip() for line in plan.splitlines()
                       if line.startswith("Execution Time")), "?")
            executions.append(ms)
        print(f"{name}: service p50 {statistics.median(timings):.2f} ms"
              f" (min {min(timings):.2f}); EXPLAIN ANALYZE execution per query:"
              f" {', '.join(executions)}")
        if "--plans" in sys.argv:
            for query, plan in spy.plans:
                print(f"  -- {query}\n" + "\n".join(f"     {p}" for p in plan.splitlines()))
    db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("database_url")
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--other-events", type=int, default=20_000,
                        help="events of the second tenant")
    parser.add_argument("--days", type=int, default=90, help="events spread over this period")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--explain", action="store_true",
                        help="after loading, EXPLAIN ANALYZE and time the measured queries")
    parser.add_argument("--no-load", action="store_true", help="only --explain")
    parser.add_argument("--plans", action="store_true", help="with --explain: print plans")
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    if not args.no_load and not load(args.database_url, args.events, args.other_events,
                                     args.days, args.seed):
        sys.exit(EXIT_MISMATCH)
    if args.explain or args.no_load:
        explain(args.database_url, args.runs)


if __name__ == "__main__":
    main()

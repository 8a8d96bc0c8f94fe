"""The cost model of an end-to-end run: where the CPU, the statements and the writes went.

`CostModel(stack)` is started before the upload and `report(events)` prints, per action:

- activations, busy seconds (the sum of durations) and GB-seconds (duration x the action's
  memory, what NCP bills) per million events;
- Python CPU per event: each activation's own `cost.cpu_ms` (shared/platform/cost.py, the
  process time of the container while it ran the activation);
- PostgreSQL CPU per event: the server's backends, sampled every second from /proc and
  attributed by `application_name` (`swaprep-<action>`, set by shared/services/bootstrap.py);
  the server's own processes (checkpointer, WAL writer, autovacuum) show as such, and a
  connection that lives less than a second between samples is missed (the table says how much
  of the server's CPU was attributed);
- statements per event and per queue message: each activation's `cost.statements`;

and, for the whole run: rows inserted, updated and deleted per event in each table
(pg_stat_user_tables), WAL bytes per event, the stack's own process (function host, gateway,
triggers, S3 server, TR simulator) and the statements that took the most server time
(pg_stat_statements, which the bench loads into the embedded server).

Linux only (/proc); the embedded server runs on this machine.
"""

from __future__ import annotations

import os
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import psycopg
from psycopg.rows import dict_row

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
# The server settings the model needs (LocalStack(postgres_settings=...)).
# track=all: the statements inside trigger functions are listed too (their time is also in
# the statement that fired them); track_functions: time per trigger function.
POSTGRES_SETTINGS = {"shared_preload_libraries": "pg_stat_statements",
                     "pg_stat_statements.max": "2000", "pg_stat_statements.track": "all",
                     "track_functions": "pl", "track_io_timing": "on"}


def _stat(path: str) -> tuple[int, float] | None:
    """(parent pid, utime + stime in seconds) from a /proc .../stat file; None when gone."""
    try:
        text = Path(path).read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()  # after "(comm) ": state is fields[0]
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def process_cpu_s(pid: int) -> float | None:
    """utime + stime of `pid` in seconds, or None when it is gone."""
    stat = _stat(f"/proc/{pid}/stat")
    return None if stat is None else stat[1]


def _children(parent: int) -> list[int]:
    return [int(entry) for entry in os.listdir("/proc")
            if entry.isdigit() and (stat := _stat(f"/proc/{entry}/stat")) and stat[0] == parent]


def _thread_label(thread: threading.Thread) -> str:
    """What a thread of the stack's process does: its target, else its class and name."""
    target = getattr(thread, "_target", None)
    if target is not None:
        owner = getattr(target, "__self__", None)
        name = getattr(target, "__qualname__", repr(target))
        module = getattr(target, "__module__", "") or type(owner).__module__
        return f"{module}.{name}"
    return f"{type(thread).__module__}.{type(thread).__qualname__}"


def _thread_cpu() -> dict[int, tuple[str, float]]:
    """Each live thread of this process: native id -> (label, CPU seconds)."""
    found = {}
    for thread in threading.enumerate():
        if thread.native_id is None:
            continue
        stat = _stat(f"/proc/self/task/{thread.native_id}/stat")
        if stat is not None:
            found[thread.native_id] = (_thread_label(thread), stat[1])
    return found


class _ServerSampler(threading.Thread):
    """Every second: each server process's CPU, by who it works for."""

    def __init__(self, admin_url: str, postmaster_pid: int, every_s: float = 1.0) -> None:
        super().__init__(daemon=True, name="cost-sampler")
        self.admin_url, self.postmaster, self.every_s = admin_url, postmaster_pid, every_s
        self.stop_event = threading.Event()
        self.first: dict[int, float] = {}  # pid -> CPU at first sight
        self.last: dict[int, float] = {}
        self.owner: dict[int, str] = {}  # pid -> application name or backend type
        # the stack's own threads: native id -> (label, CPU at first sight, CPU last seen)
        self.threads: dict[int, list[Any]] = {}

    def run(self) -> None:
        with psycopg.connect(self.admin_url, autocommit=True, row_factory=dict_row) as conn:
            own = conn.info.backend_pid
            while not self.stop_event.is_set():
                self.sample(conn, own)
                self.stop_event.wait(self.every_s)
            self.sample(conn, own)

    def sample(self, conn: psycopg.Connection[Any], own: int) -> None:
        names = {r["pid"]: (r["application_name"] or r["backend_type"] or "?")
                 for r in conn.execute("SELECT pid, application_name, backend_type"
                                       " FROM pg_stat_activity")}
        names[own] = "(the bench's own sampling)"
        for pid in _children(self.postmaster):
            cpu = process_cpu_s(pid)
            if cpu is None:
                continue
            self.first.setdefault(pid, cpu)
            self.last[pid] = cpu
            if pid in names:
                self.owner[pid] = names[pid]
            else:
                self.owner.setdefault(pid, "(unnamed server process)")
        for tid, (label, cpu) in _thread_cpu().items():
            seen = self.threads.setdefault(tid, [label, cpu, cpu])
            seen[2] = cpu

    def cpu_by_thread(self) -> dict[str, float]:
        totals: dict[str, float] = defaultdict(float)
        for label, first, last in self.threads.values():
            totals[label] += last - first
        return dict(totals)

    def cpu_by_owner(self) -> dict[str, float]:
        totals: dict[str, float] = defaultdict(float)
        for pid, cpu in self.last.items():
            totals[self.owner.get(pid, "?")] += cpu - self.first[pid]
        return dict(totals)


def _table_writes(conn: psycopg.Connection[Any]) -> dict[str, tuple[int, int, int]]:
    return {r["relname"]: (r["n_tup_ins"], r["n_tup_upd"], r["n_tup_del"]) for r in conn.execute(
        "SELECT relname, n_tup_ins, n_tup_upd, n_tup_del FROM pg_stat_user_tables")}


def _stat_snapshot(conn: psycopg.Connection[Any]) -> dict[str, Any]:
    conn.execute("SELECT pg_stat_clear_snapshot()")
    return {"tables": _table_writes(conn),
            "wal": conn.execute("SELECT pg_current_wal_lsn() AS lsn").fetchone()["lsn"]}


class CostModel:
    def __init__(self, stack: Any) -> None:
        self.stack = stack
        self.admin_url = stack.superuser_url()
        if self.admin_url is None:
            raise RuntimeError("the cost model needs the embedded PostgreSQL (its /proc)")
        with psycopg.connect(self.admin_url, autocommit=True, row_factory=dict_row) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
            conn.execute("SELECT pg_stat_statements_reset()")
            conn.execute("SELECT pg_stat_reset()")  # tables and functions: this run only
            checkpointer = conn.execute("SELECT pid FROM pg_stat_activity"
                                        " WHERE backend_type = 'checkpointer'").fetchone()["pid"]
            self.postmaster = _parent_of(checkpointer)
            self.before = _stat_snapshot(conn)
        self.sampler = _ServerSampler(self.admin_url, self.postmaster)
        self.own_cpu = time.process_time()
        self.started = time.monotonic()
        self.sampler.start()

    def stop(self) -> None:
        self.sampler.stop_event.set()
        self.sampler.join(timeout=10)
        self.own_cpu = time.process_time() - self.own_cpu
        self.wall_s = time.monotonic() - self.started
        with psycopg.connect(self.admin_url, autocommit=True, row_factory=dict_row) as conn:
            self.after = _stat_snapshot(conn)
            self.wal_bytes = int(conn.execute(
                "SELECT pg_wal_lsn_diff(%s, %s) AS d",
                (self.after["wal"], self.before["wal"])).fetchone()["d"])
            self.top = conn.execute(
                "SELECT calls, rows, total_exec_time, left(regexp_replace(query, '\\s+', ' ',"
                " 'g'), 110) AS query FROM pg_stat_statements"
                " WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())"
                " ORDER BY total_exec_time DESC LIMIT 14").fetchall()
            self.functions = conn.execute(
                "SELECT funcname, calls, total_time, self_time FROM pg_stat_user_functions"
                " WHERE calls > 0 ORDER BY total_time DESC LIMIT 8").fetchall()

    def report(self, events: int, activations: list[dict[str, Any]],
               memory_mb: dict[str, int]) -> None:
        """Print the model for a run of `events` records; `activations`: one row per action
        with runs, busy_s, cpu_ms, statements, messages."""
        per_event = 1e6 / events  # microseconds per event from seconds
        server = self.sampler.cpu_by_owner()
        attributed = 0.0
        print()
        print(f"cost model: {events:,} records, {self.wall_s:,.0f} s wall;"
              " CPU per event in microseconds")
        print("| action | activations | busy s | GB-s per 1M events | Python CPU us/event |"
              " PostgreSQL CPU us/event | statements/event | statements/message |")
        print("| --- | --- | --- | --- | --- | --- | --- | --- |")
        total_python = total_pg = 0.0
        for row in activations:
            name = row["action"]
            gb_s = float(row["busy_s"]) * memory_mb.get(name, 256) / 1024
            pg = server.get(f"swaprep-{name}", 0.0)
            attributed += pg
            python_s = float(row["cpu_ms"]) / 1000
            total_python += python_s
            total_pg += pg
            messages = int(row["messages"] or 0)
            statements = int(row["statements"] or 0)
            print(f"| {name} | {row['runs']:,} | {float(row['busy_s']):,.1f} |"
                  f" {gb_s * 1e6 / events:,.0f} | {python_s * per_event:,.0f} |"
                  f" {pg * per_event:,.0f} | {statements / events:,.2f} |"
                  f" {statements / messages if messages else 0:,.1f} |")
        others = {k: v for k, v in server.items() if not k.startswith("swaprep-")}
        for name, cpu in sorted(others.items(), key=lambda kv: -kv[1]):
            if cpu >= 0.5:
                print(f"| (server: {name}) | | | | | {cpu * per_event:,.0f} | | |")
        server_total = sum(server.values())
        print(f"| **all actions** | | | | {total_python * per_event:,.0f} |"
              f" {total_pg * per_event:,.0f} | | |")
        print(f"PostgreSQL: {server_total:,.1f} CPU s in all, {attributed:,.1f} s attributed"
              f" to actions; the stack's own process (host, gateway, triggers, S3 server, TR"
              f" simulator): {self.own_cpu:,.1f} CPU s ({self.own_cpu * per_event:,.0f}"
              f" us/event); {self.wall_s * os.cpu_count():,.0f} CPU s were available")
        threads = self.sampler.cpu_by_thread()
        shown = sum(threads.values())
        print("the stack's process by thread (sampled each second; threads that lived less"
              f" than that are not seen: {self.own_cpu - shown:,.1f} CPU s):")
        for label, cpu in sorted(threads.items(), key=lambda kv: -kv[1])[:10]:
            if cpu >= 0.2:
                print(f"  {cpu:8.1f} s  {cpu * per_event:6,.0f} us/event  {label}")
        print(f"WAL: {self.wal_bytes / events:,.0f} bytes per event"
              f" ({self.wal_bytes / 2**20:,.0f} MiB)")
        print()
        print("| table | inserted/event | updated/event | deleted/event |")
        print("| --- | --- | --- | --- |")
        for table, (ins, upd, dele) in sorted(self.after["tables"].items()):
            b = self.before["tables"].get(table, (0, 0, 0))
            d = (ins - b[0], upd - b[1], dele - b[2])
            if any(d):
                print(f"| {table} | {d[0] / events:,.3f} | {d[1] / events:,.3f} |"
                      f" {d[2] / events:,.3f} |")
        print()
        print("| statement (the most server time) | calls | rows | ms total | us/event |")
        print("| --- | --- | --- | --- | --- |")
        for r in self.top:
            print(f"| `{r['query']}` | {r['calls']:,} | {r['rows']:,} |"
                  f" {r['total_exec_time']:,.0f} | {r['total_exec_time'] * 1000 / events:,.0f} |")
        print()
        print("| function (triggers) | calls | ms total | ms self | us/event |")
        print("| --- | --- | --- | --- | --- |")
        for r in self.functions:
            print(f"| {r['funcname']} | {r['calls']:,} | {r['total_time']:,.0f} |"
                  f" {r['self_time']:,.0f} | {r['total_time'] * 1000 / events:,.0f} |")


def _parent_of(pid: int) -> int:
    stat = _stat(f"/proc/{pid}/stat")
    if stat is None:
        raise RuntimeError(f"process {pid} is gone")
    return stat[0]


def copy_floor(admin_url: str, content: bytes) -> tuple[float, int]:
    """Seconds to COPY the FEP file's rows into a table of text columns, in the same server
    (the floor of any pipeline that stores each record once), and the rows copied."""
    header = content[:content.index(b"\n")].decode("utf-8").rstrip("\r").split(",")
    columns = ", ".join(f"c{i} text" for i in range(len(header)))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS copy_floor")
        conn.execute(f"CREATE TABLE copy_floor ({columns})")
        started = time.perf_counter()
        with conn.cursor() as cur:
            with cur.copy("COPY copy_floor FROM STDIN (FORMAT csv, HEADER true)") as copy:
                view = memoryview(content)
                for at in range(0, len(content), 1 << 20):
                    copy.write(view[at:at + (1 << 20)])
            seconds = time.perf_counter() - started
            rows = cur.execute("SELECT count(*) FROM copy_floor").fetchone()[0]
        conn.execute("DROP TABLE copy_floor")
    return seconds, rows

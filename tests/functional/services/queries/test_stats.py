"""Stats add up to the raw events: volumes per local day / week / month from the rollup
equal counts over trade_events by the day they were received (created_at, migration 0013),
through inserts, state changes, repairs and deletes."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from shared.platform import clock
from shared.services.reads import rollup, stats
from shared.services.reads.filters import StatsQuery
from tests.functional.services.queries import seed
from tests.functional.services.queries.seed import lei

pytestmark = pytest.mark.functional

START = datetime(2026, 10, 20, tzinfo=UTC)
STATES = ["acked"] * 6 + ["nacked", "invalid", "received", "valid"]


def load(db, tenant, n: int, rng: random.Random) -> list[dict]:
    """n events received over ~40 days (their event timestamps a day earlier), inserted in
    batches of several rows per statement."""
    events = []
    for i in range(n):
        events.append({
            "uti": f"U{i // 3:05d}", "action": rng.choice(["NEWT", "MODI", "VALU", "TERM"]),
            "ts": START + timedelta(minutes=rng.randrange(40 * 24 * 60)),
            "state": rng.choice(STATES), "asset": rng.choice(["INTR", "CURR", None]),
            "regimes": rng.choice([["krx"], ["krx", "emir"], []]), "n": i})
    with db.tenant(tenant) as conn, conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO trade_events (tenant_id, uti, source, action_type, event_timestamp,"
            " created_at, asset_class, regimes, payload, payload_hash, state)"
            " VALUES (%s, %s, 'file', %s, %s, %s, %s, %s, '{}', %s, %s)",
            [(tenant, e["uti"], e["action"], e["ts"] - timedelta(days=1), e["ts"], e["asset"],
              e["regimes"], str(e["n"]), e["state"]) for e in events])
    return events


def raw(db, tenant) -> list[dict]:
    with db.tenant(tenant) as conn:
        return conn.execute("SELECT created_at AS ts, action_type AS action,"
                            " asset_class AS asset, regimes, state FROM trade_events").fetchall()


def expected(events: list[dict], q: StatsQuery) -> dict:
    """The buckets computed the slow, obvious way in Python."""
    zone = ZoneInfo(q.tz)
    out: dict[str, dict[str, Counter]] = {}
    for e in events:
        local = e["ts"].astimezone(zone)
        if not q.date_from <= local.date() <= q.date_to:
            continue
        day = local.date()
        start = {"day": day, "week": day - timedelta(days=day.weekday()),
                 "month": day.replace(day=1)}[q.unit]
        key = datetime(start.year, start.month, start.day, tzinfo=zone).isoformat()
        b = out.setdefault(key, {d: Counter() for d in ("state", "asset", "action", "regime")})
        b["state"][e["state"]] += 1
        if e["state"] == "superseded":
            continue
        b["asset"][e["asset"] or "none"] += 1
        b["action"][e["action"]] += 1
        for r in e["regimes"] or ["default"]:
            b["regime"][r] += 1
    return out


def check(db, tenant, q: StatsQuery) -> dict:
    with db.tenant(tenant) as conn:
        got = stats.volumes(conn, q)
    want = expected(raw(db, tenant), q)
    assert [b["start"] for b in got["buckets"]] == sorted(want)
    for b in got["buckets"]:
        w = want[b["start"]]
        assert b["by_state"] == dict(w["state"])
        assert b["by_asset_class"] == dict(w["asset"])
        assert b["by_action_type"] == dict(w["action"])
        assert b["by_regime"] == dict(w["regime"])
        assert b["total"] == sum(w["action"].values())
        acked, nacked = w["state"]["acked"], w["state"]["nacked"]
        assert b["acceptance_rate"] == (round(acked / (acked + nacked), 6)
                                        if acked + nacked else None)
    assert got["totals"]["total"] == sum(b["total"] for b in got["buckets"])
    return got


@pytest.mark.parametrize(("unit", "tz"), [("day", "Asia/Seoul"), ("week", "Asia/Seoul"),
                                          ("month", "UTC"), ("day", "America/New_York"),
                                          ("day", "Asia/Kolkata")])
@pytest.mark.date_sensitive
def test_volumes_add_up_to_the_raw_events(db, two_tenants, unit, tz):
    a, b = two_tenants
    rng = random.Random(7)
    load(db, a, 400, rng)
    load(db, b, 50, rng)
    q = StatsQuery(date_from=date(2026, 10, 25), date_to=date(2026, 11, 20), unit=unit, tz=tz)
    got = check(db, a, q)
    in_range = sum(1 for e in raw(db, a)
                   if q.date_from <= e["ts"].astimezone(ZoneInfo(tz)).date() <= q.date_to)
    assert sum(got["totals"]["by_state"].values()) == in_range


def test_the_rollup_follows_updates_repairs_deletes_and_compaction(db, two_tenants):
    a, _ = two_tenants
    load(db, a, 300, random.Random(3))
    q = StatsQuery(date_from=date(2026, 10, 19), date_to=date(2026, 12, 1))
    with db.tenant(a) as conn:
        conn.execute("UPDATE trade_events SET state = 'acked' WHERE state = 'valid'")
        conn.execute("UPDATE trade_events SET state = 'superseded'"
                     " WHERE id IN (SELECT id FROM trade_events WHERE state = 'invalid' LIMIT 5)")
        conn.execute("UPDATE trade_events SET regimes = '{emir}', asset_class = 'CRDT'"
                     " WHERE uti < 'U00020'")
        conn.execute("UPDATE trade_events SET created_at = created_at + interval"
                     " '3 days' WHERE uti BETWEEN 'U00030' AND 'U00040'")
        conn.execute("UPDATE trade_events SET updated_at = now()")  # counted columns unchanged
        conn.execute("DELETE FROM trade_events WHERE uti > 'U00090'")
    before = check(db, a, q)
    assert drift(db) == 0
    with db.system() as conn:
        assert rollup.pending(conn) > 0
        folded = rollup.compact(conn)
        assert folded > 0 and rollup.pending(conn) == 0
        assert rollup.compact(conn) == 0
    assert drift(db) == 0
    assert check(db, a, q) == before
    load(db, a, 20, random.Random(4))  # deltas again on top of the folded counters
    check(db, a, q)
    assert drift(db) == 0


def drift(db) -> int:
    """Rows where rollup + deltas (hourly, and daily in the reporting zone) differ from a
    recount of the events from scratch."""
    recount = ("SELECT e.tenant_id, {bucket} AS b, k.dim, k.key, count(*) AS n"
               " FROM trade_events e CROSS JOIN LATERAL"
               " app.rollup_keys(e.state, e.asset_class, e.action_type, e.regimes) k"
               " GROUP BY 1, 2, 3, 4")
    compare = ("SELECT count(*) AS n FROM (SELECT tenant_id, b, dim, key, sum(events) AS n"
               " FROM ({counters}) u GROUP BY 1, 2, 3, 4 HAVING sum(events) <> 0) r"
               " FULL JOIN ({recount}) e USING (tenant_id, b, dim, key)"
               " WHERE r.n IS DISTINCT FROM e.n")
    hourly = compare.format(
        counters="SELECT tenant_id, hour AS b, dim, key, events FROM trade_event_rollup"
                 " UNION ALL SELECT tenant_id, hour, dim, key, events"
                 " FROM trade_event_rollup_delta",
        recount=recount.format(bucket="app.rollup_hour(e.created_at)"))
    daily = compare.format(
        counters="SELECT tenant_id, day AS b, dim, key, events FROM trade_event_rollup_daily"
                 " UNION ALL SELECT tenant_id, (hour AT TIME ZONE 'Asia/Seoul')::date, dim,"
                 " key, events FROM trade_event_rollup_delta",
        recount=recount.format(bucket="(e.created_at AT TIME ZONE 'Asia/Seoul')::date"))
    with db.system() as conn:
        return sum(conn.execute(sql).fetchone()["n"] for sql in (hourly, daily))


@pytest.mark.date_sensitive
def test_rejections_late_reports_and_counterparties(db, two_tenants):
    a, b = two_tenants
    now = clock.now()
    day = now - timedelta(days=2)
    q = StatsQuery(date_from=(now - timedelta(days=5)).date(), date_to=now.date(), tz="UTC")
    ids = [seed.event(db, a, f"L{i}", ts=day, state=s, deadline=day + timedelta(hours=1),
                      updated=u) for i, (s, u) in enumerate([
                          ("acked", day + timedelta(hours=3)),      # acked late
                          ("acked", day + timedelta(minutes=30)),   # in time
                          ("nacked", None), ("invalid", None),      # still open
                          ("cancelled", None), ("superseded", None)])]
    seed.event(db, a, "FUTURE", ts=now, state="valid", deadline=now + timedelta(days=1))
    seed.event(db, b, "L0", ts=day, state="nacked", deadline=day)
    for rule, count in (("SR-A", 3), ("SR-B", 1)):
        for _ in range(count):
            seed.issue(db, a, ids[3], rule, created=day)
    seed.issue(db, a, ids[3], "SR-WARN", severity="warn", created=day)
    seed.issue(db, a, ids[3], "SR-OLD", created=day - timedelta(days=30))
    seed.report_file(db, a, ids[:3], statuses=["acked", "acked", "nacked"],
                     codes=[None, None, "TR-X"], created=day)
    for n, (cp, name) in enumerate([(lei(1), "One"), (lei(1), "One"), (lei(2), "Two")]):
        seed.trade(db, a, f"C{n}", cp2=cp, cp2_name=name, executed=day,
                   state="acked" if n else "nacked")
    seed.trade(db, a, "COLD", cp2=lei(3), executed=day - timedelta(days=40))
    seed.trade(db, b, "C0", cp2=lei(1), executed=day)
    with db.tenant(a) as conn:
        result = stats.stats(conn, q)
    assert result["rejections"] == {"rules": [{"code": "SR-A", "count": 3},
                                              {"code": "SR-B", "count": 1}],
                                    "tr_codes": [{"code": "TR-X", "count": 1}]}
    assert result["late"] == {"acked_late": 1, "open_overdue": 2,
                              "open_overdue_by_state": {"invalid": 1, "nacked": 1}}
    assert result["counterparties"]["items"] == [
        {"lei": lei(1), "name": "One", "trades": 2, "acked": 1, "nacked": 1, "invalid": 0},
        {"lei": lei(2), "name": "Two", "trades": 1, "acked": 1, "nacked": 0, "invalid": 0}]
    assert result["volumes"]["totals"]["total"] == 6  # superseded not counted, B not seen


def test_concurrent_writers_of_one_hour_never_wait_on_each_other(db, two_tenants):
    """The triggers append: two open transactions counting the same hour and state do not
    block (an upserted counter row would hold the second until the first commits)."""
    a, _ = two_tenants
    first = seed.event(db, a, "W1", ts=START, state="received")
    second = seed.event(db, a, "W2", ts=START, state="received")
    insert = ("INSERT INTO trade_events (tenant_id, uti, source, action_type, event_timestamp,"
              " payload, payload_hash, state) VALUES (%s, %s, 'file', 'NEWT', %s, '{}', %s,"
              " 'received')")
    with db.tenant(a) as one, db.tenant(a) as two:
        two.execute("SET LOCAL lock_timeout = '1s'")
        one.execute(insert, (a, "W3", START, "h3"))
        two.execute(insert, (a, "W4", START, "h4"))
        one.execute("UPDATE trade_events SET state = 'valid' WHERE id = %s", (first,))
        two.execute("UPDATE trade_events SET state = 'valid' WHERE id = %s", (second,))
    received = date.today()  # counted by the day received: the database's now()
    q = StatsQuery(date_from=received - timedelta(days=1), date_to=received + timedelta(days=1),
                   tz="UTC")
    assert check(db, a, q)["totals"]["by_state"] == {"received": 2, "valid": 2}

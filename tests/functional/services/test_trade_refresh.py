"""A stage's trade refreshes, noted in its transaction and applied after its commit
(shared/services/pipeline/trade_state.py), on real PostgreSQL."""

from __future__ import annotations

import threading

from shared.adapters.db import trades as trades_db
from shared.adapters.queue.postgres import PostgresQueue
from shared.services.monitoring import sweep_queues
from shared.services.pipeline import trade_state
from shared.services.pipeline.trade_state import deferred, refresh_pending, refresh_trades


class NoInvoker:
    def invoke_async(self, name, payload):
        return None


def a_trade(db, tenant, uti: str, event_state: str) -> str:
    """A trade the trades list shows as `received`, whose one event is now `event_state`."""
    with db.tenant(tenant) as conn:
        event_id = conn.execute(
            "INSERT INTO trade_events (tenant_id, source, uti, action_type, event_timestamp,"
            " payload, payload_hash, state) VALUES (%s, 'api', %s, 'NEWT', now(), '{}', %s, %s)"
            " RETURNING id", (tenant, uti, f"h-{uti}", event_state)).fetchone()["id"]
        conn.execute("INSERT INTO trades (tenant_id, uti, state) VALUES (%s, %s, 'received')",
                     (tenant, uti))
    return str(event_id)


def trade(db, tenant, uti: str) -> dict:
    with db.tenant(tenant) as conn:
        return conn.execute("SELECT state, lifecycle, last_event_id FROM trades WHERE uti = %s",
                            (uti,)).fetchone()


def pending(db, tenant) -> int:
    with db.tenant(tenant) as conn:
        return conn.execute("SELECT count(*) AS n FROM trade_refresh_pending").fetchone()["n"]


def test_a_stage_notes_its_trades_and_they_show_their_state_after_its_commit(db, two_tenants):
    alpha, beta = two_tenants
    event_id = a_trade(db, alpha, "UTI-A", "acked")
    with deferred(), db.tenant(alpha) as conn:
        refresh_trades(conn, alpha, ["UTI-A"], {"UTI-A": "live"})
    assert trade(db, alpha, "UTI-A")["state"] == "received"  # not inside the stage
    assert pending(db, alpha) == 1 and pending(db, beta) == 0  # the note is the tenant's own
    assert refresh_pending(db, beta) == 0
    assert refresh_pending(db, alpha) == 1
    shown = trade(db, alpha, "UTI-A")
    assert (shown["state"], shown["lifecycle"], str(shown["last_event_id"])) == (
        "acked", "live", event_id)
    assert pending(db, alpha) == 0


def test_a_block_says_whether_it_noted_anything(db, two_tenants):
    """The stage runner looks for pending trades after a message only if it noted some (a
    duplicate or a deferred submit notes none)."""
    alpha, _ = two_tenants
    a_trade(db, alpha, "UTI-N", "valid")
    with deferred() as noted, db.tenant(alpha) as conn:
        refresh_trades(conn, alpha, [])
    assert not noted.any
    with deferred() as noted, db.tenant(alpha) as conn:
        refresh_trades(conn, alpha, ["UTI-N"])
    assert noted.any and pending(db, alpha) == 1


def test_the_latest_noted_lifecycle_wins(db, two_tenants):
    alpha, _ = two_tenants
    a_trade(db, alpha, "UTI-L", "valid")
    for lifecycle in ("live", "terminated", None):  # a stage without one keeps the last
        with deferred(), db.tenant(alpha) as conn:
            refresh_trades(conn, alpha, ["UTI-L"],
                           {"UTI-L": lifecycle} if lifecycle else None)
    refresh_pending(db, alpha)
    assert trade(db, alpha, "UTI-L")["lifecycle"] == "terminated"


def test_a_note_left_while_another_refresher_works_is_applied_by_it(db, two_tenants):
    """The refresher that finds the tenant's lock taken returns at once; the one holding it
    looks again after its commit and applies the note."""
    alpha, _ = two_tenants
    a_trade(db, alpha, "UTI-1", "reported")
    a_trade(db, alpha, "UTI-2", "submitted")
    with deferred(), db.tenant(alpha) as conn:
        refresh_trades(conn, alpha, ["UTI-1"])
    holding, noted = threading.Event(), threading.Event()
    original = trades_db.claim_pending_refresh
    calls = []

    def slow_claim(conn, tenant_id, limit):
        claimed = original(conn, tenant_id, limit)
        calls.append([row["uti"] for row in claimed])
        if len(calls) == 1:  # the first refresher holds the lock while a stage notes more
            holding.set()
            assert noted.wait(10)
        return claimed

    trades_db.claim_pending_refresh = slow_claim
    try:
        first = threading.Thread(target=refresh_pending, args=(db, alpha))
        first.start()
        assert holding.wait(10)
        with deferred(), db.tenant(alpha) as conn:
            refresh_trades(conn, alpha, ["UTI-2"])
        assert refresh_pending(db, alpha) == 0  # the lock is taken: left to the holder
        noted.set()
        first.join(10)
    finally:
        trades_db.claim_pending_refresh = original
    assert calls == [["UTI-1"], ["UTI-2"]]  # the second note, in the holder's second round
    assert trade(db, alpha, "UTI-1")["state"] == "reported"
    assert trade(db, alpha, "UTI-2")["state"] == "submitted"
    assert pending(db, alpha) == 0


def test_the_minute_sweep_applies_notes_nobody_applied(db, two_tenants):
    alpha, beta = two_tenants
    a_trade(db, alpha, "UTI-S", "nacked")
    a_trade(db, beta, "UTI-T", "acked")
    for tenant, uti in ((alpha, "UTI-S"), (beta, "UTI-T")):
        with deferred(), db.tenant(tenant) as conn:  # a stage whose refresh then failed
            refresh_trades(conn, tenant, [uti])
    result = sweep_queues(db=db, queue=PostgresQueue(db), invoker=NoInvoker())
    assert result["trades_refreshed"] == {str(alpha): 1, str(beta): 1}
    assert trade(db, alpha, "UTI-S")["state"] == "nacked"
    assert trade(db, beta, "UTI-T")["state"] == "acked"


def test_outside_a_stage_the_refresh_is_immediate(db, two_tenants):
    """Operator actions and direct calls keep refreshing in their own transaction."""
    alpha, _ = two_tenants
    a_trade(db, alpha, "UTI-O", "valid")
    with db.tenant(alpha) as conn:
        refresh_trades(conn, alpha, ["UTI-O"])
    assert trade(db, alpha, "UTI-O")["state"] == "valid" and pending(db, alpha) == 0


def test_one_tenants_failed_refresh_does_not_hold_back_the_others_in_the_sweep(
        db, two_tenants, monkeypatch):
    alpha, beta = two_tenants
    a_trade(db, alpha, "UTI-X", "acked")
    a_trade(db, beta, "UTI-Y", "acked")
    for tenant, uti in ((alpha, "UTI-X"), (beta, "UTI-Y")):
        with deferred(), db.tenant(tenant) as conn:
            refresh_trades(conn, tenant, [uti])
    real = trade_state.refresh_pending

    def failing_for_alpha(db_, tenant):
        if str(tenant) == str(alpha):
            raise RuntimeError("connection lost")
        return real(db_, tenant)

    monkeypatch.setattr(trade_state, "refresh_pending", failing_for_alpha)
    result = sweep_queues(db=db, queue=PostgresQueue(db), invoker=NoInvoker())
    assert result["trades_refreshed"] == {str(beta): 1}
    assert trade(db, beta, "UTI-Y")["state"] == "acked"
    assert pending(db, alpha) == 1  # kept for the next sweep

"""The idempotency ledger commits with the effect, and keeps tenants apart."""

from __future__ import annotations

import pytest

from shared.platform.idempotency import first_time

pytestmark = pytest.mark.functional


def test_a_key_is_first_once_and_only_once_its_transaction_commits(db, two_tenants):
    tenant, _ = two_tenants
    with pytest.raises(RuntimeError), db.tenant(tenant) as conn:
        assert first_time(conn, "ingest", "sha-abc") is True
        raise RuntimeError("effect failed")  # the mark rolls back with it
    with db.tenant(tenant) as conn:
        assert first_time(conn, "ingest", "sha-abc") is True
    with db.tenant(tenant) as conn:
        assert first_time(conn, "ingest", "sha-abc") is False
        assert first_time(conn, "submit", "sha-abc") is True  # per consumer


def test_the_same_key_of_two_tenants_marks_two_separate_pieces_of_work(db, two_tenants):
    tenant_a, tenant_b = two_tenants
    with db.tenant(tenant_a) as conn:
        assert first_time(conn, "ingest", "sha-same-file") is True
    with db.tenant(tenant_b) as conn:
        assert first_time(conn, "ingest", "sha-same-file") is True
        # Tenant inferred from the transaction: the row is the tenant's own.
        rows = conn.execute("SELECT tenant_id FROM processed_messages").fetchall()
    assert [r["tenant_id"] for r in rows] == [tenant_b]
    with db.system() as conn:
        assert first_time(conn, "ingest", "sha-same-file", tenant_id=tenant_a) is False
        assert first_time(conn, "monitor", "sweep-2026-01-01") is True  # system work: no tenant

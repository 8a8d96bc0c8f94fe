"""Tenant isolation is enforced by PostgreSQL itself, not by the queries we remember to write."""

import psycopg
import pytest

from shared.adapters.db import migrations

pytestmark = pytest.mark.functional


def _seed_trades(db, tenant_a, tenant_b):
    for tenant, uti in ((tenant_a, "UTIA0001"), (tenant_b, "UTIB0001")):
        with db.tenant(tenant) as conn:
            conn.execute(
                "INSERT INTO trades (tenant_id, uti, state) VALUES (%s, %s, 'valid')", (tenant, uti)
            )


def test_tenant_a_cannot_read_tenant_b_through_a_query_without_tenant_filter(db, two_tenants):
    tenant_a, tenant_b = two_tenants
    _seed_trades(db, tenant_a, tenant_b)
    with db.tenant(tenant_a) as conn:
        # Deliberately no WHERE clause: the policy must do the filtering.
        rows = conn.execute("SELECT tenant_id, uti FROM trades").fetchall()
        assert [r["uti"] for r in rows] == ["UTIA0001"]
        assert conn.execute("SELECT count(*) AS n FROM trades WHERE uti = 'UTIB0001'").fetchone()[
            "n"
        ] == 0


def test_hand_written_sql_on_a_raw_connection_sees_nothing_without_a_tenant(
    db, database_url, two_tenants
):
    _seed_trades(db, *two_tenants)
    with psycopg.connect(database_url) as conn:
        assert conn.execute("SELECT count(*) FROM trades").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM tenants").fetchone()[0] == 0


def test_a_tenant_cannot_write_rows_for_another_tenant(db, two_tenants):
    tenant_a, tenant_b = two_tenants
    with pytest.raises(psycopg.errors.InsufficientPrivilege), db.tenant(tenant_a) as conn:
        conn.execute(
            "INSERT INTO trades (tenant_id, uti, state) VALUES (%s, 'SNEAKY', 'valid')", (tenant_b,)
        )


def test_a_tenant_cannot_update_or_delete_another_tenants_rows(db, two_tenants):
    tenant_a, tenant_b = two_tenants
    _seed_trades(db, tenant_a, tenant_b)
    with db.tenant(tenant_a) as conn:
        assert conn.execute("UPDATE trades SET state = 'acked'").rowcount == 1
        assert conn.execute("DELETE FROM trades WHERE uti = 'UTIB0001'").rowcount == 0
    with db.tenant(tenant_b) as conn:
        assert conn.execute("SELECT state FROM trades").fetchone()["state"] == "valid"


def test_tenant_setting_does_not_leak_to_the_next_user_of_a_pooled_connection(db, two_tenants):
    tenant_a, tenant_b = two_tenants
    _seed_trades(db, tenant_a, tenant_b)
    with db.tenant(tenant_a):
        pass
    with db.unscoped() as conn:
        assert conn.execute("SELECT count(*) AS n FROM trades").fetchone()["n"] == 0


def test_every_tenant_owned_table_has_forced_row_level_security(db):
    with db.system() as conn:
        rows = conn.execute(
            "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity"
            " FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid"
            " WHERE a.attname = 'tenant_id' AND c.relkind = 'r'"
            " AND c.relnamespace = 'public'::regnamespace"
        ).fetchall()
    assert len(rows) >= 18
    unguarded = [
        r["relname"] for r in rows if not (r["relrowsecurity"] and r["relforcerowsecurity"])
    ]
    assert unguarded == []


def test_health_ping_reports_that_rls_is_enforced_for_the_app_role(db):
    assert db.ping()["rls_enforced"] is True


def test_migrations_are_recorded_and_rerunnable(database_url):
    assert migrations.migrate(database_url) == []
    assert all(m["applied"] for m in migrations.status(database_url))


def test_a_migration_changed_after_it_was_applied_is_refused(database_url):
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("UPDATE schema_migrations SET checksum = 'tampered' WHERE version = 1")
    with pytest.raises(migrations.MigrationError, match="changed after it was applied"):
        migrations.migrate(database_url)


def _seed_entities(db, tenant_a, tenant_b):
    """Each tenant's head office and a client agreement, through the entities adapter."""
    from datetime import date

    from shared.adapters.db import entities

    for tenant, code, lei in ((tenant_a, "A-HO", "9884DEMO000000000123"),
                              (tenant_b, "B-HO", "9884DEMO000000000220")):
        with db.tenant(tenant) as conn:
            entities.upsert_entity(conn, {"entity_id": code, "name": code, "kind": "head_office",
                                          "country": "KR", "lei": lei, "parent": None,
                                          "statuses": {"krx": "REPORTING"}})
            entities.insert_agreement(conn, {
                "client_lei": "9884DEMO000000030351", "client_name": f"client of {code}",
                "regime": "uk-emir", "capacity": "voluntary", "delegate": code,
                "valid_from": date(2026, 1, 1), "valid_to": None, "client_status": None,
                "opted_out": False})


def test_a_tenant_sees_and_changes_only_its_own_entities_and_agreements(db, two_tenants):
    from shared.adapters.db import entities

    tenant_a, tenant_b = two_tenants
    _seed_entities(db, tenant_a, tenant_b)
    with db.tenant(tenant_a) as conn:
        assert [e["entity_id"] for e in entities.entities(conn)] == ["A-HO"]
        assert [a["client_name"] for a in entities.agreements(conn)] == ["client of A-HO"]
        # no tenant filter in the statements: the policy alone hides B's rows
        assert conn.execute("UPDATE legal_entities SET name = 'taken'").rowcount == 1
        assert conn.execute("DELETE FROM delegation_agreements"
                            " WHERE client_name = 'client of B-HO'").rowcount == 0
        assert not entities.delete_entity(conn, "B-HO")
    with db.tenant(tenant_b) as conn:
        assert [(e["entity_id"], e["name"]) for e in entities.entities(conn)] == [
            ("B-HO", "B-HO")]
        assert len(entities.agreements(conn)) == 1


@pytest.mark.parametrize("statement", [
    "INSERT INTO legal_entities (tenant_id, entity_id, name, kind, country, lei)"
    " VALUES (%s, 'SNEAKY', 'x', 'head_office', 'KR', '9884DEMO000000000123')",
    "INSERT INTO delegation_agreements (tenant_id, client_lei, client_name, regime, capacity,"
    " delegate, valid_from) VALUES (%s, '9884DEMO000000030351', 'x', 'uk-emir', 'voluntary',"
    " 'B-HO', '2026-01-01')",
])
def test_a_tenant_cannot_write_entities_or_agreements_for_another(db, two_tenants, statement):
    tenant_a, tenant_b = two_tenants
    _seed_entities(db, tenant_a, tenant_b)
    with pytest.raises(psycopg.errors.InsufficientPrivilege), db.tenant(tenant_a) as conn:
        conn.execute(statement, (tenant_b,))

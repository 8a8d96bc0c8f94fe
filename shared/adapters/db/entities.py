"""The `legal_entities` and `delegation_agreements` tables (migration 0021): a tenant's
entities, branches and client agreements, which routing (shared.domain.obligations) reads.

Row-level security scopes every statement to the transaction's tenant; `tenant_id` is set
from `app.current_tenant()` so a caller can never write into another tenant. Rows go in and
out as dicts with the domain's field names; `book_rows` is the one read the pipeline does per
chunk (both tables, one round trip each).
"""

from __future__ import annotations

from typing import Any

from psycopg.types.json import Jsonb

_ENTITY_COLUMNS = "entity_id, name, kind, country, lei, parent, statuses, created_at, updated_at"
_AGREEMENT_COLUMNS = ("id, client_lei, client_name, regime, capacity, delegate, valid_from, "
                      "valid_to, client_status, opted_out, created_at")


def entities(conn: Any) -> list[dict[str, Any]]:
    """The tenant's entities, head offices before their branches, then by id."""
    rows: list[dict[str, Any]] = conn.execute(
        f"SELECT {_ENTITY_COLUMNS} FROM legal_entities"
        " ORDER BY (kind = 'branch'), entity_id").fetchall()
    return rows


def agreements(conn: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = conn.execute(
        f"SELECT {_AGREEMENT_COLUMNS} FROM delegation_agreements"
        " ORDER BY client_name, regime, valid_from").fetchall()
    return rows


def lock_book(conn: Any) -> None:
    """Serialise changes to the tenant's entities and agreements until commit: each change is
    checked against the whole book, so two admins' changes must not pass the check side by
    side (a branch moved under another branch while a branch is added to it)."""
    conn.execute("SELECT pg_advisory_xact_lock(hashtextextended("
                 "'legal_entities:' || app.current_tenant()::text, 0))")


def book_rows(conn: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(entities, agreements) for `EntityBook`."""
    return entities(conn), agreements(conn)


def upsert_entity(conn: Any, entity: dict[str, Any]) -> dict[str, Any]:
    """Insert or replace one entity by its entity_id; returns the stored row."""
    row: dict[str, Any] = conn.execute(
        "INSERT INTO legal_entities (tenant_id, entity_id, name, kind, country, lei, parent,"
        " statuses) VALUES (app.current_tenant(), %(entity_id)s, %(name)s, %(kind)s,"
        " %(country)s, %(lei)s, %(parent)s, %(statuses)s)"
        " ON CONFLICT (tenant_id, entity_id) DO UPDATE SET name = EXCLUDED.name,"
        " kind = EXCLUDED.kind, country = EXCLUDED.country, lei = EXCLUDED.lei,"
        " parent = EXCLUDED.parent, statuses = EXCLUDED.statuses, updated_at = now()"
        f" RETURNING {_ENTITY_COLUMNS}",
        {**entity, "statuses": Jsonb(dict(entity.get("statuses") or {}))}).fetchone()
    return row


def delete_entity(conn: Any, entity_id: str) -> bool:
    """Remove an entity; False when there is none. A branch or agreement that still names it
    makes the database refuse (a foreign-key error), which the caller reports."""
    deleted = conn.execute("DELETE FROM legal_entities WHERE entity_id = %s",
                           (entity_id,)).rowcount
    return bool(deleted)


def insert_agreement(conn: Any, agreement: dict[str, Any]) -> dict[str, Any]:
    row: dict[str, Any] = conn.execute(
        "INSERT INTO delegation_agreements (tenant_id, client_lei, client_name, regime,"
        " capacity, delegate, valid_from, valid_to, client_status, opted_out)"
        " VALUES (app.current_tenant(), %(client_lei)s, %(client_name)s, %(regime)s,"
        " %(capacity)s, %(delegate)s, %(valid_from)s, %(valid_to)s, %(client_status)s,"
        f" %(opted_out)s) RETURNING {_AGREEMENT_COLUMNS}", agreement).fetchone()
    return row


def delete_agreement(conn: Any, agreement_id: Any) -> bool:
    deleted = conn.execute("DELETE FROM delegation_agreements WHERE id = %s",
                           (str(agreement_id),)).rowcount
    return bool(deleted)

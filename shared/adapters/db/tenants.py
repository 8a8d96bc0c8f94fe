"""The `tenants` table as the pipeline, sign-in and the monitor read it: one row shape (id,
slug, LEI, regimes, FEP profile) for every lookup, so a new column or rule about tenants has
one home. Row-level security decides which tenants a transaction sees (a tenant scope sees
its own row, the system scope all of them). Creating and changing tenants is issue 18's."""

from __future__ import annotations

from typing import Any

_COLUMNS = "id, slug, lei, regimes, fep_profile"


def by_id(conn: Any, tenant_id: Any) -> dict[str, Any] | None:
    """The tenant, or None when it does not exist or is not visible here."""
    row: dict[str, Any] | None = conn.execute(
        f"SELECT {_COLUMNS} FROM tenants WHERE id = %s", (str(tenant_id),)).fetchone()
    return row


def by_slug(conn: Any, slug: str | None) -> dict[str, Any] | None:
    """The tenant an uploaded object's folder or a token's claim names."""
    row: dict[str, Any] | None = conn.execute(
        f"SELECT {_COLUMNS} FROM tenants WHERE slug = %s", (slug,)).fetchone()
    return row


def for_folder(conn: Any, folder: str) -> list[dict[str, Any]]:
    """Up to two tenants whose slug or LEI is a feedback file's folder, a slug match first
    (two rows mean the folder is ambiguous)."""
    rows: list[dict[str, Any]] = conn.execute(
        f"SELECT {_COLUMNS} FROM tenants WHERE slug = lower(%s) OR lei = upper(%s)"
        " ORDER BY (slug = lower(%s)) DESC LIMIT 2", (folder, folder, folder)).fetchall()
    return rows


def every(conn: Any) -> list[dict[str, Any]]:
    """Every visible tenant, by slug."""
    rows: list[dict[str, Any]] = conn.execute(
        f"SELECT {_COLUMNS} FROM tenants ORDER BY slug").fetchall()
    return rows

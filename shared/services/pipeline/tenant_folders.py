"""Which tenant a TR's drop folder names: feedback files and end-of-day reports both arrive
under `<tenant slug or LEI>/...` in the feedback bucket."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from shared.adapters.db import tenants as tenants_db

if TYPE_CHECKING:
    from shared.services.ports import Database


def tenant_for_folder(db: Database, folder: str) -> tuple[Any, str] | None:
    """(tenant id, slug) of the tenant the folder names by slug or LEI; None when no tenant,
    or two (an LEI two tenants share, with no slug match), answer to it."""
    if not folder:
        return None
    with db.system() as conn:
        rows = tenants_db.for_folder(conn, folder)
    if not rows or (len(rows) > 1 and rows[0]["slug"] != folder.lower()):
        return None
    return rows[0]["id"], rows[0]["slug"]

"""The `upi_cache` table (migration 0028): UPIs by product-attribute hash, and negative
entries (why none could be had, until when). Not tenant-owned (docs/UPI.md), so the same
statements serve a tenant's transaction and the system's.

`entries` is the one read a pipeline chunk does (all its products in one statement);
`store` writes any number of entries in one statement. A positive entry is never replaced by
a negative one: a DSB that is down does not make a known UPI unknown.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from psycopg.types.json import Jsonb

_COLUMNS = ("attributes_key, upi, attributes, source, fetched_at, unavailable_reason,"
            " unavailable_detail, retry_after")


def entries(conn: Any, keys: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The cached entries of `keys` (attribute hashes), by key; a key not cached is absent."""
    wanted = sorted(set(keys))
    if not wanted:
        return {}
    rows = conn.execute(f"SELECT {_COLUMNS} FROM upi_cache WHERE attributes_key = ANY(%s)",
                        (wanted,)).fetchall()
    return {row["attributes_key"]: row for row in rows}


def by_code(conn: Any, upi: str) -> dict[str, Any] | None:
    row: dict[str, Any] | None = conn.execute(
        f"SELECT {_COLUMNS} FROM upi_cache WHERE upi = %s ORDER BY fetched_at DESC LIMIT 1",
        (upi,)).fetchone()
    return row


def store(conn: Any, items: Sequence[dict[str, Any]]) -> int:
    """Insert or refresh entries: each `{key, upi | None, attributes, source, fetched_at,
    reason, detail, retry_after}`. Returns how many rows changed."""
    if not items:
        return 0
    params = {
        "keys": [i["key"] for i in items], "upis": [i.get("upi") for i in items],
        "attrs": [Jsonb(i["attributes"]) for i in items], "sources": [i["source"] for i in items],
        "ats": [i["fetched_at"] for i in items], "reasons": [i.get("reason") for i in items],
        "details": [i.get("detail") for i in items],
        "retries": [i.get("retry_after") for i in items],
    }
    cursor = conn.execute(
        f"INSERT INTO upi_cache ({_COLUMNS})"
        " SELECT * FROM unnest(%(keys)s::text[], %(upis)s::text[], %(attrs)s::jsonb[],"
        " %(sources)s::text[], %(ats)s::timestamptz[], %(reasons)s::text[], %(details)s::text[],"
        " %(retries)s::timestamptz[])"
        " ON CONFLICT (attributes_key) DO UPDATE SET upi = EXCLUDED.upi,"
        " attributes = EXCLUDED.attributes, source = EXCLUDED.source,"
        " fetched_at = EXCLUDED.fetched_at, unavailable_reason = EXCLUDED.unavailable_reason,"
        " unavailable_detail = EXCLUDED.unavailable_detail, retry_after = EXCLUDED.retry_after"
        # a known UPI stays known: only another UPI replaces it
        " WHERE EXCLUDED.upi IS NOT NULL OR upi_cache.upi IS NULL", params)
    return int(cursor.rowcount)


def count(conn: Any) -> dict[str, int]:
    row = conn.execute("SELECT count(upi) AS found, count(*) - count(upi) AS unavailable"
                       " FROM upi_cache").fetchone()
    return {"found": int(row["found"]), "unavailable": int(row["unavailable"])}


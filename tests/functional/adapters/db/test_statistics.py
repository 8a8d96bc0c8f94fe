"""The planner statistics a stage refreshes when its writes have outgrown them."""

from __future__ import annotations

import uuid

from shared.adapters.db import statistics


def _stored_rows(db, n: int) -> None:
    """n raw rows of one file, as ingest stores them, flushed to the server's statistics."""
    key = f"file-{uuid.uuid4()}"
    with db.system() as conn:
        tenant = conn.execute("INSERT INTO tenants (slug, name) VALUES ('stats-bank', 'T')"
                              " ON CONFLICT (slug) DO UPDATE SET name = 'T' RETURNING id"
                              ).fetchone()["id"]
        file_id = conn.execute(
            "INSERT INTO ingest_files (tenant_id, bucket, object_key, sha256, size_bytes)"
            " VALUES (%s, 'b', %s, encode(sha256(convert_to(%s, 'UTF8')), 'hex'), 1)"
            " RETURNING id", (tenant, key, key),
        ).fetchone()["id"]
        conn.execute(
            "INSERT INTO raw_rows (tenant_id, file_id, row_no, chunk_no, content)"
            " SELECT %s, %s, g, g / 500, 'x' FROM generate_series(1, %s) g",
            (tenant, file_id, n))
        conn.execute("SELECT pg_stat_force_next_flush()")  # at commit, not within a second


def test_a_table_that_outgrew_its_statistics_is_named_until_analysed(db):
    with db.unscoped() as conn:
        assert statistics.outgrown(conn) == []  # a fresh database: nothing changed
    _stored_rows(db, 3000)
    with db.unscoped() as conn:
        assert statistics.outgrown(conn) == ["raw_rows"]
        statistics.analyze(conn, "raw_rows")
    with db.unscoped() as conn:
        assert statistics.outgrown(conn) == []
        facts = conn.execute("SELECT reltuples FROM pg_class WHERE relname = 'raw_rows'"
                             ).fetchone()
    assert facts["reltuples"] == 3000  # what the planner now estimates from
    # Growth short of twice the size at the last ANALYZE is autovacuum's business ...
    _stored_rows(db, 2500)
    with db.unscoped() as conn:
        assert statistics.outgrown(conn) == []
    _stored_rows(db, 1000)  # ... twice it is not (6,500 rows against 3,000)
    with db.unscoped() as conn:
        assert statistics.outgrown(conn) == ["raw_rows"]

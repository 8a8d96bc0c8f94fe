"""The TR feedback ledger: `tr_feedback` (migrations/0001_schema.sql), one row per tenant
and content.

A feedback object is recorded here before anything is applied, unique per (tenant, sha256),
so the same content delivered again under any name is counted, never applied twice; the row
then says what became of it (applied, rejected and why). The tenant lookup by the object's
folder is here too, since feedback is the one stage that finds its tenant that way.

Every function runs in the caller's transaction (`conn`, tenant or system scope).
"""

from __future__ import annotations

from typing import Any

import psycopg


def record_delivery(conn: psycopg.Connection[Any], *, tenant_id: Any, bucket: str,
                    object_key: str, sha256: str) -> dict[str, Any]:
    """The ledger row of this content: new, or the existing one with one more delivery.
    Returns id, inserted (new row), status, object_key (of the first delivery) and
    report_file_id."""
    row: dict[str, Any] | None = conn.execute(
        "INSERT INTO tr_feedback (tenant_id, bucket, object_key, sha256)"
        " VALUES (%s, %s, %s, %s) ON CONFLICT (tenant_id, sha256) DO UPDATE"
        " SET deliveries = tr_feedback.deliveries + 1, last_seen_at = now()"
        " RETURNING id, (xmax = 0) AS inserted, status, object_key, report_file_id",
        (tenant_id, bucket, object_key, sha256),
    ).fetchone()
    assert row is not None  # inserted or updated: RETURNING gives the row either way
    return row


def mark_rejected(conn: psycopg.Connection[Any], feedback_id: Any, *, error: str,
                  report_file_id: str | None, tr_message_id: str | None) -> None:
    conn.execute(
        "UPDATE tr_feedback SET status = 'rejected', error = %s, report_file_id = %s,"
        " tr_message_id = %s WHERE id = %s",
        (error, report_file_id, tr_message_id, feedback_id))


def mark_applied(conn: psycopg.Connection[Any], feedback_id: Any, *, report_file_id: str,
                 tr_message_id: str, ack_count: int, nack_count: int,
                 error: str | None) -> None:
    conn.execute(
        "UPDATE tr_feedback SET status = 'applied', report_file_id = %s, tr_message_id = %s,"
        " ack_count = %s, nack_count = %s, error = %s WHERE id = %s",
        (report_file_id, tr_message_id, ack_count, nack_count, error, feedback_id),
    )

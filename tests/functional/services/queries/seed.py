"""Rows for the query tests, written with plain SQL in the tenant's own RLS scope (as the
stages write them), so that each test states exactly the data its assertions rely on."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from shared.adapters.db import Database

T0 = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)


def lei(n: int) -> str:
    return f"5299{n:014d}00"[:20]


def event(db: Database, tenant: Any, uti: str, *, action: str = "NEWT",
          ts: datetime = T0, state: str = "acked", asset_class: str | None = "INTR",
          regimes: list[str] | None = None, payload: dict[str, Any] | None = None,
          trade_id: str | None = None, deadline: datetime | None = None,
          updated: datetime | None = None, file_id: Any = None, row_no: int | None = None,
          created: datetime | None = None) -> uuid.UUID:
    body = payload or {"uti": uti, "action_type": action}
    text = json.dumps(body, sort_keys=True)
    with db.tenant(tenant) as conn:
        return conn.execute(
            "INSERT INTO trade_events (tenant_id, uti, trade_id, source, action_type,"
            " event_timestamp, asset_class, regimes, payload, payload_hash, state, deadline_at,"
            " updated_at, file_id, row_no, created_at)"
            " VALUES (%s, %s, %s, 'file', %s, %s, %s, %s, %s, %s, %s, %s,"
            " coalesce(%s, now()), %s, %s, coalesce(%s, now())) RETURNING id",
            (tenant, uti, trade_id, action, ts, asset_class, regimes or ["krx"], text,
             hashlib.sha256(text.encode()).hexdigest(), state, deadline, updated, file_id,
             row_no, created)).fetchone()["id"]


def trade(db: Database, tenant: Any, uti: str, *, state: str = "acked",
          trade_id: str | None = None, asset_class: str = "INTR",
          regimes: list[str] | None = None, action: str = "NEWT", cp1: str | None = None,
          cp2: str | None = None, cp2_name: str | None = None, executed: datetime = T0,
          updated: datetime = T0, last_event_id: Any = None) -> str:
    with db.tenant(tenant) as conn:
        conn.execute(
            "INSERT INTO trades (tenant_id, uti, trade_id, asset_class, counterparty_1,"
            " counterparty_2, counterparty_2_name, state, last_action_type, regimes,"
            " executed_at, updated_at, last_event_id)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (tenant, uti, trade_id, asset_class, cp1, cp2, cp2_name, state, action,
             regimes or ["krx"], executed, updated, last_event_id))
    return uti


def report_file(db: Database, tenant: Any, event_ids: list[Any], *, statuses: list[str],
                codes: list[str | None] | None = None, status: str = "acked",
                regime: str = "krx", tr_message_id: str | None = None,
                created: datetime = T0) -> uuid.UUID:
    codes = codes or [None] * len(event_ids)
    with db.tenant(tenant) as conn:
        file_id = conn.execute(
            "INSERT INTO report_files (tenant_id, regime, tr, record_count, status,"
            " tr_message_id, created_at) VALUES (%s, %s, 'sim', %s, %s, %s, %s) RETURNING id",
            (tenant, regime, len(event_ids), status, tr_message_id, created)).fetchone()["id"]
        for pos, (event_id, item_status, code) in enumerate(
                zip(event_ids, statuses, codes, strict=True), start=1):
            conn.execute(
                "INSERT INTO report_items (tenant_id, report_file_id, event_id, position,"
                " record_ref, status, tr_code, tr_message) VALUES (%s, %s, %s, %s, %s, %s,"
                " %s, %s)", (tenant, file_id, event_id, pos, f"r{pos}", item_status, code,
                             f"{code} message" if code else None))
        conn.execute(
            "INSERT INTO submissions (tenant_id, report_file_id, attempt, started_at,"
            " http_status, tr_message_id, outcome) VALUES (%s, %s, 1, %s, 202, %s, 'accepted')",
            (tenant, file_id, created, tr_message_id))
        conn.execute(
            "INSERT INTO tr_feedback (tenant_id, report_file_id, bucket, object_key, sha256,"
            " status, ack_count, nack_count, tr_message_id) VALUES (%s, %s, 'fb', %s, %s,"
            " 'applied', %s, %s, %s)",
            (tenant, file_id, f"k/{file_id}.json", hashlib.sha256(str(file_id).encode())
             .hexdigest(), statuses.count("acked"), statuses.count("nacked"), tr_message_id))
    return file_id


def issue(db: Database, tenant: Any, event_id: Any, rule: str, *, status: str = "open",
          severity: str = "reject", created: datetime = T0, regime: str = "krx") -> int:
    with db.tenant(tenant) as conn:
        return conn.execute(
            "INSERT INTO validation_issues (tenant_id, event_id, rule_id, severity, field,"
            " message, status, created_at, regime) VALUES (%s, %s, %s, %s, 'notional', %s,"
            " %s, %s, %s) RETURNING id",
            (tenant, event_id, rule, severity, f"{rule} broken", status, created, regime)
        ).fetchone()["id"]


def audit(db: Database, tenant: Any, *, action: str, entity_type: str, entity_id: str,
          actor: str = "alice", at: datetime = T0) -> int:
    with db.tenant(tenant) as conn:
        return conn.execute(
            "INSERT INTO audit_log (tenant_id, at, actor, actor_type, action, entity_type,"
            " entity_id, after) VALUES (%s, %s, %s, 'user', %s, %s, %s, '{}') RETURNING id",
            (tenant, at, actor, action, entity_type, entity_id)).fetchone()["id"]


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)

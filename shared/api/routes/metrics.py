"""GET /api/metrics: the caller's tenant in Prometheus text exposition format 0.0.4.

Written by hand, not with prometheus-client: a handful of gauges from one tenant transaction
need no registry, and the api zip stays lean. Every count comes from the caller's tenant
transaction (RLS), so a scrape can never show another tenant's figures; every known label
value is listed, zeros included, so a series does not vanish when its count drops to 0.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from shared.api.routes.operations import caller
from shared.platform.action import ActionContext
from shared.platform.web import Router, WebRequest, response
from shared.services import bootstrap

router = Router()
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

EVENT_STATES = ("received", "invalid", "valid", "reported", "submitted", "acked", "nacked",
                "cancelled", "superseded", "not_reportable")
FILE_STATUSES = ("received", "parsing", "parsed", "rejected", "duplicate")
ALERT_SEVERITIES = ("info", "warning", "critical")
ALERT_STATUSES = ("open", "acked")
SUBMISSION_OUTCOMES = ("accepted", "retry", "failed")


@dataclass
class Family:
    name: str
    kind: str  # gauge | counter
    help: str
    samples: list[tuple[dict[str, str], float]] = field(default_factory=list)


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def render(families: Iterable[Family]) -> str:
    """The text format: HELP, TYPE, then one line per sample (`_total` for counters)."""
    lines: list[str] = []
    for family in families:
        lines.append(f"# HELP {family.name} {family.help}")
        lines.append(f"# TYPE {family.name} {family.kind}")
        sample = family.name + ("_total" if family.kind == "counter" else "")
        for labels, value in family.samples:
            text = ",".join(f'{k}="{_escape(str(v))}"' for k, v in labels.items())
            lines.append(f"{sample}{{{text}}} {value:g}" if text else f"{sample} {value:g}")
    return "\n".join(lines) + "\n"


def _family(name: str, kind: str, help_: str, tenant: str, label: str, values: Iterable[str],
            counts: Mapping[tuple[str, ...], int]) -> Family:
    known = list(values)
    extra = sorted(k[0] for k in counts if k[0] not in known)  # a value added later
    return Family(name, kind, help_, [({"tenant": tenant, label: v}, counts.get((v,), 0))
                                      for v in known + extra])


def collect(conn: Any, tenant: str, *, queues: bool) -> list[Family]:
    """The tenant's figures; `queues` only where queues live in PostgreSQL (an SQS backend
    has no per-tenant depth to count)."""
    from shared.adapters.db import api_reads

    families = [
        _family("swaprep_events", "gauge", "Trade events by state.", tenant, "state",
                EVENT_STATES, api_reads.count_events_by_state(conn)),
        _family("swaprep_files", "gauge", "Ingested files by status.", tenant, "status",
                FILE_STATUSES, api_reads.count_files_by_status(conn)),
        _family("swaprep_submissions", "counter", "Submissions to a TR by outcome.", tenant,
                "outcome", SUBMISSION_OUTCOMES, api_reads.count_submissions_by_outcome(conn)),
    ]
    alerts = api_reads.count_unresolved_alerts(conn)
    families.append(Family("swaprep_alerts_open", "gauge",
                           "Unresolved alerts by severity and status (open or acked).", [
                               ({"tenant": tenant, "severity": s, "status": st},
                                alerts.get((s, st), 0))
                               for s in ALERT_SEVERITIES for st in ALERT_STATUSES]))
    if queues:
        from shared.services.pipeline import CONSUMERS

        families.append(_family(
            "swaprep_queue_messages", "gauge", "Messages waiting or in flight, by queue.",
            tenant, "queue", sorted(CONSUMERS), api_reads.count_queue_messages(conn)))
        families.append(_family(
            "swaprep_dead_letters", "gauge", "Dead letters not redriven, by queue.", tenant,
            "queue", sorted(CONSUMERS), api_reads.count_dead_letters(conn)))
    return families


@router.route("GET", "/api/metrics")
def get_metrics(request: WebRequest, ctx: ActionContext) -> dict:
    who = caller(request, ctx, None)  # every role may read its tenant's figures
    postgres_queues = ctx.config.get("queue_backend") == "postgres"
    with bootstrap.database(ctx.config).tenant(who.tenant_id) as conn:
        families = collect(conn, who.tenant_slug, queues=postgres_queues)
    return response(200, render(families), content_type=CONTENT_TYPE,
                    headers={"Cache-Control": "no-store"}, request_id=request.request_id)

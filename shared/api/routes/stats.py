"""Statistics (docs/API.md#queries). Separate endpoints because their costs differ: volumes
and acceptance read the rollup counters (milliseconds on any volume), rejections, late
reports and counterparties count the period's rows (tens of milliseconds at 1M events; see
docs/QUERIES.md); `/api/stats` is today's summary for the console's front page."""

from __future__ import annotations

from typing import Any

from shared.api.reading import read_list
from shared.platform.action import ActionContext
from shared.platform.web import Router, WebRequest

router = Router()
NO_TOP = ("top",)  # only the top-N endpoints take it


def _stats_query() -> Any:
    from shared.services.reads.filters import StatsQuery

    return StatsQuery


def _acceptance(conn: Any, query: Any) -> dict[str, Any]:
    """The acceptance rate per bucket and in total, from the volumes' counters."""
    from shared.services.reads.stats import volumes

    data = volumes(conn, query)
    rate = ("acked", "nacked", "acceptance_rate")
    return {"unit": data["unit"], "tz": data["tz"],
            "buckets": [{"start": b["start"], **{k: b[k] for k in rate}}
                        for b in data["buckets"]],
            "totals": {k: data["totals"][k] for k in rate}}


def _counterparties(conn: Any, query: Any) -> dict[str, Any]:
    from shared.services.reads.stats import counterparties

    return {**counterparties(conn, query), "next_cursor": None}  # the top N: no more pages


@router.route("GET", "/api/stats/volumes")
def volumes(request: WebRequest, ctx: ActionContext) -> dict[str, Any]:
    from shared.services.reads.stats import volumes as service

    return read_list(request, ctx, _stats_query(), service, exclude=NO_TOP)


@router.route("GET", "/api/stats/acceptance")
def acceptance(request: WebRequest, ctx: ActionContext) -> dict[str, Any]:
    return read_list(request, ctx, _stats_query(), _acceptance, exclude=NO_TOP)


@router.route("GET", "/api/stats/rejections")
def rejections(request: WebRequest, ctx: ActionContext) -> dict[str, Any]:
    from shared.services.reads.stats import rejections as service

    return read_list(request, ctx, _stats_query(), service, exclude=("unit",))


@router.route("GET", "/api/stats/late")
def late(request: WebRequest, ctx: ActionContext) -> dict[str, Any]:
    from shared.services.reads.stats import late_reports as service

    return read_list(request, ctx, _stats_query(), service, exclude=("unit", "top"))


@router.route("GET", "/api/stats/counterparties")
def counterparties(request: WebRequest, ctx: ActionContext) -> dict[str, Any]:
    return read_list(request, ctx, _stats_query(), _counterparties, exclude=("unit",))


@router.route("GET", "/api/stats")
def summary(request: WebRequest, ctx: ActionContext) -> dict[str, Any]:
    from shared.services.monitoring.settings import MonitorSettings
    from shared.services.reads.dashboard import dashboard
    from shared.services.reads.filters import DashboardQuery

    # The monitor's at-risk window, so the count matches its deadline.at_risk alert.
    window = MonitorSettings.from_config(ctx.config).at_risk_window_s
    return read_list(request, ctx, DashboardQuery,
                     lambda conn, query: dashboard(conn, query, at_risk_window_s=window))

"""Trades (docs/API.md#queries): the current state per UTI, and one UTI's whole history."""

from __future__ import annotations

from typing import Any

from shared.api.reading import read_list, read_one
from shared.platform.action import ActionContext
from shared.platform.web import Router, WebRequest

router = Router()


# -- trades -------------------------------------------------------------------------------------

@router.route("GET", "/api/trades")
def list_trades(request: WebRequest, ctx: ActionContext) -> dict[str, Any]:
    from shared.services.monitoring.settings import MonitorSettings
    from shared.services.reads.filters import TradesQuery
    from shared.services.reads.trades import list_trades as service

    # due=at_risk: the monitor's window, as the dashboard's tile and the deadline alert use.
    window = MonitorSettings.from_config(ctx.config).at_risk_window_s
    return read_list(request, ctx, TradesQuery,
                     lambda conn, query: service(conn, query, at_risk_window_s=window))


@router.route("GET", "/api/trades/{uti}")
def trade_detail(request: WebRequest, ctx: ActionContext) -> dict[str, Any]:
    from shared.services.reads.trades import trade_detail as service

    return read_one(request, ctx, "trade with UTI", "uti", service)

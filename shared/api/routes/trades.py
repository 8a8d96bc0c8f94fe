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
    from shared.services.reads.filters import TradesQuery
    from shared.services.reads.trades import list_trades as service

    return read_list(request, ctx, TradesQuery, service)


@router.route("GET", "/api/trades/{uti}")
def trade_detail(request: WebRequest, ctx: ActionContext) -> dict[str, Any]:
    from shared.services.reads.trades import trade_detail as service

    return read_one(request, ctx, "trade with UTI", "uti", service)

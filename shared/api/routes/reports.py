"""Report files and their submissions to the TR (docs/API.md#queries). The report's download
(`/api/reports/{id}/download`) is in files.py."""

from __future__ import annotations

from typing import Any

from shared.api.reading import read_list, read_one
from shared.platform.action import ActionContext
from shared.platform.web import Router, WebRequest

router = Router()


@router.route("GET", "/api/reports")
def list_reports(request: WebRequest, ctx: ActionContext) -> dict[str, Any]:
    from shared.services.reads.filters import ReportsQuery
    from shared.services.reads.reports import list_reports as service

    return read_list(request, ctx, ReportsQuery, service)


@router.route("GET", "/api/reports/{report_id}")
def report_detail(request: WebRequest, ctx: ActionContext) -> dict[str, Any]:
    from shared.services.reads.reports import report_detail as service

    return read_one(request, ctx, "report file", "report_id", service)

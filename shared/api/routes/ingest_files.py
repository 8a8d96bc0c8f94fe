"""Ingest files (docs/API.md#queries): status, reject reason and rows / events by state."""

from __future__ import annotations

from typing import Any

from shared.api.reading import read_list, read_one
from shared.platform.action import ActionContext
from shared.platform.web import Router, WebRequest

router = Router()


@router.route("GET", "/api/files")
def list_files(request: WebRequest, ctx: ActionContext) -> dict[str, Any]:
    from shared.services.reads.files import list_files as service
    from shared.services.reads.filters import FilesQuery

    return read_list(request, ctx, FilesQuery, service)


@router.route("GET", "/api/files/{file_id}")
def file_detail(request: WebRequest, ctx: ActionContext) -> dict[str, Any]:
    from shared.services.reads.files import file_detail as service

    return read_one(request, ctx, "ingest file", "file_id", service)

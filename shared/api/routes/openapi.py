"""GET /api/openapi.json: public; the API's OpenAPI 3.1 document as shipped in the zip
(`shared/api/openapi.json`, written by `python -m shared.api.openapi`)."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from shared.platform.web import Router, WebRequest, response

router = Router()
SPEC_FILE = Path(__file__).resolve().parents[1] / "openapi.json"
# It changes only with a deployment: caches may keep it a while, then revalidate by ETag.
CACHE_CONTROL = "public, max-age=300, must-revalidate"


@functools.cache
def _spec() -> tuple[str, str]:
    """(the document's text, its strong ETag), read once per warm container."""
    from shared.platform.http_cache import strong_etag

    text = SPEC_FILE.read_text(encoding="utf-8")
    return text, strong_etag(text.encode("utf-8"))


@router.route("GET", "/api/openapi.json")
def get_openapi(request: WebRequest, ctx: object) -> dict[str, Any]:
    text, etag = _spec()
    return response(200, text, headers={"Cache-Control": CACHE_CONTROL, "ETag": etag},
                    request_id=request.request_id)

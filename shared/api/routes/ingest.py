"""POST /api/ingest/events: online ingestion with an FEP's API key (docs/API.md)."""

from typing import Any

from shared.api.principal import principal_for
from shared.platform.action import ActionContext
from shared.platform.web import JSON, HttpError, Router, WebRequest, response
from shared.services import bootstrap

router = Router()


@router.route("POST", "/api/ingest/events")
def post_ingest_events(request: WebRequest, ctx: ActionContext) -> dict[str, Any]:
    from shared.services.pipeline import online_ingest

    principal = principal_for(request, ctx)
    if principal.kind != "api_key" or online_ingest.SCOPE not in principal.scopes:
        raise HttpError(403, "Forbidden", "ingestion needs an API key with the "
                        f"'{online_ingest.SCOPE}' scope (X-API-Key: srk_...)")
    content_type = request.headers.get("content-type", JSON).split(";")[0].strip().lower()
    if content_type not in (JSON, "text/json") and not content_type.endswith("+json"):
        raise HttpError(415, "Unsupported media type", f"expected {JSON}, got {content_type}")
    config = ctx.config
    try:
        answer = online_ingest.ingest_events(
            bootstrap.database(config), principal, request.body, request_id=request.request_id,
            profile=request.query_value("profile") or None, queue=bootstrap.queue(config),
            invoker=bootstrap.invoker(config))
    except online_ingest.IngestRequestError as exc:
        raise HttpError(exc.status, exc.title, exc.detail) from exc
    if answer.status != 202:
        raise HttpError(answer.status, "No event accepted",
                        f"all {len(answer.body['rejected'])} event(s) were rejected; see "
                        "'rejected' for each one's errors", extra=answer.body)
    return response(202, answer.body, request_id=request.request_id)

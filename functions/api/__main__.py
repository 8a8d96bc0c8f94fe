"""Web action behind API Gateway: the API (health, online ingestion; see docs/API.md).

Every route but the public ones (functions/api/action.toml `[gateway] public`) comes through
the authorizer action, whose verdict arrives as `__authorizer` (the caller's principal).
"""

from shared.platform.action import ActionContext, web_action
from shared.platform.web import JSON, HttpError, Router, WebRequest, response
from shared.services import health, wiring
from shared.services.pipeline import CONSUMERS

router = Router()


@router.route("GET", "/api/health")
def get_health(request: WebRequest, ctx: ActionContext) -> dict:
    config = ctx.config
    buckets = {name: config.bucket(name) for name in wiring.logical_buckets()}
    # Adapters are built inside each check: a bad endpoint or a missing setting is that
    # component's state in the answer, not a crash of the health endpoint.
    checks = {
        "database": lambda: health.database_check(wiring.database(config))(),
        "object_store": lambda: health.object_store_check(wiring.object_store(config), buckets)(),
        "queues": lambda: health.queues_check(wiring.queue(config), sorted(CONSUMERS))(),
    }
    depends = {"queues": "database"} if config.get("queue_backend") == "postgres" else {}
    status, body = health.health(checks, depends)
    return response(status, body, headers={"Cache-Control": "no-store"},
                    request_id=request.request_id)


def principal_for(request: WebRequest, ctx: ActionContext):
    """The caller, as the gateway's authorizer passed it; without one (how NCP forwards the
    authorizer's context is not documented, or the action was reached directly), the same
    check runs here, so no protected route answers without a valid credential."""
    from shared.platform import tokens
    from shared.services import apikeys

    principal = apikeys.Principal.from_context(request.authorizer or {})
    if principal is not None:
        return principal
    db = wiring.database(ctx.config)
    result = apikeys.authenticate(db, request.headers,
                                  verify_token=tokens.verifier_from_config(ctx.config))
    if isinstance(result, apikeys.Principal):
        return result
    apikeys.record_failure(db, result, method=request.method, path=request.path,
                           request_id=request.request_id,
                           remote=request.headers.get("x-forwarded-for"))
    raise HttpError(401, "Unauthorized", result.detail,
                    headers={"WWW-Authenticate": result.challenge()})


@router.route("POST", "/api/ingest/events")
def post_ingest_events(request: WebRequest, ctx: ActionContext) -> dict:
    from shared.services import online_ingest

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
            wiring.database(config), principal, request.body, request_id=request.request_id,
            profile=request.query_value("profile") or None, queue=wiring.queue(config),
            invoker=wiring.invoker(config))
    except online_ingest.IngestRequestError as exc:
        raise HttpError(exc.status, exc.title, exc.detail) from exc
    if answer.status != 202:
        raise HttpError(answer.status, "No event accepted",
                        f"all {len(answer.body['rejected'])} event(s) were rejected; see "
                        "'rejected' for each one's errors", extra=answer.body)
    return response(202, answer.body, request_id=request.request_id)


@web_action("api")
def main(request: WebRequest, ctx: ActionContext) -> dict:
    return router.dispatch(request, ctx)

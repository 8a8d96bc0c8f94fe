"""GET /api/health: public; the state of every component the pipeline needs."""

from typing import Any

from shared.platform.action import ActionContext
from shared.platform.web import Router, WebRequest, response
from shared.services import bootstrap
from shared.services.pipeline import CONSUMERS
from shared.services.reads import health

router = Router()


@router.route("GET", "/api/health")
def get_health(request: WebRequest, ctx: ActionContext) -> dict[str, Any]:
    config = ctx.config
    buckets = {name: config.bucket(name) for name in bootstrap.logical_buckets()}
    # Adapters are built inside each check: a bad endpoint or a missing setting is that
    # component's state in the answer, not a crash of the health endpoint.
    checks = {
        "database": lambda: health.database_check(bootstrap.database(config))(),
        "object_store": lambda: health.object_store_check(bootstrap.object_store(config),
                                                          buckets)(),
        "queues": lambda: health.queues_check(bootstrap.queue(config), sorted(CONSUMERS))(),
    }
    depends = {"queues": "database"} if config.get("queue_backend") == "postgres" else {}
    status, body = health.health(checks, depends)
    return response(status, body, headers={"Cache-Control": "no-store"},
                    request_id=request.request_id)

"""Web action behind API Gateway: the API (docs/API.md; routes in shared/api/routes/).

Every route but the public ones (functions/api/action.toml `[gateway] public`) comes through
the authorizer action, whose verdict arrives as `__authorizer` (the caller's principal).
"""

from shared.api.app import router
from shared.platform.action import ActionContext, web_action
from shared.platform.web import WebRequest


@web_action("api")
def main(request: WebRequest, ctx: ActionContext) -> dict:
    return router.dispatch(request, ctx)

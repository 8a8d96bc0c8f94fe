"""Who is calling: the principal the gateway's authorizer passed, or the same check here."""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared.platform.action import ActionContext
from shared.platform.web import HttpError, WebRequest
from shared.services import bootstrap

if TYPE_CHECKING:
    from shared.services.identity.apikeys import Principal


def principal_for(request: WebRequest, ctx: ActionContext) -> Principal:
    """The caller, as the gateway's authorizer passed it; without one (how NCP forwards the
    authorizer's context is not documented, or the action was reached directly), the same
    check runs here, so no protected route answers without a valid credential."""
    from shared.platform import tokens
    from shared.services.identity import apikeys

    principal = apikeys.Principal.from_context(request.authorizer or {})
    if principal is not None:
        return principal
    db = bootstrap.database(ctx.config)
    result = apikeys.authenticate(db, request.headers,
                                  verify_token=tokens.verifier_from_config(ctx.config))
    if isinstance(result, apikeys.Principal):
        return result
    apikeys.record_failure(db, result, method=request.method, path=request.path,
                           request_id=request.request_id,
                           remote=request.headers.get("x-forwarded-for"))
    raise HttpError(401, "Unauthorized", result.detail,
                    headers={"WWW-Authenticate": result.challenge()})

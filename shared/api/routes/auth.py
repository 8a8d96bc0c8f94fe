"""Sign-in and sessions (docs/API.md#sign-in): token (public), refresh (public), logout, me."""

from __future__ import annotations

import functools
from types import SimpleNamespace
from typing import Any

from shared.api.bodies import parse_body
from shared.api.principal import principal_for
from shared.platform.action import ActionContext
from shared.platform.web import HttpError, Router, WebRequest, response
from shared.services import bootstrap

router = Router()
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}  # tokens: RFC 6749 section 5.1


@functools.cache
def models() -> SimpleNamespace:
    """The request bodies (pydantic is imported on first use, not at cold start)."""
    from pydantic import BaseModel, ConfigDict, Field

    class Strict(BaseModel):
        model_config = ConfigDict(extra="forbid")

    class SignIn(Strict):
        username: str = Field(min_length=1, max_length=100, pattern=r"^[^\x00]*$")  # NUL: 500
        password: str = Field(min_length=1, max_length=1024)

    class Refresh(Strict):
        refresh_token: str = Field(min_length=1, max_length=200)

    class Logout(Strict):
        refresh_token: str | None = Field(default=None, min_length=1, max_length=200)

    return SimpleNamespace(Strict=Strict, SignIn=SignIn, Refresh=Refresh, Logout=Logout)


def _auth_error(exc: Any) -> HttpError:
    headers = dict(NO_STORE)
    if exc.retry_after is not None:
        headers["Retry-After"] = str(exc.retry_after)
    if exc.status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="swaprep"'
    title = {401: "Unauthorized", 429: "Too many requests"}.get(exc.status, "Refused")
    return HttpError(exc.status, title, exc.detail, extra={"reason": exc.reason},
                     headers=headers)


def _settings(ctx: ActionContext) -> Any:
    from shared.services.identity import auth

    return auth.AuthSettings.from_config(ctx.config)


@router.route("POST", "/api/auth/token")
def post_token(request: WebRequest, ctx: ActionContext) -> dict[str, Any]:
    from shared.services.identity import auth

    body = parse_body(request, models().SignIn)
    try:
        session = auth.sign_in(bootstrap.database(ctx.config), _settings(ctx), body.username,
                               body.password, request_id=request.request_id,
                               remote=request.headers.get("x-forwarded-for"))
    except auth.AuthError as exc:
        raise _auth_error(exc) from None
    return response(200, session.as_dict(), headers=NO_STORE, request_id=request.request_id)


@router.route("POST", "/api/auth/refresh")
def post_refresh(request: WebRequest, ctx: ActionContext) -> dict[str, Any]:
    from shared.services.identity import auth

    body = parse_body(request, models().Refresh)
    try:
        session = auth.refresh(bootstrap.database(ctx.config), _settings(ctx), body.refresh_token,
                               request_id=request.request_id,
                               remote=request.headers.get("x-forwarded-for"))
    except auth.AuthError as exc:
        raise _auth_error(exc) from None
    return response(200, session.as_dict(), headers=NO_STORE, request_id=request.request_id)


@router.route("POST", "/api/auth/logout")
def post_logout(request: WebRequest, ctx: ActionContext) -> dict[str, Any]:
    from shared.services.identity import auth

    principal = principal_for(request, ctx)
    body = parse_body(request, models().Logout, optional=True)
    if principal.kind != "user":
        raise HttpError(403, "Forbidden", "logout is for users; an API key is revoked by an"
                        " admin (DELETE /api/admin/api-keys/{id})")
    db = bootstrap.database(ctx.config)
    revoked = auth.logout(db, tenant_id=principal.tenant_id, user_id=principal.subject,
                          user_name=_username(db, principal) or principal.subject,
                          refresh_token=body.refresh_token, request_id=request.request_id)
    return response(200, {"revoked": revoked}, headers=NO_STORE, request_id=request.request_id)


@router.route("GET", "/api/auth/me")
def get_me(request: WebRequest, ctx: ActionContext) -> dict[str, Any]:
    principal = principal_for(request, ctx)
    me: dict[str, Any] = {"kind": principal.kind, "subject": principal.subject,
                          "tenant_id": principal.tenant_id}
    if principal.kind == "user":
        from shared.services.identity import auth

        with bootstrap.database(ctx.config).tenant(principal.tenant_id) as conn:
            user = auth.get_user(conn, principal.subject)
        if user is not None and user["disabled"]:
            # The token outlives a disabling by its lifetime; the console's next step must be
            # sign-in, not a session of someone who may no longer act.
            raise HttpError(401, "Unauthorized", "this sign-in's user is disabled",
                            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
        # A person of the firm's identity provider has no row of ours: no username.
        me.update(role=principal.role, tenant=principal.name,
                  username=user["username"] if user else None,
                  display_name=user["display_name"] if user else None)
        if user is not None and user.get("client_lei"):
            me["client_lei"] = user["client_lei"]
    else:
        me.update(name=principal.name, prefix=principal.prefix, scopes=list(principal.scopes))
    return response(200, me, headers={"Cache-Control": "no-store"},
                    request_id=request.request_id)


def _username(db: Any, principal: Any) -> str | None:
    from shared.services.identity import auth

    with db.tenant(principal.tenant_id) as conn:
        user = auth.get_user(conn, principal.subject)
    return user["username"] if user else None

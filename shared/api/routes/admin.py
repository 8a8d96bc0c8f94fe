"""User and API-key management for a tenant's admins (docs/API.md#administration).

Admin only (403 for operators, viewers and API keys); every query runs in the caller's tenant
transaction, so RLS keeps another tenant's users and keys out of reach (404, never 403: that
would confirm they exist). Every change is audited with before/after, never a secret.
"""

from __future__ import annotations

import functools
from types import SimpleNamespace
from typing import Any

from shared.api.bodies import parse_body
from shared.api.principal import principal_for
from shared.domain.identifiers import is_uuid
from shared.domain.roles import ROLES, may, roles_that_may
from shared.platform.action import ActionContext
from shared.platform.web import HttpError, Router, WebRequest, response
from shared.services import bootstrap

router = Router()
PRINTABLE = r"^[^\x00-\x1f\x7f]*$"  # stored text: PostgreSQL refuses NUL (a 500 otherwise)


@functools.cache
def models() -> SimpleNamespace:
    from typing import Literal

    from pydantic import BaseModel, ConfigDict, Field, StrictBool

    from shared.services.identity.auth import PASSWORD_MAX, PASSWORD_MIN

    Role = Literal[ROLES]  # type: ignore[valid-type]  # Literal[(a, b)] is Literal[a, b]

    class Strict(BaseModel):
        model_config = ConfigDict(extra="forbid")

    class NewUser(Strict):
        username: str = Field(min_length=3, max_length=100,
                              pattern=r"^[A-Za-z0-9][A-Za-z0-9._@-]*$")
        password: str = Field(min_length=PASSWORD_MIN, max_length=PASSWORD_MAX)
        role: Role
        display_name: str | None = Field(default=None, min_length=1, max_length=200,
                                          pattern=PRINTABLE)
        # a client_viewer's one client (required for that role, refused for the others)
        client_lei: str | None = Field(default=None, min_length=20, max_length=20,
                                       pattern=r"^[0-9A-Za-z]{18}[0-9]{2}$")

    class UserChange(Strict):
        role: Role | None = None
        disabled: StrictBool | None = None  # not 'yes' or 1: an admin's intent must be exact
        display_name: str | None = Field(default=None, min_length=1, max_length=200,
                                          pattern=PRINTABLE)
        password: str | None = Field(default=None, min_length=PASSWORD_MIN,
                                     max_length=PASSWORD_MAX)

    class NewKey(Strict):
        name: str = Field(min_length=1, max_length=100, pattern=PRINTABLE)
        scopes: list[Literal["ingest"]] = Field(default=["ingest"], min_length=1, max_length=5)

    return SimpleNamespace(NewUser=NewUser, UserChange=UserChange, NewKey=NewKey)


def _admin(request: WebRequest, ctx: ActionContext,
           permission: str) -> tuple[Any, str, str | None]:
    """(the calling admin as an audit Actor, their tenant, their users row id or None for an
    identity provider's user); 401 without a credential, 403 without the role `permission`
    (manage_users or manage_api_keys) needs."""
    from shared.services.identity import auth
    from shared.services.operations.base import Actor

    principal = principal_for(request, ctx)
    if principal.kind != "user" or not may(principal.role, permission):
        who = f"role {principal.role}" if principal.kind == "user" else "an API key"
        needed = " or ".join(reversed(roles_that_may(permission)))
        raise HttpError(403, "Forbidden", f"user and API-key management needs the {needed} role;"
                        f" the caller has {who}")
    assert principal.role is not None  # may() allows no missing role
    with bootstrap.database(ctx.config).tenant(principal.tenant_id) as conn:
        user = auth.get_user(conn, principal.subject)
    actor = Actor(id=principal.subject, name=user["username"] if user else principal.subject,
                  kind="user", role=principal.role, request_id=request.request_id)
    return actor, principal.tenant_id, user["id"] if user else None


def _operation_error(exc: Any) -> HttpError:
    titles = {404: "Not found", 409: "Conflict", 422: "Invalid request"}
    extra = {"errors": [e.as_dict() for e in exc.errors]} if getattr(exc, "errors", None) else {}
    return HttpError(exc.status, titles.get(exc.status, "Refused"), str(exc), extra=extra)


# -- users --------------------------------------------------------------------------------------

@router.route("GET", "/api/admin/users")
def list_users(request: WebRequest, ctx: ActionContext) -> dict:
    from shared.services.identity import auth

    _, tenant_id, _ = _admin(request, ctx, "manage_users")
    with bootstrap.database(ctx.config).tenant(tenant_id) as conn:
        users = auth.list_users(conn)
    return response(200, {"items": users}, headers={"Cache-Control": "no-store"},
                    request_id=request.request_id)


@router.route("POST", "/api/admin/users")
def create_user(request: WebRequest, ctx: ActionContext) -> dict:
    from shared.services.identity import auth
    from shared.services.operations.base import OperationError

    actor, tenant_id, _user_id = _admin(request, ctx, "manage_users")
    body = parse_body(request, models().NewUser)
    try:
        with bootstrap.database(ctx.config).tenant(tenant_id) as conn:
            user = auth.create_user(conn, actor, tenant_id=tenant_id, username=body.username,
                                    password=body.password, role=body.role,
                                    display_name=body.display_name,
                                    hasher=auth.password_hasher(ctx.config),
                                    client_lei=body.client_lei)
    except OperationError as exc:
        raise _operation_error(exc) from None
    return response(201, user, headers={"Location": f"/api/admin/users/{user['id']}"},
                    request_id=request.request_id)


@router.route("PATCH", "/api/admin/users/{user_id}")
def update_user(request: WebRequest, ctx: ActionContext) -> dict:
    from shared.services.identity import auth
    from shared.services.operations.base import OperationError

    actor, tenant_id, _user_id = _admin(request, ctx, "manage_users")
    body = parse_body(request, models().UserChange)
    changes = {name: getattr(body, name) for name in body.model_fields_set}
    if changes.get("role", "") is None or changes.get("disabled", "") is None:
        raise HttpError(422, "Invalid request body", "role and disabled cannot be null")
    try:
        with bootstrap.database(ctx.config).tenant(tenant_id) as conn:
            user = auth.update_user(conn, actor, request.path_params["user_id"], changes,
                                    hasher=auth.password_hasher(ctx.config))
    except OperationError as exc:
        raise _operation_error(exc) from None
    return response(200, user, request_id=request.request_id)


# -- API keys -----------------------------------------------------------------------------------

def _key(row: dict[str, Any]) -> dict[str, Any]:
    return {"id": str(row["id"]), "name": row["name"], "prefix": row["prefix"],
            "scopes": list(row["scopes"]),
            "created_by": str(row["created_by"]) if row["created_by"] else None,
            "created_at": row["created_at"], "last_used_at": row["last_used_at"],
            "revoked_at": row["revoked_at"]}


@router.route("GET", "/api/admin/api-keys")
def list_keys(request: WebRequest, ctx: ActionContext) -> dict:
    from shared.services.identity import apikeys

    _, tenant_id, _ = _admin(request, ctx, "manage_api_keys")
    with bootstrap.database(ctx.config).tenant(tenant_id) as conn:
        keys = [_key(row) for row in apikeys.list_keys(conn)]
    return response(200, {"items": keys}, headers={"Cache-Control": "no-store"},
                    request_id=request.request_id)


@router.route("POST", "/api/admin/api-keys")
def create_key(request: WebRequest, ctx: ActionContext) -> dict:
    from shared.adapters.db import identity
    from shared.services.identity import apikeys

    _actor, tenant_id, user_id = _admin(request, ctx, "manage_api_keys")
    body = parse_body(request, models().NewKey)
    with bootstrap.database(ctx.config).tenant(tenant_id) as conn:
        key = apikeys.create_key(conn, tenant_id, body.name, body.scopes, created_by=user_id,
                                 request_id=request.request_id)
        row = identity.find_api_key(conn, "prefix", apikeys.key_prefix(key) or "")
    assert row is not None
    # The only time the key is shown: it is stored hashed.
    return response(201, {**_key(row), "key": key}, headers={
        "Cache-Control": "no-store", "Location": f"/api/admin/api-keys/{row['id']}"},
        request_id=request.request_id)


@router.route("DELETE", "/api/admin/api-keys/{key_id}")
def revoke_key(request: WebRequest, ctx: ActionContext) -> dict:
    from shared.adapters.db import identity
    from shared.services.identity import apikeys

    _actor, tenant_id, user_id = _admin(request, ctx, "manage_api_keys")
    key_id = request.path_params["key_id"]
    if not is_uuid(key_id):
        raise HttpError(404, "Not found", f"no API key {key_id[:64]} in this tenant")
    with bootstrap.database(ctx.config).tenant(tenant_id) as conn:
        row = identity.find_api_key(conn, "id", key_id)
        if row is None:
            raise HttpError(404, "Not found", f"no API key {key_id} in this tenant")
        if row["revoked_at"] is not None:
            raise HttpError(409, "Conflict", f"API key {row['prefix']} was already revoked at"
                            f" {row['revoked_at'].isoformat()}")
        apikeys.revoke(conn, key_id, user_id, request_id=request.request_id)
        row = identity.find_api_key(conn, "id", key_id)
    assert row is not None
    return response(200, _key(row), request_id=request.request_id)

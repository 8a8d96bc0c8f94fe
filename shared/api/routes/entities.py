"""A tenant's legal entities and delegation agreements (docs/API.md#entities-and-delegation-
agreements): every signed-in role reads them, admins change them.

The body's shape is checked here (types, lengths, no unknown field); what the values mean
(an LEI, a status the regime knows, a branch's parent) by the domain in the service, whose
refusal names the field (422). Another tenant's entity or agreement is a 404, never a 403.
"""

from __future__ import annotations

import functools
import re
from types import SimpleNamespace
from typing import Any
from urllib.parse import unquote

from shared.api.bodies import parse_body
from shared.api.reading import _no_parameters, in_tenant, parse_query, reader
from shared.api.routes.operations import caller, operation_error
from shared.platform.action import ActionContext
from shared.platform.web import HttpError, Router, WebRequest, response
from shared.services import bootstrap

router = Router()
PRINTABLE = r"^[^\x00-\x1f\x7f]*$"
# the tenant's own short code for an entity (legal_entities.entity_id's CHECK, migration 0021)
ENTITY_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")


@functools.cache
def models() -> SimpleNamespace:
    from datetime import date
    from typing import Annotated, Literal

    from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints

    def text(most: int, least: int = 1) -> Any:
        return StringConstraints(strip_whitespace=True, min_length=least, max_length=most,
                                 pattern=PRINTABLE)

    Name = Annotated[str, text(200)]
    Code = Annotated[str, text(40)]  # an entity id, a regime key
    Status = Annotated[str, text(20)]
    Lei = Annotated[str, text(20)]  # its form is the domain's to judge (ISO 17442)
    # a key with a pattern would be `patternProperties` in the schema: the domain resolves it
    RegimeName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                                  max_length=40)]

    class Strict(BaseModel):
        model_config = ConfigDict(extra="forbid")

    class EntityBody(Strict):
        """An entity as PUT /api/entities/{entity_id} stores it (the id is the path's)."""

        name: Name
        kind: Literal["head_office", "branch", "subsidiary"]
        country: Annotated[str, text(2, 2)]  # ISO 3166 alpha-2, upper case
        lei: Lei | None = None  # a branch may leave it to its legal entity
        parent: Code | None = None  # a branch: its legal entity's entity_id
        # regime key -> the entity's status under it (GET /api/entities lists the choices)
        statuses: Annotated[dict[RegimeName, Status],
                            Field(max_length=20, default_factory=dict)]

    class NewAgreement(Strict):
        client_lei: Lei
        client_name: Name
        regime: Code
        capacity: Literal["mandatory", "voluntary"]
        delegate: Code  # the tenant's entity that submits
        valid_from: date
        valid_to: date | None = None
        client_status: Status | None = None  # e.g. NFC- under EMIR
        opted_out: StrictBool = False  # an NFC- that reports itself (mandatory only)

    return SimpleNamespace(EntityBody=EntityBody, NewAgreement=NewAgreement)


@router.route("GET", "/api/entities")
def list_entities(request: WebRequest, ctx: ActionContext) -> dict[str, Any]:
    from shared.services.entities import book

    tenant_id = reader(request, ctx)
    parse_query(request, _no_parameters())
    return response(200, in_tenant(ctx, tenant_id, book), request_id=request.request_id)


@router.route("PUT", "/api/entities/{entity_id}")
def put_entity(request: WebRequest, ctx: ActionContext) -> dict[str, Any]:
    from shared.services.entities import put_entity as service

    who = caller(request, ctx, "manage_entities", "changing legal entities")
    entity_id = unquote(request.path_params["entity_id"])
    if not ENTITY_ID.match(entity_id):
        message = ("1 to 40 letters, digits or . _ - starting with a letter or digit "
                   "(the path's entity id)")
        raise HttpError(422, "Invalid request", f"entity_id: {message}",
                        extra={"errors": [{"field": "entity_id", "message": message}]})
    body = parse_body(request, models().EntityBody)
    entity = _run(ctx, who, lambda conn: service(
        conn, who.actor, tenant_id=who.tenant_id, entity_id=entity_id,
        fields=body.model_dump()))
    return response(200, entity, request_id=request.request_id)


@router.route("DELETE", "/api/entities/{entity_id}")
def delete_entity(request: WebRequest, ctx: ActionContext) -> dict[str, Any]:
    from shared.services.entities import delete_entity as service

    who = caller(request, ctx, "manage_entities", "removing legal entities")
    entity_id = unquote(request.path_params["entity_id"])
    if not ENTITY_ID.match(entity_id):  # no such code can be stored
        raise HttpError(404, "Not found", f"no entity {entity_id[:40]!r} in this tenant")
    removed = _run(ctx, who, lambda conn: service(conn, who.actor, tenant_id=who.tenant_id,
                                                  entity_id=entity_id))
    return response(200, removed, request_id=request.request_id)


@router.route("POST", "/api/delegations")
def add_agreement(request: WebRequest, ctx: ActionContext) -> dict[str, Any]:
    from shared.services.entities import add_agreement as service

    who = caller(request, ctx, "manage_entities", "adding delegation agreements")
    body = parse_body(request, models().NewAgreement)
    agreement = _run(ctx, who, lambda conn: service(conn, who.actor, tenant_id=who.tenant_id,
                                                    fields=body.model_dump()))
    return response(201, agreement, headers={"Location": f"/api/delegations/{agreement['id']}"},
                    request_id=request.request_id)


@router.route("DELETE", "/api/delegations/{agreement_id}")
def delete_agreement(request: WebRequest, ctx: ActionContext) -> dict[str, Any]:
    from shared.services.entities import delete_agreement as service

    who = caller(request, ctx, "manage_entities", "removing delegation agreements")
    agreement_id = unquote(request.path_params["agreement_id"])
    removed = _run(ctx, who, lambda conn: service(conn, who.actor, tenant_id=who.tenant_id,
                                                  agreement_id=agreement_id))
    return response(200, removed, request_id=request.request_id)


def _run(ctx: ActionContext, who: Any, work: Any) -> Any:
    """`work(conn)` in the caller's tenant transaction; a refusal as its problem+json."""
    from shared.services.operations import OperationError

    try:
        with bootstrap.database(ctx.config).tenant(who.tenant_id) as conn:
            return work(conn)
    except OperationError as exc:
        raise operation_error(exc) from None

"""A tenant's legal entities, branches and delegation agreements as its admins keep them
(docs/API.md#entities-and-delegation-agreements); routing (shared.domain.obligations) reads them.

Every change is judged by the domain twice: the entity or agreement alone (`entity_from_row`,
`agreement_from_row`: a bad field is an `InvalidRequest` naming it), then the whole book with
the change in it (`EntityBook`: a branch's parent exists and is no branch, an agreement's
delegate exists), under a per-tenant lock so that two admins' changes cannot both pass the
check side by side. Each change writes one audit row with before and after, in the caller's
transaction (`db.tenant(id)`: RLS keeps another tenant's rows out, so they are `NotFound`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import psycopg

from shared.adapters.db import entities as db
from shared.domain import regimes as registry
from shared.domain.identifiers import is_uuid
from shared.domain.obligations.entities import (
    DelegationAgreement,
    EntityBook,
    EntityError,
    LegalEntity,
    agreement_from_row,
    entity_from_row,
)
from shared.services.operations.base import (
    Actor,
    Conflict,
    FieldError,
    InvalidRequest,
    NotFound,
    audit,
    require,
)
from shared.services.reads.values import jsonable

PERMISSION = "manage_entities"
ENTITY_FIELDS = ("entity_id", "name", "kind", "country", "lei", "parent", "statuses")
AGREEMENT_FIELDS = ("client_lei", "client_name", "regime", "capacity", "delegate",
                    "valid_from", "valid_to", "client_status", "opted_out")


def status_options() -> list[dict[str, Any]]:
    """Per regime an entity can hold a status under, the statuses it allows and those that
    report their own side (a regime that follows another, Part 43, takes no status of its
    own: routing decides it by the one it follows)."""
    return [{"regime": r.key, "display_name": r.display_name,
             "statuses": list(r.obligation.statuses),
             "self_reporting": [s for s in r.obligation.statuses
                                if s in r.obligation.self_reporting]}
            for r in registry.REGISTRY.values()
            if r.obligation is not None and not r.obligation.follows]


def book(conn: psycopg.Connection[Any]) -> dict[str, Any]:
    """The tenant's entities (head offices before branches) and agreements, with the statuses
    each regime allows (what a form offers)."""
    entities, agreements = db.book_rows(conn)
    return jsonable({"entities": entities, "agreements": agreements,
                     "regimes": status_options()})


# -- entities -----------------------------------------------------------------------------------


def put_entity(conn: psycopg.Connection[Any], actor: Actor, *, tenant_id: Any, entity_id: str,
               fields: Mapping[str, Any]) -> dict[str, Any]:
    """Create or replace the entity `entity_id` with `fields` (ENTITY_FIELDS but the id);
    returns it as stored."""
    require(actor, PERMISSION, "change legal entities")
    entity = _judged(lambda: entity_from_row({**fields, "entity_id": entity_id}),
                     "the entity cannot be saved")
    db.lock_book(conn)
    rows, agreement_rows = db.book_rows(conn)
    before = next((r for r in rows if r["entity_id"] == entity_id), None)
    _judged(lambda: EntityBook([*(entity_from_row(r) for r in rows if r is not before), entity],
                               [agreement_from_row(r) for r in agreement_rows]),
            "the entity does not fit the tenant's entities")
    try:
        row = db.upsert_entity(conn, _entity_values(entity))
    except psycopg.IntegrityError as exc:  # a table's check the domain should have made first
        raise Conflict(f"{entity_id} cannot be saved: {exc.diag.message_primary}",
                       reason="entity_conflict") from None
    audit(conn, actor, tenant_id=tenant_id,
          action="entity.updated" if before else "entity.created", entity_type="legal_entity",
          entity_id=entity_id, before=_audited(before, ENTITY_FIELDS),
          after=_audited(row, ENTITY_FIELDS))
    return jsonable(row)


def delete_entity(conn: psycopg.Connection[Any], actor: Actor, *, tenant_id: Any,
                  entity_id: str) -> dict[str, Any]:
    """Remove an entity no branch and no agreement names; returns it as it was."""
    require(actor, PERMISSION, "remove legal entities")
    db.lock_book(conn)
    rows, agreement_rows = db.book_rows(conn)
    before = next((r for r in rows if r["entity_id"] == entity_id), None)
    if before is None:
        raise NotFound(f"no entity {entity_id} in this tenant")
    branches = [r["entity_id"] for r in rows if r["parent"] == entity_id]
    delegating = [f"{a['client_name']} ({a['regime']})" for a in agreement_rows
                  if a["delegate"] == entity_id]
    if branches or delegating:
        users = ([f"its branch{'es' if len(branches) > 1 else ''} {', '.join(branches)}"]
                 if branches else [])
        users += ([f"the delegation agreement{'s' if len(delegating) > 1 else ''} with "
                   f"{', '.join(delegating)}"] if delegating else [])
        raise Conflict(f"{entity_id} cannot be removed while {' and '.join(users)} name it: "
                       "remove them or point them at another entity first",
                       reason="entity_in_use")
    db.delete_entity(conn, entity_id)
    audit(conn, actor, tenant_id=tenant_id, action="entity.deleted", entity_type="legal_entity",
          entity_id=entity_id, before=_audited(before, ENTITY_FIELDS), after=None)
    return jsonable(before)


# -- delegation agreements ----------------------------------------------------------------------


def add_agreement(conn: psycopg.Connection[Any], actor: Actor, *, tenant_id: Any,
                  fields: Mapping[str, Any]) -> dict[str, Any]:
    """Record an agreement to report for a client under one regime; refused when another
    agreement for the same client and regime covers some of the same days (routing would not
    know which one applies)."""
    require(actor, PERMISSION, "add delegation agreements")
    agreement = _judged(lambda: agreement_from_row(fields), "the agreement cannot be saved")
    db.lock_book(conn)
    rows, agreement_rows = db.book_rows(conn)
    _judged(lambda: EntityBook([entity_from_row(r) for r in rows], [agreement]),
            "the agreement does not fit the tenant's entities")
    for row in agreement_rows:
        other = agreement_from_row(row)
        if (other.client_lei, other.regime) == (agreement.client_lei, agreement.regime) \
                and _overlap(other, agreement):
            until = other.valid_to.isoformat() if other.valid_to else "open-ended"
            raise Conflict(f"an agreement with {other.client_name} under {other.regime} already "
                           f"covers {other.valid_from.isoformat()} to {until} (id {row['id']}):"
                           " end or remove it first", reason="agreement_overlaps")
    row = db.insert_agreement(conn, _agreement_values(agreement))
    audit(conn, actor, tenant_id=tenant_id, action="delegation.created",
          entity_type="delegation_agreement", entity_id=row["id"], before=None,
          after=_audited(row, AGREEMENT_FIELDS))
    return jsonable(row)


def delete_agreement(conn: psycopg.Connection[Any], actor: Actor, *, tenant_id: Any,
                     agreement_id: str) -> dict[str, Any]:
    require(actor, PERMISSION, "remove delegation agreements")
    db.lock_book(conn)
    before = next((r for r in db.agreements(conn) if str(r["id"]) == agreement_id), None) \
        if is_uuid(agreement_id) else None
    if before is None:
        raise NotFound(f"no delegation agreement {agreement_id[:64]} in this tenant")
    db.delete_agreement(conn, agreement_id)
    audit(conn, actor, tenant_id=tenant_id, action="delegation.deleted",
          entity_type="delegation_agreement", entity_id=agreement_id,
          before=_audited(before, AGREEMENT_FIELDS), after=None)
    return jsonable(before)


# -- helpers ------------------------------------------------------------------------------------


def _judged(make: Any, message: str) -> Any:
    """`make()`, its `EntityError` an `InvalidRequest` naming the field (a 422)."""
    try:
        return make()
    except EntityError as exc:
        detail = str(exc).removeprefix(f"{exc.field}: ")
        raise InvalidRequest(message, [FieldError(exc.field, detail)]) from None


def _overlap(a: DelegationAgreement, b: DelegationAgreement) -> bool:
    end_a, end_b = a.valid_to or date.max, b.valid_to or date.max
    return a.valid_from <= end_b and b.valid_from <= end_a


def _entity_values(entity: LegalEntity) -> dict[str, Any]:
    return {"entity_id": entity.entity_id, "name": entity.name, "kind": entity.kind.value,
            "country": entity.country, "lei": entity.lei, "parent": entity.parent,
            "statuses": dict(entity.statuses)}


def _agreement_values(agreement: DelegationAgreement) -> dict[str, Any]:
    return {"client_lei": agreement.client_lei, "client_name": agreement.client_name,
            "regime": agreement.regime, "capacity": agreement.capacity.value,
            "delegate": agreement.delegate, "valid_from": agreement.valid_from,
            "valid_to": agreement.valid_to, "client_status": agreement.client_status,
            "opted_out": agreement.opted_out}


def _audited(row: Mapping[str, Any] | None, names: tuple[str, ...]) -> dict[str, Any] | None:
    return None if row is None else jsonable({n: row[n] for n in names})

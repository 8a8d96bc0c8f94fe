"""What every operator action shares: who acts (`Actor`), the errors the API maps to HTTP
statuses, the audit row, per-item outcomes of bulk actions, and sending messages in the
action's transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from shared.domain.roles import ROLES, may, roles_that_may

if TYPE_CHECKING:
    import psycopg

    from shared.services.ports import Invoker, Queue

ACTOR_KINDS = ("user", "api_key", "system")


@dataclass(frozen=True)
class Actor:
    """Who performs an action: a signed-in user, an API key, or a process (CLI, job)."""

    id: str
    name: str
    kind: str  # user | api_key | system
    role: str  # admin | operator | viewer
    request_id: str | None = None  # the API request, so an audit row leads to its logs

    def __post_init__(self) -> None:
        if self.kind not in ACTOR_KINDS:
            raise ValueError(f"actor kind must be one of {', '.join(ACTOR_KINDS)}, "
                             f"got {self.kind!r}")
        if self.role not in ROLES:
            raise ValueError(f"actor role must be one of {', '.join(ROLES)}, got {self.role!r}")
        if not self.id or not self.name:
            raise ValueError("an actor needs an id and a name: the audit says who acted")


# -- errors: the API (issue #5) maps them by `status` --------------------------------------------


class OperationError(Exception):
    """`reason`: why, as a stable code the console can translate (`not_repairable`,
    `already_resolved`, ...); the message stays the English detail."""

    status = 400
    code = "error"

    def __init__(self, *args: object, reason: str | None = None) -> None:
        super().__init__(*args)
        self.reason = reason


class Forbidden(OperationError):
    status, code = 403, "forbidden"


class NotFound(OperationError):
    status, code = 404, "not_found"


class Conflict(OperationError):
    """The entity's state does not allow the action; the message names it and what to do,
    `reason` the case (the console says it in its own words)."""

    status, code = 409, "conflict"


@dataclass(frozen=True)
class FieldError:
    field: str | None  # canonical path, e.g. legs[0].notional.currency
    message: str
    code: str | None = None  # a rule id when a rule refused it (SR-ID-001, PROC-001)

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "message": self.message, "code": self.code}

    def __str__(self) -> str:
        where = self.field or "event"
        return f"{where}: {self.message}" + (f" ({self.code})" if self.code else "")


class InvalidRequest(OperationError):
    """The request itself is unusable (422): per-field errors, every one of them."""

    status, code = 422, "invalid"

    def __init__(self, message: str, errors: Iterable[FieldError] = ()) -> None:
        self.errors = list(errors)
        detail = "; ".join(str(e) for e in self.errors)
        super().__init__(f"{message}: {detail}" if detail else message)


class InvalidRepair(InvalidRequest):
    """The edited event is not a valid event (unknown field, a value of the wrong type, or
    what makes it unkeyable): nothing was written."""


def require(actor: Actor, permission: str, action: str) -> None:
    """Defence in depth: the API checks roles first, the service checks again. `permission`
    is a key of `shared.domain.roles.PERMISSIONS`, `action` the words for the message."""
    if not may(actor.role, permission):
        raise Forbidden(f"{actor.name} ({actor.role}) may not {action}: "
                        f"only {' or '.join(roles_that_may(permission))} roles may")


# -- per-item outcomes of bulk actions -----------------------------------------------------------


@dataclass
class ItemOutcome:
    id: str
    outcome: str  # what was done (resubmitted, cancelled, ...) or an error code
    message: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.outcome not in (Forbidden.code, NotFound.code, Conflict.code,
                                    InvalidRequest.code)

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "outcome": self.outcome, "ok": self.ok, "message": self.message,
                **({"details": self.details} if self.details else {})}


def each(conn: psycopg.Connection[Any], ids: Iterable[Any],
         one: Callable[[str], ItemOutcome]) -> list[ItemOutcome]:
    """Run `one` per distinct id in its own savepoint: an id that is refused (not found, wrong
    state) is reported and leaves no trace, the others go on. Other errors abort the call."""
    outcomes: list[ItemOutcome] = []
    for item in dict.fromkeys(str(i) for i in ids):
        try:
            with conn.transaction():
                outcomes.append(one(item))
        except OperationError as exc:
            outcomes.append(ItemOutcome(item, exc.code, str(exc),
                                        {"reason": exc.reason} if exc.reason else {}))
    return outcomes


# -- audit ------------------------------------------------------------------------------------


def audit(conn: psycopg.Connection[Any], actor: Actor, *, tenant_id: Any, action: str,
          entity_type: str, entity_id: Any, before: dict[str, Any] | None,
          after: dict[str, Any] | None) -> None:
    """One audit row for one entity, in the caller's transaction: it commits with the change.
    The actor's name, id, kind and request; the row is written by `audit.record`."""
    from shared.adapters.db.audit import record

    record(conn, tenant_id=tenant_id, actor=actor.name, actor_id=actor.id,
           actor_type=actor.kind, action=action, entity_type=entity_type,
           entity_id=str(entity_id), before=before, after=after, request_id=actor.request_id)


# -- messages ---------------------------------------------------------------------------------


class Sender(Protocol):
    """Enqueue in the caller's transaction (StageContext.send has this shape too)."""

    def send(self, conn: psycopg.Connection[Any], queue: str, bodies: list[dict[str, Any]],
             tenant_id: Any) -> None: ...


class QueueSender:
    """A `Sender` over the queue port that remembers which consumers to wake after commit."""

    def __init__(self, queue: Queue) -> None:
        self.queue = queue
        self.sent: dict[str, int] = {}

    def send(self, conn: psycopg.Connection[Any], queue: str, bodies: list[dict[str, Any]],
             tenant_id: Any) -> None:
        from shared.adapters.queue import OutgoingMessage

        if bodies:
            self.queue.send(queue, [OutgoingMessage(b, tenant_id=tenant_id) for b in bodies],
                            conn=conn)
            self.sent[queue] = self.sent.get(queue, 0) + len(bodies)

    def wake(self, invoker: Invoker) -> None:
        """After commit: start the consumers (a lost wake-up only waits for the cron sweep)."""
        from shared.services.pipeline import CONSUMERS

        for queue in sorted(self.sent):
            if queue in CONSUMERS:
                invoker.invoke_async(CONSUMERS[queue], {"queue": queue})


def fetch_or_404(conn: psycopg.Connection[Any],
                 fetch: Callable[[psycopg.Connection[Any], Any], dict[str, Any] | None],
                 key: Any, entity: str) -> dict[str, Any]:
    """The row `fetch(conn, key)` returns (an adapter's look-up), or NotFound naming `entity`;
    a `key` of None (not an id at all) is not found without asking. RLS hides another tenant's
    rows: they are not found either, never "forbidden" (which would confirm that they exist)."""
    row = fetch(conn, key) if key is not None else None
    if row is None:
        raise NotFound(f"{entity} not found")
    return row

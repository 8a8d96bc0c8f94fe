"""Redrive: dead letters back into their queue through the queue port, audited.

Dead letters are read in a system scope (the port serves every tenant), then filtered: a
tenant's operator sees and redrives only its own tenant's; every tenant's at once is for the
platform (a `system` actor). The redrive and its audit rows commit in one transaction on the
PostgreSQL queue (an SQS backend moves the messages at once; its audit rows follow).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from shared.domain.identifiers import uuid_or_none
from shared.services.operations.base import (
    Actor,
    Forbidden,
    ItemOutcome,
    NotFound,
    audit,
    require,
)

if TYPE_CHECKING:
    from shared.adapters.queue import DeadLetter
    from shared.services.ports import Database, Queue

MAX_LETTERS = 10_000  # per call; more is left for the next one (`more`)


@dataclass
class RedriveOutcome:
    queue: str
    redriven: int = 0
    items: list[ItemOutcome] = field(default_factory=list)
    more: bool = False  # there may be dead letters beyond MAX_LETTERS

    def as_dict(self) -> dict[str, Any]:
        return {"queue": self.queue, "redriven": self.redriven, "more": self.more,
                "items": [i.as_dict() for i in self.items]}


def redrive(db: Database, queue_port: Queue, queue: str, ids: Sequence[Any] | None, actor: Actor, *,
            tenant_id: Any = None) -> RedriveOutcome:
    """Redrive the dead letters `ids` (`DeadLetter.id`, as the port names them), or all of
    them, of `queue`: the tenant's only when `tenant_id` is given, which a non-system actor
    must give. An id that is not a dead letter of that scope is `not_found`."""
    require(actor, "redrive", "redrive dead letters")
    tenant = None
    if tenant_id is not None:
        tenant = uuid_or_none(tenant_id)
        if tenant is None:
            raise NotFound(f"tenant {tenant_id} not found")
    elif actor.kind != "system":
        raise Forbidden(f"{actor.name} may redrive only its own tenant's dead letters: "
                        "name the tenant")
    letters = queue_port.dead_letters(queue, limit=MAX_LETTERS)
    outcome = RedriveOutcome(queue, more=len(letters) >= MAX_LETTERS)
    mine = {d.id: d for d in letters if tenant is None or d.tenant_id == tenant}
    chosen: list[DeadLetter] = []
    for wanted in (list(mine) if ids is None else dict.fromkeys(str(i) for i in ids)):
        letter = mine.get(wanted)
        if letter is None:
            outcome.items.append(ItemOutcome(wanted, NotFound.code,
                                             f"no dead letter {wanted} in queue {queue}"))
        else:
            chosen.append(letter)
    if not chosen:
        return outcome
    with db.system() as conn:
        outcome.redriven = queue_port.redrive(queue, [d.id for d in chosen], conn=conn)
        for letter in chosen:
            audit(conn, actor, tenant_id=letter.tenant_id, action="dead_letter.redrive",
                  entity_type="dead_letter", entity_id=f"{queue}/{letter.id}",
                  before={"queue": queue, "message_id": letter.message_id,
                          "receive_count": letter.receive_count, "error": letter.error,
                          "dead_at": letter.dead_at},
                  after={"redriven": True})
            outcome.items.append(ItemOutcome(letter.id, "redriven",
                                             f"message {letter.message_id} back in {queue}"))
    return outcome

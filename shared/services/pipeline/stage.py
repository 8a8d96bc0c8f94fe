"""Running a pipeline stage as a queue consumer action.

Every consumer stage has the same shape: pull batches of its queue until empty or near the
deadline; for each message open a transaction scoped to the message's tenant, claim the
message in the idempotency ledger, do the stage's work and enqueue the next stage's messages
in that same transaction. A redelivered message (crash after commit, before ack) finds its
claim and is acked without redoing anything. A handler that raises rolls everything back and
the message is retried with backoff, then dead-lettered.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from shared.adapters.queue.base import ReceivedMessage
from shared.platform.action import ActionContext
from shared.platform.config import Config
from shared.platform.logging import log_context
from shared.services import bootstrap

if TYPE_CHECKING:  # psycopg is imported by the database adapter when first used
    import psycopg

log = logging.getLogger(__name__)
StageHandler = Callable[["psycopg.Connection[Any]", ReceivedMessage, "StageContext"], None]
# How often a container looks whether its writes have outgrown the planner's statistics.
STATISTICS_CHECK_S = 2.0


class StageContext:
    """What a stage handler may use besides its transaction: config, adapters, next queues."""

    def __init__(self, ctx: ActionContext) -> None:
        self.action = ctx
        self.config = ctx.config
        self.db = bootstrap.database(ctx.config)
        self.queue = bootstrap.queue(ctx.config)
        self._wake: set[str] = set()
        self._statistics_checked = 0.0

    def send(self, conn: psycopg.Connection[Any], queue: str, bodies: list[dict[str, Any]],
             tenant_id: uuid.UUID | str, *, delay_s: int = 0) -> None:
        """Enqueue inside the handler's transaction; wake the consumer after commit unless the
        messages are delayed (then the sweep or the local dispatcher starts it when due)."""
        from shared.adapters.queue import OutgoingMessage

        if bodies:
            self.queue.send(queue, [OutgoingMessage(b, tenant_id=tenant_id, delay_s=delay_s)
                                    for b in bodies], conn=conn)
            if not delay_s:
                self._wake.add(queue)

    def refresh_trades(self, tenant_id: uuid.UUID | str) -> None:
        """After a message's commit: the trades it noted (trade_state.refresh_pending). A
        failure leaves the notes for the next refresh; the message itself is done."""
        from shared.services.pipeline import trade_state

        try:
            trade_state.refresh_pending(self.db, tenant_id)
        except Exception:
            log.warning("refreshing the trades' state failed; the next refresh will",
                        exc_info=True)

    def keep_statistics(self) -> None:
        """ANALYZE the pipeline tables this run's writes have outgrown (see
        shared/adapters/db/statistics.py), looking at most every STATISTICS_CHECK_S."""
        from shared.adapters.db import statistics

        now = time.monotonic()
        if now - self._statistics_checked < STATISTICS_CHECK_S:
            return
        self._statistics_checked = now
        try:
            with self.db.system() as conn:
                for table in statistics.outgrown(conn):
                    statistics.analyze(conn, table)
        except Exception:  # an optimisation: the message it follows is already committed
            log.warning("refreshing the planner statistics failed", exc_info=True)

    def wake_consumers(self) -> None:
        from shared.services.pipeline import CONSUMERS

        invoker = bootstrap.invoker(self.config)
        for queue in sorted(self._wake):
            if queue in CONSUMERS:
                invoker.invoke_async(CONSUMERS[queue], {"queue": queue})
        self._wake.clear()


def message_key(message: ReceivedMessage) -> str:
    """The idempotency key: a business key when the producer gave one (it survives a redrive
    on every backend), else the message id."""
    return str(message.body.get("key") or message.id)


def run_stage(name: str, args: dict, ctx: ActionContext, handle: StageHandler) -> dict:
    """Consume the queue named in `args` (default: the stage's own) through `handle`."""
    from shared.adapters.queue.consumer import consume
    from shared.platform.idempotency import first_time
    from shared.services.pipeline import trade_state

    stage = StageContext(ctx)
    queue_name = str(args.get("queue") or name)

    def handler(message: ReceivedMessage) -> None:
        if message.tenant_id is None:
            raise ValueError(f"{name}: message {message.id} carries no tenant")
        with log_context(tenant_id=message.tenant_id, message_id=message.id):
            with trade_state.deferred() as noted, stage.db.tenant(message.tenant_id) as conn:
                if first_time(conn, name, message_key(message)):
                    handle(conn, message, stage)
            if noted.any:
                stage.refresh_trades(message.tenant_id)
        stage.keep_statistics()

    # The queue's settings are the action's own parameters (action.toml), not the environment.
    params = Config(args, env={})
    remaining = ctx.remaining_s()
    report = consume(
        stage.queue, queue_name, handler,
        batch_size=params.integer("batch_size", 10, minimum=1),
        visibility_timeout_s=params.number("visibility_timeout_s", 120, minimum=1),
        deadline_epoch_s=ctx.deadline_epoch_s if remaining is not None else None,
    )
    stage.wake_consumers()
    return report

"""A consumer that dies between doing its work and acking it (run as a subprocess).

`python -m tests.functional.adapters.queue.crashing_consumer <database_url> <queue> <lease_s>`
receives one message, applies its effect in a transaction together with the idempotency mark,
commits, prints the message id and exits hard with status 1: no ack, no cleanup, no atexit.
"""

from __future__ import annotations

import os
import sys

from shared.adapters.db import Database
from shared.adapters.queue import PostgresQueue, ReceivedMessage
from shared.platform.idempotency import first_time

CONSUMER = "effects-test"


def apply_effect(db: Database, message: ReceivedMessage) -> None:
    """The handler under test: one row in `effects` per message, however often delivered."""
    with db.tenant(message.tenant_id) as conn:
        if first_time(conn, CONSUMER, message.id):
            conn.execute(
                "INSERT INTO effects (message_id, trade) VALUES (%s, %s)",
                (message.id, message.body["trade"]),
            )


def main(database_url: str, queue: str, lease_s: float) -> None:
    db = Database(database_url, max_size=1)
    [message] = PostgresQueue(db).receive(queue, 1, lease_s)
    apply_effect(db, message)  # committed when this returns
    sys.stdout.write(message.id)
    sys.stdout.flush()
    os._exit(1)  # the crash: before the ack


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], float(sys.argv[3]))

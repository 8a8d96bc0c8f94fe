"""Pick the queue adapter from configuration (setting `queue_backend`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared.platform.config import Config, ConfigError

if TYPE_CHECKING:
    from shared.adapters.db import Database
    from shared.adapters.queue.base import Queue

BACKENDS = ("postgres", "sqs", "localstack")


def _known_queues(config: Config) -> list[str]:
    return [q.strip() for q in str(config.get("queue_names", "")).split(",") if q.strip()]


def queue_from_config(config: Config, db: Database | None = None) -> Queue:
    """The configured `Queue`. Settings:

    - `queue_backend`: postgres (default) | sqs | localstack
    - postgres: `database_url`, unless `db` is given (a warm action passes its own)
    - sqs: `sqs_endpoint_url` (none: the AWS default), `sqs_region` (default us-east-1),
      `sqs_access_key_id` / `sqs_secret_access_key` (none: boto3's credential chain)
    - localstack: SQS at `localstack_host` (host:port; default $LOCALSTACK_HOST or
      localhost:4566; $AWS_ENDPOINT_URL wins), wired by localstack-client
    - sqs, localstack: `queue_prefix` (prepended to SQS queue names), `sqs_wait_time_s`
    - all: `queue_names`, comma-separated, listed by `Queue.queues()` even while empty
    """
    backend = str(config.get("queue_backend", "postgres")).strip().lower()
    known = _known_queues(config)
    if backend == "postgres":
        from shared.adapters.queue.postgres import PostgresQueue

        if db is None:
            from shared.adapters.db import get_database

            db = get_database(config.require("database_url"))
        return PostgresQueue(db, known_queues=known)

    if backend in ("sqs", "localstack"):
        from shared.adapters.queue.sqs import SqsQueue

        prefix = str(config.get("queue_prefix", ""))
        # SQS refuses a long-poll wait outside 0..20 s: say so at start, naming the setting
        wait_time_s = config.integer("sqs_wait_time_s", 0, minimum=0, maximum=20)
        if backend == "sqs":
            return SqsQueue.connect(
                endpoint_url=config.get("sqs_endpoint_url"),
                region=config.get("sqs_region"),
                access_key_id=config.get("sqs_access_key_id"),
                secret_access_key=config.get("sqs_secret_access_key"),
                prefix=prefix, known_queues=known, wait_time_s=wait_time_s,
            )
        import localstack_client.session

        session = localstack_client.session.Session(
            region_name=config.get("sqs_region") or "us-east-1",
            localstack_host=config.get("localstack_host"),
        )
        return SqsQueue(session.client("sqs"), prefix=prefix, known_queues=known,
                        wait_time_s=wait_time_s)

    raise ConfigError(
        f"setting 'queue_backend' must be one of {', '.join(BACKENDS)}, got {backend!r}"
    )

"""`queue_from_config` builds a working adapter for each configured backend."""

from __future__ import annotations

import boto3
import pytest

from shared.adapters.queue import OutgoingMessage, PostgresQueue, SqsQueue, queue_from_config
from shared.platform.config import Config, ConfigError

pytestmark = pytest.mark.functional


def round_trip(queue) -> None:
    queue.send("process", [OutgoingMessage({"file": "f-1"})])
    [message] = queue.receive("process", 10, 30)
    assert message.body == {"file": "f-1"}
    assert queue.ack([message]) == 1


def test_postgres_is_the_default_backend_and_uses_the_given_database(db):
    queue = queue_from_config(Config({}, env={}), db=db)
    assert isinstance(queue, PostgresQueue) and queue.db is db
    round_trip(queue)


def test_postgres_without_a_database_connects_to_database_url(database_url):
    queue = queue_from_config(Config({"database_url": database_url}, env={}))
    try:
        round_trip(queue)
    finally:
        queue.db.close()


def test_sqs_backend_uses_endpoint_prefix_and_configured_queue_names(s3_clean):
    config = Config(
        {
            "queue_backend": "sqs",
            "sqs_endpoint_url": s3_clean,
            "queue_prefix": "swaprep-",
            "queue_names": "process, submit",
        },
        env={},
    )
    queue = queue_from_config(config)
    assert isinstance(queue, SqsQueue)
    round_trip(queue)
    client = boto3.client("sqs", endpoint_url=s3_clean, region_name="us-east-1")
    names = sorted(u.rsplit("/", 1)[1] for u in client.list_queues()["QueueUrls"])
    assert names == ["swaprep-process", "swaprep-process-dlq"]
    assert queue.queues() == ["process", "submit"]


def test_localstack_backend_is_wired_by_localstack_client(s3_clean, monkeypatch):
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)  # it would override the host
    host = s3_clean.removeprefix("http://")  # moto stands in for LocalStack here
    queue = queue_from_config(
        Config({"queue_backend": "localstack", "localstack_host": host}, env={})
    )
    assert isinstance(queue, SqsQueue) and queue.client.meta.endpoint_url == s3_clean
    round_trip(queue)


def test_an_unknown_backend_is_a_config_error_naming_the_setting():
    with pytest.raises(ConfigError, match="queue_backend"):
        queue_from_config(Config({"queue_backend": "rabbitmq"}, env={}))

"""Rules of the queue port that hold before any backend is reached."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from shared.adapters.queue import InvalidMessage, InvalidQueueName, OutgoingMessage
from shared.adapters.queue.base import MAX_BODY_BYTES, validate_queue_name

ROOT = Path(__file__).resolve().parents[3]


def test_a_message_carrying_data_instead_of_ids_is_refused():
    with pytest.raises(InvalidMessage, match="claim check"):
        OutgoingMessage({"rows": "x" * MAX_BODY_BYTES})


@pytest.mark.parametrize(
    "kwargs",
    [
        {"body": ["not", "an", "object"]},
        {"body": {"when": object()}},
        {"body": {}, "delay_s": 901},
        {"body": {}, "delay_s": -1},
        {"body": {}, "tenant_id": "alpha-bank"},
        {"body": {}, "dedup_id": ""},
    ],
)
def test_malformed_messages_are_refused_when_built(kwargs):
    with pytest.raises(InvalidMessage):
        OutgoingMessage(**kwargs)


def test_tenant_ids_are_normalised_so_equal_tenants_compare_equal():
    tenant = uuid.uuid4()
    assert OutgoingMessage({}, tenant).tenant_id == str(tenant)
    assert OutgoingMessage({}, str(tenant).upper()).tenant_id == str(tenant)


@pytest.mark.parametrize("name", ["", "process queue", "process-dlq", "x" * 61, "큐"])
def test_queue_names_every_backend_can_hold(name):
    with pytest.raises(InvalidQueueName):
        validate_queue_name(name)
    assert validate_queue_name("process") == "process"


def test_sqs_bodies_decode_tolerantly():
    from shared.adapters.queue.sqs import decode, encode

    tenant = str(uuid.uuid4())
    assert decode(encode(OutgoingMessage({"file": "f"}, tenant))) == ({"file": "f"}, tenant)
    assert decode("not json") == ({"raw": "not json"}, None)
    assert decode(json.dumps({"Records": []})) == ({"Records": []}, None)
    assert decode("[1, 2]") == ({"raw": "[1, 2]"}, None)


def test_importing_the_queue_package_does_not_load_boto3():
    # Cold starts pay for imports: an action using the PostgreSQL queue must not load boto3.
    code = "import sys, shared.adapters.queue; print('boto3' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"

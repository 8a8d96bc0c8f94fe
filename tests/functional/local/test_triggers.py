"""Triggers of the local stack: Object Storage (any S3 client), Cron, queue dispatch, restarts."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import boto3
import pytest
import requests
from botocore.config import Config as BotoConfig

from tests.functional.local.conftest import wait_for_activations

pytestmark = pytest.mark.functional


def _plain_client(endpoint: str):
    """A boto3 client that knows nothing of the stack (an FEP's own upload tool)."""
    return boto3.client(
        "s3", endpoint_url=endpoint, region_name="kr-standard",
        aws_access_key_id="fep", aws_secret_access_key="fep",
        config=BotoConfig(s3={"addressing_style": "path"}),
    )


def _object_of(row: dict) -> str:
    return row["result"]["event"]["object_name"]


def test_upload_by_any_client_starts_the_bound_action(stack, db, s3_operations):
    client = _plain_client(stack.s3_endpoint_url)
    bucket = stack.buckets["inbound"]
    uploaded_at = time.monotonic()
    client.put_object(Bucket=bucket, Key="fep/2026-11-20/trades 1.csv", Body=b"uti,notional\n")

    rows = wait_for_activations(db, "on_upload", timeout_s=2.0, finished=False)
    assert rows, "no activation within 2 s of the upload"
    assert time.monotonic() - uploaded_at < 2.0
    done = wait_for_activations(db, "on_upload")[0]
    assert done["status"] == "success"
    assert done["trigger"] == f"object_storage:{bucket}"
    event = done["result"]["event"]
    assert event["bucket_name"] == bucket
    assert event["object_name"] == "fep/2026-11-20/trades 1.csv"
    assert event["object_size"] == 13
    assert event["event_type"] == "ObjectCreated:Put"
    assert event["layer"] == "trigger" and event["bound"] == "inbound"  # trigger > action params

    # A changed object (new ETag) fires again; an unchanged bucket does not.
    client.put_object(Bucket=bucket, Key="fep/2026-11-20/trades 1.csv", Body=b"uti\n")
    assert len(wait_for_activations(db, "on_upload", 2, timeout_s=2.0)) == 2
    # Uploads to a bucket without triggers start nothing.
    client.put_object(Bucket=stack.buckets["outbound"], Key="report.xml", Body=b"<x/>")
    time.sleep(0.6)
    assert len(wait_for_activations(db, "on_upload", 3, timeout_s=0.0)) == 2
    assert "ListObjects" in s3_operations and "ListObjectsV2" not in s3_operations


def test_cron_trigger_fires(make_stack, db):
    # A clock 0.8 s before the next minute boundary: the "* * * * *" trigger is due soon.
    offset = (60 - time.time() % 60) - 0.8
    make_stack(cron_clock=lambda: time.time() + offset)
    rows = wait_for_activations(db, "ticker", timeout_s=4.0)
    assert rows, "the cron trigger did not fire"
    row = rows[0]
    assert row["status"] == "success" and row["trigger"] == "cron:* * * * *"
    assert row["result"]["task"] == "tick"
    event = row["result"]["event"]
    assert event["cron"] == "* * * * *"
    fired_at = datetime.fromisoformat(event["fired_at"])
    assert fired_at.second == 0 and fired_at.tzinfo is not None
    assert abs((fired_at - datetime.now(UTC)).total_seconds() - offset) < 5


def test_queue_dispatch_invokes_the_consumer(stack, db):
    with db.system() as conn:
        for n in range(7):
            conn.execute(
                "INSERT INTO queue_messages (queue, body) VALUES ('work', %s::jsonb)",
                (json.dumps({"n": n}),),
            )
        conn.execute(
            "INSERT INTO queue_messages (queue, body, visible_at)"
            " VALUES ('work', '{}'::jsonb, now() + interval '1 hour')"
        )
    rows = wait_for_activations(
        db, "consumer", 2, timeout_s=5.0, where=lambda r: r["status"] == "success"
    )
    assert len(rows) >= 2
    first = rows[0]
    assert first["trigger"] == "queue:work"
    assert first["result"] == {
        "queue": "work", "batch_size": 5, "visibility_timeout_s": 30, "drained": 5
    }
    assert sum(r["result"]["drained"] for r in rows) == 7
    with db.system() as conn:
        left = conn.execute("SELECT count(*) AS n FROM queue_messages").fetchone()["n"]
    assert left == 1  # the invisible message waits for its time
    time.sleep(0.6)
    assert len(wait_for_activations(db, "consumer", 99, timeout_s=0.0)) == len(rows)


def test_restart_keeps_objects_and_fires_only_for_new_ones(make_stack, db, s3_clean):
    first = make_stack()
    inbound = first.buckets["inbound"]
    client = _plain_client(first.s3_endpoint_url)
    big = bytes(range(256)) * 40_000  # 10 MB: restored by a streamed (multipart) upload
    client.put_object(Bucket=inbound, Key="old.csv", Body=b"old,1\n", ContentType="text/csv")
    client.put_object(Bucket=first.buckets["outbound"], Key="reports/big.bin", Body=big)
    assert len(wait_for_activations(db, "on_upload", timeout_s=3.0)) == 1
    client.put_object(Bucket=inbound, Key="late.csv", Body=b"late,1\n")  # no poll before stop
    first.stop()

    # moto keeps objects in memory only: a restart of the stack starts from an empty S3.
    requests.post(f"{s3_clean}/moto-api/reset", timeout=10).raise_for_status()
    # A file dropped into the mirror while the stack is down is a new upload.
    (first.state_dir / "s3" / inbound / "dropped in.csv").write_bytes(b"dropped,1\n")

    second = make_stack()
    client = _plain_client(second.s3_endpoint_url)
    old = client.get_object(Bucket=inbound, Key="old.csv")
    assert old["Body"].read() == b"old,1\n" and old["ContentType"] == "text/csv"
    restored = client.get_object(Bucket=second.buckets["outbound"], Key="reports/big.bin")
    assert restored["Body"].read() == big
    rows = wait_for_activations(db, "on_upload", 3, timeout_s=3.0)
    time.sleep(0.6)  # a few more polls: nothing else may fire
    rows = wait_for_activations(db, "on_upload", 99, timeout_s=0.0)
    assert sorted(_object_of(r) for r in rows) == ["dropped in.csv", "late.csv", "old.csv"]
    assert all(r["status"] == "success" for r in rows)

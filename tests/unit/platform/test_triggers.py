"""Object Storage and cron trigger payloads, in every shape an action may be handed."""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from shared.platform.triggers import (
    TriggerError,
    cron_event,
    cron_event_of,
    object_events,
    object_storage_event,
)

EVENTS = Path(__file__).resolve().parents[3] / "events"
HANGUL_KEY = "alpha-bank/2026-11-22 거래내역 (FEP+1).csv"


def test_aws_records_shape_decodes_form_encoded_keys_with_spaces_and_hangul():
    payload = object_storage_event("inbound", HANGUL_KEY, size=10, etag="abc", shape="aws")
    raw_key = payload["Records"][0]["s3"]["object"]["key"]
    assert " " not in raw_key and "%EA" in raw_key  # really encoded on the wire
    [event] = object_events(payload)
    assert (event.bucket, event.key, event.size, event.etag) == ("inbound", HANGUL_KEY, 10, "abc")
    assert event.created


def test_ncp_flat_shape_keeps_a_literal_plus_in_the_key():
    [event] = object_events(object_storage_event("inbound", HANGUL_KEY, size=3, etag="e"))
    assert event.key == HANGUL_KEY
    assert event.event_name == "ObjectCreated:Put"


def test_several_records_give_several_events():
    one = object_storage_event("b", "t/a.csv", size=1, etag="1", shape="aws")["Records"][0]
    two = object_storage_event("b", "t/b.csv", size=2, etag="2", shape="aws")["Records"][0]
    assert [e.key for e in object_events({"Records": [one, two]})] == ["t/a.csv", "t/b.csv"]


@pytest.mark.parametrize(
    "payload",
    [
        {"detail": {"bucket": {"name": "inbound"}, "object": {"key": "t/x.csv", "size": 5}}},
        {"bucketName": "inbound", "objectKey": "t/x.csv", "eventType": "ObjectCreated:Put"},
        {"container_name": "inbound", "object": {"name": "t/x.csv", "size": 5}},
        {"data": {"bucket": "inbound", "key": "t/x.csv"}},
    ],
)
def test_other_plausible_shapes_are_understood(payload):
    [event] = object_events(payload)
    assert (event.bucket, event.key) == ("inbound", "t/x.csv")


def test_removal_events_are_not_creations():
    [event] = object_events(
        object_storage_event("b", "t/x.csv", size=0, etag="", event_name="ObjectRemoved:Delete")
    )
    assert not event.created


def test_a_payload_without_bucket_and_key_is_a_loud_error_naming_what_came_in():
    with pytest.raises(TriggerError, match="top-level fields received: foo"):
        object_events({"foo": 1, "api_secret": "x", "__ow_method": "post"})


def test_every_sample_object_storage_event_parses():
    samples = sorted(EVENTS.glob("*object-storage*.json"))
    assert samples, "events/ must hold sample Object Storage payloads"
    for sample in samples:
        assert object_events(json.loads(sample.read_text(encoding="utf-8"))), sample.name


def test_cron_event_round_trip_and_missing_payload():
    fired = datetime(2026, 11, 22, 0, 1, tzinfo=UTC)
    parsed = cron_event_of(cron_event("* * * * *", fired))
    assert (parsed.schedule, parsed.fired_at) == ("* * * * *", fired)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert cron_event_of({}, now=now).fired_at == now

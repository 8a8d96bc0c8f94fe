"""Trigger payloads: one tolerant parser per trigger type, and builders for the local stack.

NCP does not publish the JSON its Object Storage trigger hands to an action (see
shared/reference/ncp-platform.md §2), so `object_events` accepts every shape we know of:
- AWS S3 notifications:
  `{"Records": [{"eventName", "s3": {"bucket": {"name"}, "object": {"key"}}}]}`,
  keys URL-encoded (`+` for spaces, `%EA%B1%B0` for Hangul);
- EventBridge style: `{"detail": {"bucket": {"name"}, "object": {"key"}}}`;
- flat or nested key/value shapes: bucket under `bucket`, `bucketName`, `bucket_name`,
  `container_name`, ...; key under `key`, `objectKey`, `object_name`, `object`, ...
A payload that yields no bucket and key raises `TriggerError` naming what was received,
so a wrong guess shows up loudly in the activation record instead of doing nothing.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote, unquote_plus

from shared.platform import clock

BUCKET_FIELDS = ("bucket", "bucketName", "bucket_name", "container", "container_name",
                 "containerName")
KEY_FIELDS = ("key", "objectKey", "object_key", "objectName", "object_name", "object")
EVENT_FIELDS = ("eventName", "event_name", "eventType", "event_type", "event")
SIZE_FIELDS = ("size", "objectSize", "object_size", "contentLength", "content_length")
ETAG_FIELDS = ("eTag", "etag", "ETag")


class TriggerError(ValueError):
    """The trigger payload is not one we can understand."""


@dataclass(frozen=True)
class ObjectEvent:
    bucket: str
    key: str
    event_name: str = "ObjectCreated:Put"
    size: int | None = None
    etag: str | None = None

    @property
    def created(self) -> bool:
        return self.event_name.split(":", 1)[0].lower().endswith("created")


@dataclass(frozen=True)
class CronEvent:
    schedule: str | None
    fired_at: datetime


def _first(mapping: Mapping[str, Any], names: tuple[str, ...]) -> Any:
    for name in names:
        value = mapping.get(name)
        if value not in (None, ""):
            return value
    return None


def _name_of(value: Any) -> str | None:
    """A bucket or object given either as a string or as {"name"/"key": ...}."""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        inner = _first(value, ("name", "key", "Name", "Key"))
        return inner if isinstance(inner, str) else None
    return None


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _decode_key(key: str, *, plus_is_space: bool) -> str:
    # S3 notifications URL-encode keys form-style ("+" for space). Elsewhere a "+" may be a
    # literal plus, so only percent-escapes are decoded there.
    return unquote_plus(key) if plus_is_space else unquote(key)


def _from_record(record: Mapping[str, Any]) -> ObjectEvent | None:
    s3 = record.get("s3")
    if not isinstance(s3, Mapping):
        return None
    bucket = _name_of(s3.get("bucket"))
    found = s3.get("object")
    obj: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
    key = obj.get("key")
    if not bucket or not isinstance(key, str):
        return None
    return ObjectEvent(
        bucket=bucket,
        key=_decode_key(key, plus_is_space=True),
        event_name=str(record.get("eventName") or "ObjectCreated:Put"),
        size=_int_or_none(obj.get("size")),
        etag=obj.get("eTag") or obj.get("etag"),
    )


def _from_flat(payload: Mapping[str, Any]) -> ObjectEvent | None:
    bucket = _name_of(_first(payload, BUCKET_FIELDS))
    raw_object = _first(payload, KEY_FIELDS)
    key = _name_of(raw_object)
    if not bucket or not key:
        return None
    details = raw_object if isinstance(raw_object, Mapping) else payload
    return ObjectEvent(
        bucket=bucket,
        key=_decode_key(key, plus_is_space=False),
        event_name=str(_first(payload, EVENT_FIELDS) or "ObjectCreated:Put"),
        size=_int_or_none(_first(details, SIZE_FIELDS) or _first(payload, SIZE_FIELDS)),
        etag=_first(details, ETAG_FIELDS) or _first(payload, ETAG_FIELDS),
    )


def object_events(args: Mapping[str, Any]) -> list[ObjectEvent]:
    """Every object event in an Object Storage trigger payload (NCP or AWS shape)."""
    records = args.get("Records")
    if isinstance(records, list):
        events = [e for e in (_from_record(r) for r in records if isinstance(r, Mapping)) if e]
        if events:
            return events
    for candidate in (args, args.get("detail"), args.get("data"), args.get("event")):
        if isinstance(candidate, Mapping):
            event = _from_flat(candidate)
            if event:
                return [event]
    shown = sorted(k for k in args if not k.startswith("__") and not _looks_secret(k))
    raise TriggerError(
        "not an Object Storage event: no bucket and object key found "
        f"(top-level fields received: {', '.join(shown) or 'none'})"
    )


def _looks_secret(name: str) -> bool:
    from shared.platform.config import is_secret

    return is_secret(name)


def is_object_event(args: Mapping[str, Any]) -> bool:
    try:
        object_events(args)
    except TriggerError:
        return False
    return True


def cron_event_of(args: Mapping[str, Any], now: datetime | None = None) -> CronEvent:
    """The cron firing in `args`; a cron trigger may pass nothing at all, so `now` stands in."""
    fired = args.get("fired_at") or args.get("firedAt") or args.get("time")
    fired_at = now or clock.now()
    if isinstance(fired, str):
        with contextlib.suppress(ValueError):
            fired_at = datetime.fromisoformat(fired.replace("Z", "+00:00"))
    return CronEvent(schedule=args.get("cron") or args.get("schedule"), fired_at=fired_at)


# -- builders: what the local stack's triggers send (and what events/*.json hold) ----------------

def object_storage_event(
    bucket: str,
    key: str,
    *,
    size: int,
    etag: str,
    event_name: str = "ObjectCreated:Put",
    event_time: datetime | None = None,
    shape: str = "ncp",
) -> dict[str, Any]:
    """An Object Storage event as the local stack delivers it.

    `shape="ncp"` is our best reading of NCP's bucket-event payload (flat fields: bucket name,
    object key, event type; unconfirmed, see module docstring); `shape="aws"` is the S3
    notification format. Actions must accept both, which `object_events` does.
    """
    when = (event_time or clock.now()).isoformat().replace("+00:00", "Z")
    if shape == "aws":
        from urllib.parse import quote_plus

        return {
            "Records": [
                {
                    "eventVersion": "2.1",
                    "eventSource": "aws:s3",
                    "eventTime": when,
                    "eventName": event_name,
                    "s3": {
                        "bucket": {"name": bucket},
                        "object": {"key": quote_plus(key, safe="/"), "size": size, "eTag": etag},
                    },
                }
            ]
        }
    if shape != "ncp":
        raise ValueError(f"unknown event shape {shape!r}")
    return {
        "event_type": event_name,
        "event_time": when,
        "bucket_name": bucket,
        "object_name": key,
        "object_size": size,
        "etag": etag,
    }


def cron_event(schedule: str, fired_at: datetime) -> dict[str, Any]:
    """Parameters a cron trigger firing adds to the action's arguments."""
    return {"cron": schedule, "fired_at": fired_at.astimezone(UTC).isoformat()}

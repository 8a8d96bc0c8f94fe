"""The local stack's triggers: Object Storage bucket events, Cron, and queue dispatch.

- `ObjectStoragePoller` lists the stack's buckets with ListObjects v1 (NCP Object Storage has
  no ListObjectsV2) every `interval_s`, and on a new or changed object (key + ETag) invokes the
  bound actions asynchronously with `shared.platform.triggers.object_storage_event(...)`
  ("ObjectCreated:Put"; "ObjectRemoved:Delete" when an object disappears). What it has seen
  is kept durably per bucket (see `s3mirror.py`), so a restart fires for objects it never
  saw, not again for old ones. Polling instead of S3 notifications means ANY S3 client's
  upload counts, as on NCP where bucket events come from the storage service itself.
- `CronScheduler` fires 5-field crontab triggers (croniter, UTC) with the trigger's params
  plus `shared.platform.triggers.cron_event(schedule, fired_at)`. Missed firings while the
  stack was down are not caught up (NCP's Cron trigger does not either).
- What they fire can change while they run (`ObjectStoragePoller.rebind`,
  `CronScheduler.replace`, `QueueDispatcher.consumers`): the stack rewires them from the
  deployed triggers when it runs deployed code (see `swaprep.local.deployed`).
- `QueueDispatcher` stands in for the event-source mapping NCP lacks: when a queue has ready
  messages and its consumer is not already running for it, the consumer is invoked with
  `{"queue"}`, as every wake-up is (its `batch_size` and `visibility_timeout_s` are action
  parameters, see `host._consumer_defaults`); a failing consumer is retried with exponential
  backoff rather than in a tight loop.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from swaprep.local.host import Activation, Host, HostError
from swaprep.local.manifest import ActionManifest, CronTrigger, ObjectStorageTrigger
from swaprep.local.s3mirror import BucketIndex, Entry, list_objects

log = logging.getLogger("swaprep.local.triggers")

READY_QUEUES_SQL = (
    "SELECT queue, count(*) AS ready FROM queue_messages WHERE visible_at <= now() GROUP BY queue"
)


class _Loop:
    """A daemon thread calling `tick()` every `interval_s` until stopped."""

    name = "loop"

    def __init__(self, interval_s: float) -> None:
        self.interval_s = interval_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def tick(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def _wait(self) -> float:
        return self.interval_s

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.tick()
            except Exception:
                log.exception("%s failed; retrying", self.name)
            self._stop.wait(self._wait())

    def start(self) -> _Loop:
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(10.0)


# -- Object Storage --------------------------------------------------------------------------


def _object_storage_event(bucket: str, key: str, size: int, etag: str, event_name: str):
    from shared.platform.triggers import object_storage_event

    return object_storage_event(bucket, key, size=size, etag=etag, event_name=event_name)


Binding = tuple[str, ObjectStorageTrigger]  # (action, trigger)


class ObjectStoragePoller(_Loop):
    name = "object-storage-poller"

    def __init__(
        self,
        client: Any,
        host: Host,
        bindings: Mapping[str, list[Binding]],
        state_root: Path,
        *,
        mirror_buckets: Iterable[str] = (),
        interval_s: float = 0.5,
    ) -> None:
        super().__init__(interval_s)
        self.client = client
        self.host = host
        self.state_root = state_root
        self.bindings = {bucket: list(b) for bucket, b in bindings.items()}
        mirrored = set(mirror_buckets)
        self.indexes = {
            bucket: BucketIndex(state_root, bucket, mirror=bucket in mirrored)
            for bucket in sorted(set(self.bindings) | mirrored)
        }
        self._lock = threading.Lock()  # tick() and a final sync() never overlap
        self._missing: set[str] = set()

    def rebind(self, bindings: Mapping[str, list[Binding]]) -> None:
        """Fire `bindings` from now on. A bucket not watched so far starts with what it holds
        now marked as seen: as on NCP, a new trigger fires for later uploads only."""
        with self._lock:
            self.bindings = {bucket: list(b) for bucket, b in bindings.items()}
            for bucket in sorted(set(self.bindings) - set(self.indexes)):
                index = BucketIndex(self.state_root, bucket, mirror=False)
                try:
                    listing = list_objects(self.client, bucket)
                except Exception as exc:
                    log.warning("cannot list bucket %s: %s", bucket, exc)
                    listing = {}
                for key in [k for k in index.entries if k not in listing]:
                    index.drop(key)
                for key, (etag, size) in listing.items():
                    index.set(key, Entry(etag=etag, size=size, seen=True))
                index.save()
                self.indexes[bucket] = index

    def restore(self) -> int:
        """Put mirrored objects back into S3 (call before `start`)."""
        return sum(index.restore(self.client) for index in self.indexes.values())

    def tick(self) -> None:
        self.sync(fire=True)

    def sync(self, *, fire: bool) -> int:
        """One pass over every bucket; returns how many activations were started.

        With fire=False (the last pass at shutdown) objects are mirrored but left unseen, so
        they fire after the next start.
        """
        started = 0
        with self._lock:
            for bucket, index in self.indexes.items():
                try:
                    listing = list_objects(self.client, bucket)
                except Exception as exc:
                    if bucket not in self._missing:
                        log.warning("cannot list bucket %s: %s", bucket, exc)
                        self._missing.add(bucket)
                    continue
                self._missing.discard(bucket)
                started += self._sync_bucket(bucket, index, listing, fire)
                index.save()
        return started

    def _sync_bucket(
        self, bucket: str, index: BucketIndex, listing: dict[str, tuple[str, int]], fire: bool
    ) -> int:
        started = 0
        for key, (etag, size) in listing.items():
            known = index.entries.get(key)
            if known and known.etag == etag:
                if fire and not known.seen:
                    # Mirrored on a pass that did not fire (shutdown, or restored from disk).
                    known.seen = True
                    index.set(key, known)
                    started += self._fire(bucket, key, size, etag, "ObjectCreated:Put")
                if index.mirror and known.file is None:
                    self._copy_down(index, key, known, quiet=True)  # an earlier copy failed
                continue
            entry = Entry(etag=etag, size=size, seen=fire)
            if fire:
                started += self._fire(bucket, key, size, etag, "ObjectCreated:Put")
            self._copy_down(index, key, entry, quiet=False)
            index.set(key, entry)
        for key in [k for k in index.entries if k not in listing]:
            entry = index.entries[key]
            if fire and entry.seen:
                started += self._fire(bucket, key, entry.size, entry.etag, "ObjectRemoved:Delete")
            index.drop(key)
        return started

    def _copy_down(self, index: BucketIndex, key: str, entry: Entry, *, quiet: bool) -> None:
        try:
            index.copy_down(self.client, key, entry)
            index.set(key, entry)
        except Exception as exc:
            # Deleted or replaced meanwhile: the next pass sees the new state and retries.
            (log.debug if quiet else log.warning)(
                "cannot mirror s3://%s/%s: %s", index.bucket, key, exc
            )

    def _fire(self, bucket: str, key: str, size: int, etag: str, event_name: str) -> int:
        started = 0
        for action, trigger in self.bindings.get(bucket, []):
            if not trigger.matches(event_name):
                continue
            event = _object_storage_event(bucket, key, size, etag, event_name)
            try:
                self.host.submit(
                    action, event, trigger=f"object_storage:{bucket}",
                    trigger_params=trigger.params,
                )
                started += 1
            except HostError as exc:
                log.warning("trigger for s3://%s/%s -> %s refused: %s", bucket, key, action, exc)
        return started


# -- Cron -----------------------------------------------------------------------------------


def _cron_event(schedule: str, fired_at: datetime) -> dict[str, Any]:
    from shared.platform.triggers import cron_event

    return cron_event(schedule, fired_at)


class CronScheduler(_Loop):
    """Fires cron triggers; `clock` (epoch seconds) is injectable so tests need not wait for
    a minute boundary."""

    name = "cron"

    def __init__(
        self,
        host: Host,
        triggers: Iterable[tuple[str, CronTrigger]],
        *,
        clock: Callable[[], float] = time.time,
        max_sleep_s: float = 0.5,
    ) -> None:
        super().__init__(max_sleep_s)
        from croniter import croniter

        self.host = host
        self.clock = clock
        self._croniter = croniter
        self._lock = threading.Lock()
        self.replace(triggers)

    def replace(self, triggers: Iterable[tuple[str, CronTrigger]]) -> None:
        """Fire these triggers from now on (their next firing after now)."""
        entries = [(action, trigger) for action, trigger in triggers]
        now = self._now()
        upcoming = [self._after(t.schedule, now) for _, t in entries]
        with self._lock:
            self._entries, self._next = entries, upcoming

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), UTC)

    def _after(self, schedule: str, moment: datetime) -> datetime:
        return self._croniter(schedule, moment).get_next(datetime)

    def tick(self) -> None:
        now = self._now()
        due_now = []
        with self._lock:
            for i, (action, trigger) in enumerate(self._entries):
                due = self._next[i]
                if now >= due:
                    self._next[i] = self._after(trigger.schedule, now)
                    due_now.append((action, trigger, due))
        for action, trigger, due in due_now:
            try:
                self.host.submit(
                    action, _cron_event(trigger.schedule, due), trigger=f"cron:{trigger.schedule}",
                    trigger_params=trigger.params,
                )
            except HostError as exc:
                log.warning("cron trigger of %s refused: %s", action, exc)

    def _wait(self) -> float:
        with self._lock:
            upcoming = list(self._next)
        if not upcoming:
            return self.interval_s
        until = (min(upcoming) - self._now()).total_seconds()
        return max(0.01, min(self.interval_s, until))


# -- Queues ---------------------------------------------------------------------------------


class QueueDispatcher(_Loop):
    name = "queue-dispatcher"

    def __init__(
        self,
        host: Host,
        db: Any,
        consumers: Iterable[ActionManifest],
        *,
        interval_s: float = 0.5,
        max_backoff_s: float = 30.0,
    ) -> None:
        super().__init__(interval_s)
        self.host = host
        self.db = db
        self.consumers = {m.queue.name: m for m in consumers if m.queue}
        self.max_backoff_s = max_backoff_s
        self._failures: dict[str, int] = {}
        self._not_before: dict[str, float] = {}

    def ready_queues(self) -> dict[str, int]:
        with self.db.system() as conn:
            rows = conn.execute(READY_QUEUES_SQL).fetchall()
        return {_value(row, "queue", 0): _value(row, "ready", 1) for row in rows}

    def tick(self) -> None:
        if not self.consumers:
            return
        ready = self.ready_queues()
        now = time.monotonic()
        for queue, count in ready.items():
            manifest = self.consumers.get(queue)
            if manifest is None or count <= 0 or now < self._not_before.get(queue, 0.0):
                continue
            if self.host.is_running(manifest.name, queue=queue):
                continue
            params = {"queue": queue}  # batch size and lease: the action's own parameters
            try:
                self.host.submit(
                    manifest.name, params, trigger=f"queue:{queue}", on_done=self._done(queue)
                )
            except HostError as exc:
                log.warning("dispatch of queue %s to %s refused: %s", queue, manifest.name, exc)

    def _done(self, queue: str) -> Callable[[Activation], None]:
        def done(activation: Activation) -> None:
            if activation.success:
                self._failures.pop(queue, None)
                self._not_before.pop(queue, None)
                return
            failures = self._failures[queue] = self._failures.get(queue, 0) + 1
            delay = min(self.max_backoff_s, self.interval_s * 2**failures)
            self._not_before[queue] = time.monotonic() + delay
            log.warning(
                "consumer %s of queue %s failed (%s); next dispatch in %.1f s",
                activation.action, queue, activation.error, delay,
            )

        return done


def _value(row: Any, name: str, index: int) -> Any:
    return row[name] if isinstance(row, Mapping) else row[index]

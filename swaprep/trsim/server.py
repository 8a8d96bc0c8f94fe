"""The simulated trade repository: the TR protocol on 127.0.0.1, feedback into a bucket.

    sim = TrSimulator("swaprep-feedback", api_keys="k", s3_endpoint_url=..., feedback_delay_s=1)
    with sim:
        sim.url                        # POST {url}/reports (docs/PIPELINE.md "TR protocol")
        sim.set_faults(fail_next=3)    # or POST {admin_url}/admin/faults {"fail_next": 3}
        sim.flush_feedback()           # write due-later feedback files now (tests)

Two listeners: the TR API (`url`), which the `down` fault closes so that clients get
"connection refused", and the admin API (`admin_url`), which stays up to switch it back.
A file is checked when it arrives (records.py, checks.py) and its verdict fixed then; the
feedback file is written `feedback_delay_s` later, by a background thread, to
`<folder>/<tr_message_id>.json` in the feedback bucket (S3 API, PutObject only).
`<folder>` is the X-Submitter-Tenant header (our tenant slug) or else the X-Submitter LEI.

Idempotency: the ledger key is (regime, X-Submitter, X-Report-File-Id). The same key with
the same bytes answers the first `tr_message_id` again (`"replayed": true`) and changes
nothing; the same key with other bytes is refused (TR-FILE-005).

State (ledger, UTI states, pending feedback) is in memory; with `state_path` it is also
saved as JSON after every change and loaded on start, so a restart loses nothing.
"""

from __future__ import annotations

import hashlib
import heapq
import hmac
import json
import logging
import os
import re
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, fields
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from shared.domain import regimes
from shared.domain.identifiers import check_lei
from swaprep.local.httpd import BodyTooLarge, LoopbackServer, QuietHandler
from swaprep.trsim.checks import RecordResult, Repository
from swaprep.trsim.eod import EndOfDay
from swaprep.trsim.records import FileRefused, read_file

log = logging.getLogger("swaprep.trsim")

REGIMES = regimes.keys()  # the regimes our pipeline reports: one TR endpoint takes them all
MAX_BODY_BYTES = 50 * 1024 * 1024
_FOLDER = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")  # a tenant slug, as tenants.slug allows
MAX_FEEDBACK_WRITE_ATTEMPTS = 20
STATE_SAVE_INTERVAL_S = 2.0  # at most this often to the state file (and at stop)


@dataclass
class Faults:
    """Fault modes, switchable at runtime. Counters count down as they are used."""

    down: bool = False  # the TR API listener is closed: connection refused
    slow_s: float = 0.0  # delay before a request is handled (and then it is handled)
    slow_requests: int | None = None  # how many requests are slow; None: all while slow_s
    fail_next: int = 0  # the next N requests answer fail_status, untouched
    fail_status: int = 503
    retry_after_s: int | None = None  # Retry-After on those answers
    malformed_feedback: int = 0  # the next N feedback files are truncated JSON
    duplicate_feedback: int = 0  # the next N feedback files are written twice


@dataclass
class Message:
    tr_message_id: str
    regime: str
    submitter: str
    folder: str
    report_file_id: str
    sha256: str
    received_at: str
    results: list[RecordResult]
    feedback_key: str
    feedback_written: int = 0  # how many feedback objects were written (2 when duplicated)
    write_attempts: int = 0  # failed attempts to write the feedback (bucket unreachable)

    def answer(self, replayed: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {"tr_message_id": self.tr_message_id,
                               "received_at": self.received_at, "records": len(self.results)}
        if replayed:
            out["replayed"] = True
        return out

    def feedback(self, generated_at: datetime) -> dict[str, Any]:
        return {
            "tr_message_id": self.tr_message_id,
            "report_file_id": self.report_file_id,
            "regime": self.regime,
            "submitter": self.submitter,
            "received_at": self.received_at,
            "generated_at": _iso(generated_at),
            "records": [r.as_feedback() for r in self.results],
        }

    def summary(self) -> dict[str, Any]:
        nacks = sum(1 for r in self.results if r.codes)
        return {"tr_message_id": self.tr_message_id, "regime": self.regime,
                "submitter": self.submitter, "report_file_id": self.report_file_id,
                "received_at": self.received_at, "records": len(self.results),
                "acks": len(self.results) - nacks, "nacks": nacks,
                "feedback_key": self.feedback_key, "feedback_written": self.feedback_written}

    def dump(self) -> dict[str, Any]:
        data = asdict(self)
        data["results"] = [
            {"position": r.position, "record_ref": r.record_ref, "uti": r.uti,
             "codes": [list(c) for c in r.codes], "event_ts": r.event_ts,
             "reporting_counterparty": r.reporting_counterparty}
            for r in self.results]
        return data

    @classmethod
    def load(cls, data: dict[str, Any]) -> Message:
        results = [RecordResult(r["position"], r["record_ref"], r["uti"],
                                tuple(tuple(c) for c in r["codes"]), r.get("event_ts"),
                                r.get("reporting_counterparty"))
                   for r in data["results"]]
        return cls(**{**data, "results": results})


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class TrSimulator:
    def __init__(
        self,
        feedback_bucket: str,
        *,
        api_keys: str | Mapping[str, str],
        s3_client: Any = None,
        s3_endpoint_url: str | None = None,
        s3_region: str = "kr-standard",
        s3_access_key_id: str | None = None,
        s3_secret_access_key: str | None = None,
        port: int = 0,
        admin_port: int = 0,
        feedback_delay_s: float = 2.0,
        known_leis: set[str] | None = None,
        clock: Callable[[], datetime] | None = None,
        state_path: Path | None = None,
        admin_token: str | None = None,
        max_body_bytes: int = MAX_BODY_BYTES,
        eod_schedule: str | float | None = None,
    ) -> None:
        self.feedback_bucket = feedback_bucket
        # When the end-of-day reports write themselves (None: only when asked, POST /admin/eod):
        # "day_end" as a TR does, each UTC day's once it has ended; a number N of seconds, the
        # day's so far once no file has come for N seconds (a stand-in convenience, so a demo
        # shows reconciliation without waiting for midnight; no TR does this).
        self.eod_schedule = _eod_schedule(eod_schedule)
        self._last_file_at: float | None = None  # monotonic time of the last file taken
        self._eod_after: float | None = None  # the last file the quiet-period reports covered
        self._api_keys = api_keys
        self._s3 = s3_client
        self._s3_settings = (s3_endpoint_url, s3_region, s3_access_key_id, s3_secret_access_key)
        self._port, self._admin_port = port, admin_port
        self.feedback_delay_s = feedback_delay_s
        self.repository = Repository(known_leis=known_leis)
        self.eod = EndOfDay()  # what the end-of-day reports are made of (eod.py)
        self.clock = clock or (lambda: datetime.now(UTC))
        self.state_path = Path(state_path) if state_path else None
        # The state file is the whole TR (every UTI it knows): writing it on every accepted
        # file made a million-record run quadratic. Changes mark it dirty; the feedback loop
        # writes it at most every STATE_SAVE_INTERVAL_S, and stop() writes it at once.
        self._state_dirty = False
        self._state_saved_at = 0.0
        self._state_save_s = 0.0  # how long the last write took: big states write less often
        self._admin_token = admin_token
        self.max_body_bytes = max_body_bytes

        self.faults = Faults()
        self._lock = threading.RLock()
        self._wake = threading.Condition(self._lock)
        self._ledger: dict[tuple[str, str, str], Message] = {}
        self._messages: dict[str, Message] = {}
        self._pending: list[tuple[float, int, str]] = []  # (due monotonic, seq, message id)
        self._seq = 0
        self.requests = 0  # POST /reports requests seen (faulted ones included)
        self._api: LoopbackServer | None = None
        self._admin: LoopbackServer | None = None
        self._worker: threading.Thread | None = None
        self._stopping = threading.Event()

    # -- life cycle --------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._port}"

    @property
    def admin_url(self) -> str:
        return f"http://127.0.0.1:{self._admin_port}"

    def start(self) -> TrSimulator:
        self._load_state()
        self._stopping.clear()
        self._admin = LoopbackServer(self._admin_port, _AdminHandler, sim=self).start(
            "trsim-admin")
        self._admin_port = self._admin.port
        self._open_api()
        self._worker = threading.Thread(target=self._feedback_loop, name="trsim-feedback",
                                        daemon=True)
        self._worker.start()
        log.info("TR simulator on %s (admin %s)", self.url, self.admin_url)
        return self

    def stop(self) -> None:
        self._stopping.set()
        with self._wake:
            self._wake.notify_all()
        if self._worker:
            self._worker.join(5.0)
            self._worker = None
        self._close_api()
        if self._admin:
            self._admin.stop()
            self._admin = None
        self._save_state()

    def __enter__(self) -> TrSimulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _open_api(self) -> None:
        if self._api is None:
            self._api = LoopbackServer(self._port, _ApiHandler, sim=self).start("trsim-api")
            self._port = self._api.port

    def _close_api(self) -> None:
        if self._api is not None:
            self._api.stop()
            self._api = None

    # -- fault modes (Python API; the admin API calls these) -----------------------------------

    def set_faults(self, **changes: Any) -> dict[str, Any]:
        """Change fault modes, e.g. `set_faults(down=True)`, `set_faults(fail_next=3)`."""
        names = {f.name for f in fields(Faults)} | {"feedback_delay_s"}
        unknown = sorted(set(changes) - names)
        if unknown:
            raise ValueError(f"unknown fault setting(s) {unknown}; known: {sorted(names)}")
        with self._lock:
            if "feedback_delay_s" in changes:
                self.feedback_delay_s = float(changes.pop("feedback_delay_s"))
            for name, value in changes.items():
                setattr(self.faults, name, value)
            down = self.faults.down
        # Outside the lock: closing the listener waits for its serving thread.
        if down:
            self._close_api()
        elif self._admin is not None:
            self._open_api()
        return self.describe()

    def reset_faults(self) -> dict[str, Any]:
        return self.set_faults(**asdict(Faults()))

    def reset_state(self) -> None:
        """Forget every message and UTI (a fresh TR)."""
        with self._lock:
            self._ledger.clear()
            self._messages.clear()
            self._pending.clear()
            self.repository.trades.clear()
            self.eod.clear()
            self.requests = 0
            self._save_state()

    def set_known_leis(self, leis: set[str] | None) -> None:
        with self._lock:
            self.repository.known_leis = None if leis is None else set(leis)

    def describe(self) -> dict[str, Any]:
        with self._lock:
            return {"url": self.url, "admin_url": self.admin_url, "faults": asdict(self.faults),
                    "feedback_delay_s": self.feedback_delay_s, "requests": self.requests,
                    "messages": len(self._messages), "pending_feedback": len(self._pending),
                    "known_leis": None if self.repository.known_leis is None
                    else len(self.repository.known_leis)}

    def messages(self) -> list[dict[str, Any]]:
        with self._lock:
            return [m.summary() for m in self._messages.values()]

    def received_records(self) -> list[dict[str, Any]]:
        """Every record of every accepted message, once per message (a replay adds nothing):
        what the TR has taken, to check that no event reached it twice."""
        with self._lock:
            return [{"tr_message_id": m.tr_message_id, "regime": m.regime,
                     "submitter": m.submitter, "report_file_id": m.report_file_id,
                     "position": r.position, "uti": r.uti,
                     "action": r.record_ref.split(":")[-2] if r.record_ref.count(":") >= 2
                     else None, "event_ts": r.event_ts, "status": r.status,
                     "reporting_counterparty": r.reporting_counterparty}
                    for m in self._messages.values() for r in m.results]

    def message(self, tr_message_id: str) -> Message | None:
        with self._lock:
            return self._messages.get(tr_message_id)

    # -- end-of-day reports (eod.py) -------------------------------------------------------------

    def end_of_day(self, reference_date: date | None = None, *,
                   again: bool = False) -> list[str]:
        """Write the day's trade state, reconciliation and warnings reports of every submitter
        of an EOD regime into the feedback bucket (`reference_date`: the clock's day). Once
        per day: a day already written is skipped unless `again`. Returns the keys written."""
        reference = reference_date or self.clock().astimezone(UTC).date()
        with self._lock:
            due = self.eod.due(reference, again)
            made = [(regime, submitter, folder,
                     self.eod.reports(regime, submitter, reference))
                    for regime, submitter, folder in due]
        written = []
        for regime, submitter, folder, reports in made:
            keys = []
            for kind, body in reports.items():
                key = self.eod.object_key(folder, regime, submitter, reference, kind)
                self._client().put_object(
                    Bucket=self.feedback_bucket, Key=key, Body=body,
                    ContentType="application/json" if key.endswith(".json")
                    else "application/xml")
                keys.append(key)
            with self._lock:
                self.eod.produced[self.eod.produced_key(regime, submitter, reference)] = keys
                self._state_dirty = True
            written += keys
        log.info("end of day %s: %d report(s) written", reference, len(written))
        return written

    def schedule_end_of_day(self, schedule: str | float | None) -> None:
        """When the end-of-day reports write themselves (see the constructor's
        `eod_schedule`)."""
        checked = _eod_schedule(schedule)
        with self._lock:
            self.eod_schedule = checked

    def set_counterparty(self, **settings: Any) -> dict[str, Any]:
        """What the other side reported (eod.py `CounterpartySettings`): mode none | mirror,
        differences, unreported."""
        with self._lock:
            described = self.eod.set_counterparty(**settings)
            self._state_dirty = True
        return described

    def load_counterparty_reports(self, regime: str, body: bytes) -> int:
        """The other side's own auth.030 file for `regime`; returns the records taken."""
        with self._lock:
            taken = self.eod.load_counterparty_reports(regime, body)
            self._state_dirty = True
        return taken

    # -- the protocol --------------------------------------------------------------------------

    def authorised(self, regime: str | None, authorization: str | None) -> bool:
        scheme, _, given = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not given.strip():
            return False
        keys = self._api_keys
        expected = keys if isinstance(keys, str) else keys.get(regime or "")
        return bool(expected) and hmac.compare_digest(given.strip(), str(expected))

    def receive(self, *, regime: str | None, submitter: str | None, report_file_id: str | None,
                body: bytes, content_type: str | None = None,
                folder: str | None = None) -> tuple[int, dict[str, Any]]:
        """Take one submission (headers already authenticated): (HTTP status, JSON answer)."""
        if regime not in REGIMES:
            return 400, {"code": "TR-HDR-001",
                         "message": f"X-Regime {regime!r} is not one of {', '.join(REGIMES)}"}
        if not submitter or check_lei(submitter):
            return 400, {"code": "TR-HDR-002", "message": f"X-Submitter {submitter!r}: "
                         f"{check_lei(submitter) if submitter else 'missing'}"}
        if not report_file_id or len(report_file_id) > 100:
            return 400, {"code": "TR-HDR-003",
                         "message": "X-Report-File-Id is missing or too long"}
        digest = hashlib.sha256(body).hexdigest()
        with self._lock:
            known = self._ledger.get((regime, submitter, report_file_id))
            if known is not None:
                if known.sha256 == digest:
                    return 202, known.answer(replayed=True)
                return 400, {"code": "TR-FILE-005", "message": (
                    f"X-Report-File-Id {report_file_id} was received as {known.tr_message_id} "
                    "with different content")}
            try:
                records = read_file(regime, body, content_type)
            except FileRefused as refused:
                return 400, {"code": refused.code, "message": refused.message}
            now = self.clock()
            results = self.repository.check(regime, submitter, records, now)
            message_id = f"TR-{regime.split('-')[0].upper()}-{now:%Y%m%d}-" \
                         f"{secrets.token_hex(6).upper()}"
            folder = folder if folder and _FOLDER.match(folder) else submitter
            self.eod.take(regime, submitter, folder, records, [not r.codes for r in results],
                          now)
            self._last_file_at = time.monotonic()
            message = Message(
                tr_message_id=message_id, regime=regime, submitter=submitter, folder=folder,
                report_file_id=report_file_id, sha256=digest, received_at=_iso(now),
                results=results, feedback_key=f"{folder}/{message_id}.json",
            )
            self._ledger[(regime, submitter, report_file_id)] = message
            self._messages[message_id] = message
            self._schedule(message_id, self.feedback_delay_s)
            self._state_dirty = True
        nacks = sum(1 for r in results if r.codes)
        log.info("accepted %s: %d record(s), %d NACK", message_id, len(results), nacks)
        return 202, message.answer()

    # -- feedback ------------------------------------------------------------------------------

    def _schedule(self, message_id: str, delay_s: float) -> None:
        with self._wake:
            self._seq += 1
            heapq.heappush(self._pending, (time.monotonic() + delay_s, self._seq, message_id))
            self._wake.notify_all()

    def _take(self, *, due_only: bool) -> list[str]:
        with self._lock:
            taken = []
            while self._pending and (not due_only or self._pending[0][0] <= time.monotonic()):
                taken.append(heapq.heappop(self._pending)[2])
            return taken

    def flush_feedback(self) -> int:
        """Write every pending feedback file now, whatever its delay; returns how many."""
        written = 0
        for message_id in self._take(due_only=False):
            written += self._write_feedback(message_id)
        return written

    def _feedback_loop(self) -> None:
        while not self._stopping.is_set():
            for message_id in self._take(due_only=True):
                self._write_feedback(message_id)
            self._scheduled_end_of_day()
            every = max(STATE_SAVE_INTERVAL_S, 20 * self._state_save_s)  # <= 5 % of the time
            if self._state_dirty and time.monotonic() - self._state_saved_at >= every:
                self._save_state()
            with self._wake:
                wait = 0.5 if not self._pending else self._pending[0][0] - time.monotonic()
                if wait > 0 and not self._stopping.is_set():
                    self._wake.wait(min(wait, 0.5))

    def _scheduled_end_of_day(self) -> None:
        """Write the end-of-day reports the schedule says are due (see `eod_schedule`)."""
        schedule = self.eod_schedule
        if schedule is None:
            return
        try:
            if schedule == "day_end":
                yesterday = self.clock().astimezone(UTC).date() - timedelta(days=1)
                with self._lock:
                    due = bool(self.eod.due(yesterday, again=False))
                if due:
                    self.end_of_day(yesterday)
                return
            with self._lock:
                last = self._last_file_at
                quiet = last is not None and time.monotonic() - last >= float(schedule)
                fresh = quiet and last != self._eod_after
            if fresh:
                self.end_of_day(again=True)  # the day so far, again: it has grown since
                with self._lock:
                    self._eod_after = last
        except Exception as exc:  # the bucket may be briefly unreachable: the next tick tries
            log.warning("scheduled end of day not written: %s", exc)

    def _write_feedback(self, message_id: str) -> int:
        with self._lock:
            message = self._messages.get(message_id)
            if message is None:
                return 0
            body = json.dumps(message.feedback(self.clock()), indent=1).encode()
            if self.faults.malformed_feedback > 0:
                self.faults.malformed_feedback -= 1
                body = body[: len(body) // 2]  # cut mid-document: not JSON any more
            copies = [message.feedback_key]
            if self.faults.duplicate_feedback > 0:
                self.faults.duplicate_feedback -= 1
                # A second object with the same bytes: NCP and S3 fire one event per object.
                copies.append(message.feedback_key.removesuffix(".json") + ".redelivered.json")
        try:
            for key in copies:
                self._client().put_object(Bucket=self.feedback_bucket, Key=key, Body=body,
                                          ContentType="application/json")
        except Exception as exc:  # the bucket may be briefly unreachable: try again later
            with self._lock:
                message.write_attempts += 1
                attempts = message.write_attempts
            if attempts < MAX_FEEDBACK_WRITE_ATTEMPTS:
                log.warning("feedback %s not written (%s); retrying", message_id, exc)
                self._schedule(message_id, min(2.0 ** attempts, 60.0))
            else:
                log.error("feedback %s given up after %d attempts: %s", message_id, attempts,
                          exc)
            return 0
        with self._lock:
            message.feedback_written += len(copies)
            self._state_dirty = True
        return len(copies)

    def _client(self) -> Any:
        if self._s3 is None:
            import boto3
            from botocore.config import Config as BotoConfig

            endpoint, region, key_id, secret = self._s3_settings
            self._s3 = boto3.session.Session().client(
                "s3", endpoint_url=endpoint, region_name=region, aws_access_key_id=key_id,
                aws_secret_access_key=secret,
                config=BotoConfig(s3={"addressing_style": "path"}, retries={"max_attempts": 2},
                                  request_checksum_calculation="when_required"),
            )
        return self._s3

    # -- persistence ---------------------------------------------------------------------------

    def _save_state(self) -> None:
        if self.state_path is None:
            return
        with self._lock:
            self._state_dirty = False
            self._state_saved_at = time.monotonic()
            state = {"messages": [m.dump() for m in self._messages.values()],
                     "trades": self.repository.dump(), "eod": self.eod.dump(),
                     "pending": [p[2] for p in sorted(self._pending)]}
        self.state_path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.state_path.with_name(f".{self.state_path.name}.tmp")
        tmp.write_text(json.dumps(state), encoding="utf-8")
        os.replace(tmp, self.state_path)
        self._state_save_s = time.monotonic() - self._state_saved_at

    def _load_state(self) -> None:
        if self.state_path is None or not self.state_path.exists():
            return
        state = json.loads(self.state_path.read_text(encoding="utf-8"))
        with self._lock:
            for data in state.get("messages", []):
                message = Message.load(data)
                self._messages[message.tr_message_id] = message
                self._ledger[(message.regime, message.submitter, message.report_file_id)] = \
                    message
            self.repository.load(state.get("trades", []))
            self.eod.load(state.get("eod", {}))
            for message_id in state.get("pending", []):
                self._schedule(message_id, self.feedback_delay_s)


def _json_body(handler: QuietHandler) -> dict[str, Any] | None:
    try:
        raw = handler.read_body(1024 * 1024)
        value = json.loads(raw or b"{}")
    except (BodyTooLarge, ValueError):
        handler.send_json(400, {"error": "the body must be a JSON object"})
        return None
    if not isinstance(value, dict):
        handler.send_json(400, {"error": "the body must be a JSON object"})
        return None
    return value


def _eod_schedule(value: str | float | None) -> str | float | None:
    if value is None or value == "day_end":
        return value
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"eod_schedule must be None, 'day_end' or seconds, got {value!r}") \
            from None
    if seconds <= 0:
        raise ValueError(f"eod_schedule seconds must be positive, got {value!r}")
    return seconds


class _ApiHandler(QuietHandler):
    server: LoopbackServer
    server_version = "swaprep-trsim"

    @property
    def sim(self) -> TrSimulator:
        return self.server.context["sim"]

    def do_GET(self) -> None:
        if urlsplit(self.path).path == "/health":
            self.send_json(200, {"ok": True})
        else:
            self.send_json(404, {"code": "TR-HTTP-404", "message": "not found"})

    def do_POST(self) -> None:
        sim = self.sim
        if urlsplit(self.path).path.rstrip("/") != "/reports":
            self.send_json(404, {"code": "TR-HTTP-404", "message": "POST /reports"})
            return
        try:
            body = self.read_body(sim.max_body_bytes)
        except BodyTooLarge as exc:
            self.send_json(413, {"code": "TR-FILE-006", "message": str(exc)})
            return
        with sim._lock:
            sim.requests += 1
            faults = sim.faults
            fail = faults.fail_next > 0
            if fail:
                faults.fail_next -= 1
            slow = faults.slow_s if faults.slow_s > 0 and faults.slow_requests != 0 else 0.0
            if slow and faults.slow_requests:
                faults.slow_requests -= 1
        if fail:
            headers = ({"Retry-After": str(faults.retry_after_s)}
                       if faults.retry_after_s is not None else None)
            self.send_json(faults.fail_status, {
                "code": "TR-SYS-001", "message": "repository unavailable (simulated)"}, headers)
            return
        if slow:
            sim._stopping.wait(slow)  # then handled as usual: a slow TR still takes the file
        regime = self.headers.get("X-Regime")
        if not sim.authorised(regime, self.headers.get("Authorization")):
            self.send_json(401, {"code": "TR-AUTH-001", "message": "API key missing or wrong"},
                           {"WWW-Authenticate": "Bearer"})
            return
        status, answer = sim.receive(
            regime=regime, submitter=self.headers.get("X-Submitter"),
            report_file_id=self.headers.get("X-Report-File-Id"), body=body,
            content_type=self.headers.get("Content-Type"),
            folder=self.headers.get("X-Submitter-Tenant"),
        )
        self.send_json(status, answer)


class _AdminHandler(QuietHandler):
    """GET /admin/state, GET /admin/messages[/<id>], GET /admin/records, POST /admin/faults {...},
    POST /admin/reset {"state": bool}, POST /admin/flush, POST /admin/leis {"known": [...]},
    POST /admin/eod {"date", "again"}, POST /admin/counterparty {"mode", "differences",
    "unreported"}, POST /admin/counterparty/reports?regime=R (the other side's auth.030)."""

    server: LoopbackServer
    server_version = "swaprep-trsim-admin"

    @property
    def sim(self) -> TrSimulator:
        return self.server.context["sim"]

    def _authorised(self) -> bool:
        token = self.sim._admin_token
        if not token:
            return True
        scheme, _, given = self.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(given.strip(), token):
            return True
        self.send_json(401, {"error": "admin token required"})
        return False

    def do_GET(self) -> None:
        path = urlsplit(self.path).path.rstrip("/")
        if path == "/health":
            self.send_json(200, {"ok": True})
            return
        if not self._authorised():
            return
        if path == "/admin/state":
            self.send_json(200, self.sim.describe())
        elif path == "/admin/messages":
            self.send_json(200, {"messages": self.sim.messages()})
        elif path == "/admin/records":
            self.send_json(200, {"records": self.sim.received_records()})
        elif path.startswith("/admin/messages/"):
            message = self.sim.message(path.rsplit("/", 1)[1])
            if message is None:
                self.send_json(404, {"error": "no such message"})
            else:
                self.send_json(200, {**message.summary(),
                                     **message.feedback(self.sim.clock())})
        else:
            self.send_json(404, {"error": "not found"})

    def do_POST(self) -> None:
        parts = urlsplit(self.path)
        path = parts.path.rstrip("/")
        if path == "/admin/counterparty/reports":  # the other side's auth.030 file, raw XML
            self._counterparty_reports(parse_qs(parts.query).get("regime", [""])[0])
            return
        body = _json_body(self)
        if body is None or not self._authorised():
            return
        sim = self.sim
        try:
            if path == "/admin/faults":
                self.send_json(200, sim.set_faults(**body))
            elif path == "/admin/reset":
                sim.reset_faults()
                if body.get("state"):
                    sim.reset_state()
                self.send_json(200, sim.describe())
            elif path == "/admin/flush":
                self.send_json(200, {"written": sim.flush_feedback()})
            elif path == "/admin/leis":
                known = body.get("known")
                sim.set_known_leis(None if known is None else set(known))
                self.send_json(200, sim.describe())
            elif path == "/admin/eod":
                unknown = sorted(set(body) - {"date", "again"})
                if unknown:
                    raise ValueError(f"unknown field(s) {unknown}; known: date, again")
                day = date.fromisoformat(body["date"]) if body.get("date") else None
                self.send_json(200, {"written": sim.end_of_day(day,
                                                               again=bool(body.get("again")))})
            elif path == "/admin/counterparty":
                self.send_json(200, sim.set_counterparty(**body))
            else:
                self.send_json(404, {"error": "not found"})
        except (TypeError, ValueError) as exc:
            self.send_json(400, {"error": str(exc)})

    def _counterparty_reports(self, regime: str) -> None:
        try:
            body = self.read_body(self.sim.max_body_bytes)
        except BodyTooLarge as exc:
            self.send_json(413, {"error": str(exc)})
            return
        if not self._authorised():
            return
        try:
            taken = self.sim.load_counterparty_reports(regime, body)
        except ValueError as exc:
            self.send_json(400, {"error": str(exc)})
            return
        self.send_json(200, {"regime": regime, "records": taken})


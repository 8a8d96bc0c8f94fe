"""The function host: runs actions as NCP Cloud Functions does, on this machine.

Each activation gets NCP's parameter merge (package < action < trigger < invocation), NCP's
limits (1 MB parameters, 1 MB result, the action's timeout), a warm or cold container from
the action's pool (see `container.py`), the `__OW_*` environment of the OpenWhisk launcher,
and an activation record in the `activations` table: a `running` row when it starts, the
outcome when it ends, both written off the invocation path as the platform does (see
`records.py`). Status and error texts follow OpenWhisk's (`ActivationResponse`,
`Messages`): an action result with an `error` field is an application error; a result that
is not a JSON object, too large, or from a process that died is a developer error.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

from shared.platform.config import merge_parameters
from swaprep.local.container import (
    Container,
    ContainerCrashed,
    ContainerPool,
    ContainerTimeout,
    InitFailed,
    PoolClosed,
)
from swaprep.local.manifest import ActionManifest
from swaprep.local.records import ActivationRecorder

log = logging.getLogger("swaprep.local.host")

NAMESPACE = "swaprep"
PARAMS_LIMIT_BYTES = 1_048_576
RESULT_LIMIT_BYTES = 1_048_576
REPO_ROOT = Path(__file__).resolve().parents[2]
RECENT_ACTIVATIONS = 256  # kept in memory (with logs) for the invoke API's GET
STATUSES = ("running", "success", "application_error", "developer_error", "timeout")


class HostError(RuntimeError):
    """An invocation refused before it ran (no activation record is made, as on OpenWhisk)."""

    http_status = 400


class UnknownAction(HostError):
    http_status = 404


class ParametersTooLarge(HostError):
    http_status = 413


class HostStopped(HostError):
    http_status = 503


def _now() -> datetime:
    return datetime.now(UTC)


def _timed_out(timeout_ms: int, init: bool) -> str:
    return f"The action exceeded its time limits of {timeout_ms} milliseconds" + (
        " during initialization." if init else "."
    )


class _Outcome(NamedTuple):
    status: str
    error: str | None = None
    result: dict[str, Any] | None = None
    reusable: bool = True  # the container may serve the next activation


@dataclass
class Activation:
    """One run of an action, as recorded in the `activations` table."""

    id: str
    action: str
    trigger: str | None
    started_at: datetime
    ended_at: datetime | None = None
    duration_ms: int | None = None
    status: str = "running"
    cold_start: bool | None = None
    result: dict[str, Any] | None = None
    error: str | None = None
    logs: list[str] = field(default_factory=list)
    queue: str | None = None  # the queue a consumer activation was asked to drain
    tenant_id: str | None = None  # whom the run was for, when one tenant (see _requested_for)

    @property
    def success(self) -> bool:
        return self.status == "success"

    @property
    def done(self) -> bool:
        return self.status != "running"

    def to_json(self) -> dict[str, Any]:
        return {
            "activationId": self.id,
            "action": self.action,
            "namespace": NAMESPACE,
            "trigger": self.trigger,
            "status": self.status,
            "success": self.success,
            "cold_start": self.cold_start,
            "started_at": self.started_at.isoformat(),
            "ended_at": self.ended_at.isoformat() if self.ended_at else None,
            "duration_ms": self.duration_ms,
            "result": self.result,
            "error": self.error,
            "logs": self.logs,
        }


def _consumer_defaults(manifest: ActionManifest) -> dict[str, Any]:
    """A queue consumer's lease settings as action-level parameters (deployed as such on NCP):
    a wake-up invocation names only the queue, and without these its batch was leased for
    the code's default (120 s), so a crashed consumer's batch waited minutes, not seconds."""
    if manifest.queue is None:
        return {}
    return {"batch_size": manifest.queue.batch_size,
            "visibility_timeout_s": manifest.queue.visibility_timeout_s}


def _requested_for(params: Mapping[str, Any]) -> str | None:
    """The tenant a run is for: a web request's, as the gateway's authorizer verified it.
    Other runs (triggers, queue consumers, cron) may span tenants and stay tenant-less."""
    context = params.get("__authorizer")
    tenant = context.get("tenant_id") if isinstance(context, Mapping) else None
    try:
        return str(uuid.UUID(str(tenant))) if tenant else None
    except ValueError:
        return None


class Host:
    """Runs actions in pooled worker processes and records every activation.

    `run()` is a blocking invocation, `submit()` a non-blocking one (what triggers and the
    invoke API use). Both raise `HostError` subclasses for invocations refused up front.
    """

    def __init__(
        self,
        actions: Mapping[str, ActionManifest],
        *,
        package_params: Mapping[str, Any] | None = None,
        db: Any = None,
        repo_root: Path = REPO_ROOT,
        containers_per_action: int = 2,
        python: str = sys.executable,
        env: Mapping[str, str] | None = None,
        idle_timeout_s: float = 600.0,
    ) -> None:
        self.actions = dict(actions)
        self.package_params: dict[str, Any] = dict(package_params or {})
        self.db = db
        self.repo_root = Path(repo_root).resolve()
        self.containers_per_action = containers_per_action
        self.idle_timeout_s = idle_timeout_s
        self._python = python
        self._env = {**(os.environ if env is None else env), "PYTHONUNBUFFERED": "1"}
        self._pools = {
            name: ContainerPool(m, self._factory(m), containers_per_action)
            for name, m in self.actions.items()
        }
        self._lock = threading.Lock()
        self._recent: OrderedDict[str, Activation] = OrderedDict()
        self._in_flight: dict[str, Activation] = {}
        self._threads: set[threading.Thread] = set()
        self._idle = threading.Condition(self._lock)
        self._stopping = threading.Event()
        self._reaper: threading.Thread | None = None
        # Called with every finished activation (e.g. `swaprep up` prints a line for each).
        self.listeners: list[Callable[[Activation], None]] = []
        self._records = ActivationRecorder(db) if db is not None else None

    def _factory(self, manifest: ActionManifest) -> Callable[[], Container]:
        def make() -> Container:
            return Container(
                manifest, repo_root=self.repo_root, env=self._env, python=self._python
            )

        return make

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> Host:
        self._reaper = threading.Thread(target=self._reap_loop, name="host-reaper", daemon=True)
        self._reaper.start()
        return self

    def _reap_loop(self) -> None:
        while not self._stopping.wait(10.0):
            for pool in self._pools.values():
                pool.reap_idle(self.idle_timeout_s)

    def stop(self, grace_s: float = 2.0) -> None:
        """Refuse new work, give running activations `grace_s` to end, then kill the rest."""
        self._stopping.set()
        self.wait_idle(grace_s)
        for pool in self._pools.values():
            pool.close()
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(5.0)
        if self._records is not None:
            self._records.close()

    def flush_records(self, timeout_s: float = 10.0) -> bool:
        """Wait until every activation record so far is in the table."""
        return self._records.flush(timeout_s) if self._records is not None else True

    def __enter__(self) -> Host:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- invocation ------------------------------------------------------------------------
    def run(
        self,
        action: str,
        params: Mapping[str, Any] | None = None,
        *,
        trigger: str | None = None,
        trigger_params: Mapping[str, Any] | None = None,
    ) -> Activation:
        """Blocking invocation: returns the finished activation."""
        manifest, merged, activation = self._prepare(action, params, trigger, trigger_params)
        return self._execute(manifest, merged, activation)

    def submit(
        self,
        action: str,
        params: Mapping[str, Any] | None = None,
        *,
        trigger: str | None = None,
        trigger_params: Mapping[str, Any] | None = None,
        on_done: Callable[[Activation], None] | None = None,
    ) -> str:
        """Non-blocking invocation: returns the activation id at once."""
        manifest, merged, activation = self._prepare(action, params, trigger, trigger_params)

        def work() -> None:
            try:
                self._execute(manifest, merged, activation)
                if on_done:
                    on_done(activation)
            except Exception:
                log.exception("activation %s of %s failed in the host", activation.id, action)
            finally:
                with self._lock:
                    self._threads.discard(threading.current_thread())

        thread = threading.Thread(target=work, name=f"activation-{action}", daemon=True)
        with self._lock:
            self._threads.add(thread)
        thread.start()
        return activation.id

    def _prepare(
        self,
        action: str,
        params: Mapping[str, Any] | None,
        trigger: str | None,
        trigger_params: Mapping[str, Any] | None,
    ) -> tuple[ActionManifest, dict[str, Any], Activation]:
        if self._stopping.is_set():
            raise HostStopped("the function host is stopping")
        manifest = self.actions.get(action)
        if manifest is None:
            raise UnknownAction(f"The requested resource '{NAMESPACE}/{action}' does not exist.")
        merged = merge_parameters(self.package_params, _consumer_defaults(manifest),
                                  manifest.params, trigger_params, params)
        size = len(json.dumps(merged, ensure_ascii=False).encode("utf-8"))
        if size > PARAMS_LIMIT_BYTES:
            raise ParametersTooLarge(
                f"Request larger than allowed: {size} > {PARAMS_LIMIT_BYTES} bytes."
            )
        queue = merged.get("queue") if manifest.queue else None
        activation = Activation(
            id=uuid.uuid4().hex,
            action=action,
            trigger=trigger,
            started_at=_now(),
            queue=queue if isinstance(queue, str) else None,
            tenant_id=_requested_for(merged),
        )
        with self._lock:
            self._in_flight[activation.id] = activation
            self._remember(activation)
        if self._records is not None:
            self._records.record(activation)
        return manifest, merged, activation

    def _execute(
        self, manifest: ActionManifest, params: dict[str, Any], activation: Activation
    ) -> Activation:
        started = time.monotonic()
        pool = self._pools[manifest.name]
        try:
            try:
                container, cold = pool.acquire()
            except PoolClosed:
                self._finish(activation, started, "developer_error",
                             "The local stack stopped before the activation ran.")
                return activation
            except Exception as exc:
                log.exception("cannot start a container for %s", manifest.name)
                self._finish(activation, started, "developer_error",
                             f"Failed to provision resources to run the action: {exc}")
                return activation
            activation.cold_start = cold
            try:
                outcome = self._run_in(container, cold, manifest, params, activation)
            except Exception as exc:  # a host bug must not leave a record `running`
                log.exception("activation %s of %s failed in the host", activation.id,
                              manifest.name)
                container.kill()
                outcome = _Outcome("developer_error", f"local host failure: {exc}",
                                   reusable=False)
            # After a kill or a crash, give the log pump a moment to collect the last lines.
            activation.logs = container.take_logs(settle_s=0.0 if outcome.reusable else 0.5)
            pool.release(container, outcome.reusable)
            self._finish(activation, started, outcome.status, outcome.error, outcome.result)
            return activation
        finally:
            with self._idle:
                self._in_flight.pop(activation.id, None)
                self._idle.notify_all()

    def _run_in(
        self,
        container: Container,
        cold: bool,
        manifest: ActionManifest,
        params: dict[str, Any],
        activation: Activation,
    ) -> _Outcome:
        timeout_ms = manifest.timeout_ms
        if cold:
            try:
                container.init(manifest.timeout_s)
            except ContainerTimeout:
                container.kill()
                return _Outcome("timeout", _timed_out(timeout_ms, init=True), reusable=False)
            except InitFailed as exc:
                return _Outcome(
                    "developer_error", f"The action failed during initialization: {exc}",
                    reusable=False,
                )
            except ContainerCrashed:
                return _Outcome(
                    "developer_error", "The action did not initialize and exited unexpectedly.",
                    reusable=False,
                )
        message = {
            "value": params,
            "namespace": NAMESPACE,
            "action_name": f"/{NAMESPACE}/{manifest.name}",
            "activation_id": activation.id,
            "transaction_id": uuid.uuid4().hex,
            "deadline": int(time.time() * 1000) + timeout_ms,
        }
        try:
            line, length = container.run(message, manifest.timeout_s, RESULT_LIMIT_BYTES)
        except ContainerTimeout:
            container.kill()
            return _Outcome("timeout", _timed_out(timeout_ms, init=False), reusable=False)
        except ContainerCrashed:
            error = (
                "The local stack stopped during the activation."
                if self._stopping.is_set()
                else "The action did not produce a valid response and exited unexpectedly."
            )
            return _Outcome("developer_error", error, reusable=False)
        if line is None or length > RESULT_LIMIT_BYTES:
            return _Outcome(
                "developer_error",
                "The action produced a response that exceeded the allowed length: "
                f"{length} > {RESULT_LIMIT_BYTES} bytes.",
            )
        text = line.decode("utf-8", "replace")
        try:
            result = json.loads(text)
        except ValueError:
            result = None
        if not isinstance(result, dict):
            shown = text if len(text) <= 200 else text[:200] + "..."
            return _Outcome(
                "developer_error", f"The action did not produce a valid JSON response: {shown}"
            )
        if "error" in result:
            # OpenWhisk keeps only the error field of an application error's result.
            value = result["error"]
            shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            return _Outcome("application_error", shown, {"error": value})
        return _Outcome("success", None, result)

    def _finish(
        self,
        activation: Activation,
        started: float,
        status: str,
        error: str | None,
        result: dict[str, Any] | None = None,
    ) -> None:
        activation.ended_at = _now()
        activation.duration_ms = round((time.monotonic() - started) * 1000)
        activation.error = error
        activation.result = result if result is not None else (
            {"error": error} if error else None
        )
        activation.status = status
        if self._records is not None:
            self._records.record(activation)
        for listener in list(self.listeners):
            try:
                listener(activation)
            except Exception:
                log.exception("activation listener failed")

    # -- queries ---------------------------------------------------------------------------
    def _remember(self, activation: Activation) -> None:
        self._recent[activation.id] = activation
        while len(self._recent) > RECENT_ACTIVATIONS:
            self._recent.popitem(last=False)

    def get(self, activation_id: str) -> Activation | None:
        with self._lock:
            return self._recent.get(activation_id)

    def is_running(self, action: str, queue: str | None = None) -> bool:
        """Whether an activation of `action` (for `queue`, if given) is queued or running."""
        with self._lock:
            return any(
                a.action == action and (queue is None or a.queue == queue)
                for a in self._in_flight.values()
            )

    def wait_idle(self, timeout_s: float) -> bool:
        """Wait until no activation is in flight; False on timeout."""
        with self._idle:
            return self._idle.wait_for(lambda: not self._in_flight, timeout=timeout_s)

    def pool_counts(self, action: str) -> dict[str, int]:
        return self._pools[action].counts

    def busy_pids(self, action: str) -> list[int]:
        """Process ids of the action's containers running an activation now (fault tests
        kill one mid-batch)."""
        return self._pools[action].busy_pids()


ACTIVATION_COLUMNS = (
    "id, action, trigger, started_at, ended_at, duration_ms, status, cold_start, result, error,"
    " logs"
)


def fetch_activations(
    db: Any, *, action: str | None = None, limit: int = 50, activation_id: str | None = None
) -> list[dict[str, Any]]:
    """Activation records, newest first (a system transaction: the table has RLS)."""
    where, args = [], []
    if action:
        where.append("action = %s")
        args.append(action)
    if activation_id:
        where.append("id LIKE %s")
        args.append(activation_id.replace("%", "").replace("_", r"\_") + "%")
    sql = f"SELECT {ACTIVATION_COLUMNS} FROM activations"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY started_at DESC, id LIMIT %s"
    with db.system() as conn:
        return list(conn.execute(sql, [*args, limit]).fetchall())

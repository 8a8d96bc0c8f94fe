"""The function host: runs actions as NCP Cloud Functions does, on this machine.

Each activation gets NCP's parameter merge (package < action < trigger < invocation), NCP's
limits (1 MB parameters, 1 MB result, the action's timeout), a warm or cold container from
the action's pool (see `container.py`), the `__OW_*` environment of the OpenWhisk launcher,
and an activation record in the `activations` table: a `running` row when it starts, the
outcome when it ends, both written off the invocation path as the platform does (see
`records.py`). Status and error texts follow OpenWhisk's (`ActivationResponse`,
`Messages`): an action result with an `error` field is an application error; a result that
is not a JSON object, too large, or from a process that died is a developer error.

An action runs from one of two places. By default, its folder in the checkout
(functions/<name>/) under the host's own interpreter. Or, once `replace_actions()` gave it a
`DeployedCode` (what `LocalStack.run_deployed()` does after `swaprep deploy apply --env
local`), from the zip the local NCP control plane received: unpacked per version, run by a
CPython 3.13 started in isolated mode through the launcher's steps, with the deployed
limits and parameters (deployed package < deployed action < trigger < invocation, beneath
them only the local platform's own `platform_params`). Warm reuse, records, logs and limits
are the same either way; each activation's `annotations` say which code ran (OpenWhisk's
`path`, `kind`, `limits`, `initTime`, plus where the code came from).
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

from shared.domain.identifiers import uuid_or_none
from shared.platform.config import merge_parameters
from swaprep.local.container import (
    Container,
    ContainerCrashed,
    ContainerPool,
    ContainerTimeout,
    InitFailed,
    PoolClosed,
    PoolRetired,
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
    # OpenWhisk's path, kind, limits and initTime, and which code ran: `source` "checkout"
    # or "deployed", `code` (the folder), and for deployed code its `version`, `zip_sha256`
    # and `python` (see Host._annotations).
    annotations: dict[str, Any] = field(default_factory=dict)

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
            "annotations": [{"key": k, "value": v} for k, v in self.annotations.items()],
        }


@dataclass(frozen=True)
class DeployedCode:
    """Where and how a deployed action's code runs: one version's zip, unpacked by
    `swaprep.local.deployed.unpack` (the action's `ActionManifest.path` is that folder)."""

    package: str  # "-" for an action outside any package
    name: str
    version: str
    kind: str  # python:3.13
    main: str  # the function the launcher imports from main__
    zip_path: Path
    zip_sha256: str
    package_params: dict[str, Any]  # the deployed package's default parameters
    python: str  # the CPython 3.13 interpreter the worker runs under (with -I)
    env: dict[str, str]  # the worker's whole environment (nothing of the host's shell)

    @property
    def path(self) -> str:
        """The action's OpenWhisk path below the namespace: `package/name` or `name`."""
        return self.name if self.package == "-" else f"{self.package}/{self.name}"


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
    return uuid_or_none(tenant) if tenant else None


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
        deployed: Mapping[str, DeployedCode] | None = None,
    ) -> None:
        self.actions = dict(actions)
        self.deployed: dict[str, DeployedCode] = dict(deployed or {})
        self.package_params: dict[str, Any] = dict(package_params or {})
        # Beneath a deployed action's own layers: what the local platform itself offers its
        # actions (the stack's invoke API for wake-ups, as NCP's REST API is on NCP).
        self.platform_params: dict[str, Any] = {}
        self.db = db
        self.repo_root = Path(repo_root).resolve()
        self.containers_per_action = containers_per_action
        self.idle_timeout_s = idle_timeout_s
        self._python = python
        self._env = {**(os.environ if env is None else env), "PYTHONUNBUFFERED": "1"}
        self._pools = {name: self._pool(m, self.deployed.get(name))
                       for name, m in self.actions.items()}
        self._retired: list[ContainerPool] = []  # replaced pools whose last runs may go on
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

    def _pool(self, manifest: ActionManifest, code: DeployedCode | None) -> ContainerPool:
        def make() -> Container:
            if code is not None:
                return Container(manifest, repo_root=None, env=code.env, python=code.python,
                                 main=code.main)
            return Container(
                manifest, repo_root=self.repo_root, env=self._env, python=self._python
            )

        return ContainerPool(manifest, make, self.containers_per_action, code=code)

    def replace_actions(
        self,
        actions: Mapping[str, ActionManifest],
        deployed: Mapping[str, DeployedCode] | None = None,
    ) -> list[str]:
        """Run `actions` from now on (those in `deployed` from their deployed code), as NCP
        does after an action is updated: an unchanged action keeps its warm containers; a
        changed or removed one takes no new activation, its running ones finish in their old
        containers, which then stop; activations queued for it move to the new version.
        Returns the names of the actions that changed."""
        deployed = dict(deployed or {})
        with self._lock:
            if self._stopping.is_set():
                raise HostStopped("the function host is stopping")
            pools: dict[str, ContainerPool] = {}
            for name, manifest in actions.items():
                pool = self._pools.get(name)
                if pool is not None and pool.action == manifest and pool.code == deployed.get(
                        name):
                    pools[name] = pool
                else:
                    pools[name] = self._pool(manifest, deployed.get(name))
            retired = [p for n, p in self._pools.items() if pools.get(n) is not p]
            changed = sorted({n for n in (*self._pools, *pools)
                              if pools.get(n) is not self._pools.get(n)})
            self.actions, self.deployed, self._pools = dict(actions), deployed, pools
            self._retired = [p for p in self._retired if not p.drained] + retired
        for pool in retired:
            pool.retire()
        return changed

    def code_folders(self) -> set[Path]:
        """The folders of every deployed version that runs or may still run here."""
        with self._lock:
            pools = [*self._pools.values(), *(p for p in self._retired if not p.drained)]
        return {p.action.path for p in pools if p.code is not None}

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> Host:
        self._reaper = threading.Thread(target=self._reap_loop, name="host-reaper", daemon=True)
        self._reaper.start()
        return self

    def _reap_loop(self) -> None:
        while not self._stopping.wait(10.0):
            with self._lock:
                pools = list(self._pools.values())
                self._retired = [p for p in self._retired if not p.drained]
            for pool in pools:
                pool.reap_idle(self.idle_timeout_s)

    def stop(self, grace_s: float = 2.0) -> None:
        """Refuse new work, give running activations `grace_s` to end, then kill the rest."""
        self._stopping.set()
        self.wait_idle(grace_s)
        with self._lock:
            pools = [*self._pools.values(), *self._retired]
        for pool in pools:
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
        with self._lock:
            manifest, code = self.actions.get(action), self.deployed.get(action)
        if manifest is None:
            raise UnknownAction(f"The requested resource '{NAMESPACE}/{action}' does not exist.")
        if code is not None:
            # NCP's layers, all from what was deployed (a consumer's lease settings are
            # action parameters there: the deploy puts them in).
            merged = merge_parameters(self.platform_params, code.package_params,
                                      manifest.params, trigger_params, params)
        else:
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
        try:
            while True:
                with self._lock:
                    pool = self._pools.get(manifest.name)
                if pool is None:
                    self._finish(activation, started, "developer_error",
                                 "The action was deleted before the activation ran.")
                    return activation
                try:
                    container, cold = pool.acquire()
                    break
                except PoolRetired:
                    continue  # a new version was deployed meanwhile: run that one
                except PoolClosed:
                    self._finish(activation, started, "developer_error",
                                 "The local stack stopped before the activation ran.")
                    return activation
                except Exception as exc:
                    log.exception("cannot start a container for %s", manifest.name)
                    self._finish(activation, started, "developer_error",
                                 f"Failed to provision resources to run the action: {exc}")
                    return activation
            manifest = pool.action  # the version that runs (its limits, its code)
            activation.annotations = _annotations(manifest, pool.code)
            activation.cold_start = cold
            try:
                outcome = self._run_in(container, cold, manifest, params, activation,
                                       pool.code)
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
        code: DeployedCode | None = None,
    ) -> _Outcome:
        timeout_ms = manifest.timeout_ms
        if cold:
            init_started = time.monotonic()
            try:
                container.init(manifest.timeout_s)
                activation.annotations["initTime"] = round(
                    (time.monotonic() - init_started) * 1000)
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
            "action_name": f"/{NAMESPACE}/{code.path if code else manifest.name}",
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

    def pids(self, action: str) -> list[int]:
        """Process ids of the action's live containers (idle or busy)."""
        return self._pools[action].pids()

    def busy_pids(self, action: str) -> list[int]:
        """Process ids of the action's containers running an activation now (fault tests
        kill one mid-batch)."""
        return self._pools[action].busy_pids()


def _annotations(manifest: ActionManifest, code: DeployedCode | None) -> dict[str, Any]:
    limits = {"timeout": manifest.timeout_ms, "memory": manifest.memory_mb}
    if code is None:
        return {"path": f"{NAMESPACE}/{manifest.name}",
                "kind": f"python:{sys.version_info.major}.{sys.version_info.minor}",
                "limits": limits, "source": "checkout", "code": str(manifest.path)}
    return {"path": f"{NAMESPACE}/{code.path}", "kind": code.kind, "limits": limits,
            "source": "deployed", "code": str(manifest.path), "version": code.version,
            "zip_sha256": code.zip_sha256, "python": code.python}


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

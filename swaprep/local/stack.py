"""The whole system on one machine: `LocalStack`, what `swaprep up` runs.

    with LocalStack(state_dir=tmp, functions_root=Path("tests/fixtures/functions")) as stack:
        requests.get(stack.endpoints["api"] + "/api/health")
        stack.host.run("echo", {"x": 1})            # a blocking invocation
        stack.s3_client().put_object(...)            # fires object_storage triggers

It starts, in order: PostgreSQL (embedded under `<state_dir>/pgdata`, or `database_url` /
$DATABASE_URL), the schema migrations, the S3 API (moto's server on 127.0.0.1, or
`s3_endpoint_url`) with the four buckets and their mirror restored from `<state_dir>/s3/`,
the function host with its invoke API, the Object Storage / Cron / queue triggers, and the
API Gateway serving the console. Everything binds to 127.0.0.1. `stop()` (also on leaving
the `with` block) stops them in reverse order. `endpoints` (also written to
`<state_dir>/endpoints.json`, mode 0600, removed on stop) says where everything is.

Actions run from the checkout (`functions_root`, the default) or, with `source="deployed"`
(or $SWAPREP_ACTIONS_FROM=deployed, or `run_deployed()` on a running stack), from what was
deployed into the stack's NCP control plane by `swaprep deploy apply --env local`: each
action's zip unpacked per version under `<state_dir>/deployed/code/`, run by CPython 3.13
through the OpenWhisk launcher's steps with the deployed limits and parameters, and fired by
the deployed cron and Object Storage triggers (see `swaprep.local.deployed`). The stack then
follows the control plane: a later deploy is running within a second of its last change.

    with LocalStack(source="deployed") as stack:   # nothing runs yet
        ...  # swaprep deploy apply --env local (SWAPREP_HOME=stack.state_dir)
        stack.run_deployed()                       # now, rather than within a second
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from shared.adapters.tr.base import config_suffix
from shared.domain.regimes import keys as regime_keys
from swaprep.local import settings
from swaprep.local.host import REPO_ROOT, Activation, Host, fetch_activations
from swaprep.local.httpd import LOOPBACK, pick_port
from swaprep.local.invoke_api import InvokeServer
from swaprep.local.manifest import (
    LOGICAL_BUCKETS,
    ActionManifest,
    CronTrigger,
    ObjectStorageTrigger,
    load_actions,
)
from swaprep.local.triggers import _Loop

log = logging.getLogger("swaprep.local.stack")

# Stable defaults, so URLs stay the same between runs; a taken port falls back to a free one.
DEFAULT_PORTS = {"api": 8780, "invoke": 8781, "s3": 8782, "postgres": 8783, "trsim": 8784,
                 "trsim_admin": 8785, "ncp": 8786}
DB_NAME = DB_ROLE = "swaprep"
S3_REGION = "kr-standard"
S3_ACCESS_KEY_ID = "swaprep-local"
CONSOLE_EDGE_ID = 1001  # the control plane's Global Edge (deploy/envs/local.toml console.edge_id)


class StackError(RuntimeError):
    pass


def _with_settings(actions: dict[str, ActionManifest],
                   settings: Mapping[str, Mapping[str, float]]) -> dict[str, ActionManifest]:
    from dataclasses import replace

    for name, values in settings.items():
        if name not in actions:
            raise StackError(f"action_settings: no action {name!r}")
        unknown = set(values) - {"timeout_s", "visibility_timeout_s"}
        if unknown:
            raise StackError(f"action_settings[{name!r}]: unknown {sorted(unknown)}")
        manifest = actions[name]
        if "visibility_timeout_s" in values:
            if manifest.queue is None:
                raise StackError(f"action_settings[{name!r}]: the action consumes no queue")
            queue = replace(manifest.queue,
                            visibility_timeout_s=int(values["visibility_timeout_s"]))
            manifest = replace(manifest, queue=queue)
        if "timeout_s" in values:
            manifest = replace(manifest, timeout_s=float(values["timeout_s"]))
        actions[name] = manifest
    return actions


class _DeployWatcher(_Loop):
    """Runs what is deployed once the control plane's state has stopped changing for one
    interval (a deploy is many calls); a state that could not be run is not retried."""

    name = "deploy-watcher"

    def __init__(self, stack: LocalStack, interval_s: float = 0.5) -> None:
        super().__init__(interval_s)
        self.stack = stack
        self._last: Any = None
        self._failed: Any = None

    def tick(self) -> None:
        snapshot = self.stack._deployed_state()
        settled, self._last = snapshot == self._last, snapshot
        if not settled or snapshot in (self.stack._deployed_seen, self._failed):
            return
        try:
            self.stack._sync_deployed()
        except Exception as exc:
            self._failed = snapshot
            log.error("the deployed code cannot run: %s", exc)


def _write_private_json(path: Path, payload: Mapping[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(payload, fh, indent=2, default=str)
    os.replace(tmp, path)


class LocalStack:
    """PostgreSQL + S3 API + function host + triggers + API Gateway, on loopback.

    Ports: `ports` overrides DEFAULT_PORTS per name (api, invoke, s3, postgres); 0 means any
    free port (what tests use). `cron_clock` replaces time.time for the cron scheduler.
    `source`: "checkout" (functions_root's actions) or "deployed" (see the module's text);
    `action_settings` and `extra_params` apply to checkout actions only (deployed ones run
    with their deployed limits and parameters).
    """

    def __init__(
        self,
        *,
        functions_root: Path | None = None,
        state_dir: Path | None = None,
        database_url: str | None = None,
        s3_endpoint_url: str | None = None,
        mirror_s3: bool | None = None,
        ports: Mapping[str, int] | None = None,
        containers_per_action: int = 2,
        poll_interval_s: float = 0.5,
        bucket_prefix: str = "swaprep",
        frontend_dist: Path | None = None,
        extra_params: Mapping[str, Any] | None = None,
        cron_clock: Callable[[], float] | None = None,
        write_endpoints: bool = True,
        action_settings: Mapping[str, Mapping[str, float]] | None = None,
        source: str | None = None,
        postgres_settings: Mapping[str, str] | None = None,
    ) -> None:
        self.source = source or settings.actions_source()
        # more settings of the embedded server (the cost model loads pg_stat_statements)
        self.postgres_settings = dict(postgres_settings or {})
        if self.source not in settings.ACTION_SOURCES:
            raise StackError(f"source {self.source!r}: one of {', '.join(settings.ACTION_SOURCES)}")
        self.functions_root = Path(functions_root or REPO_ROOT / "functions").resolve()
        self.state_dir = Path(state_dir or settings.state_dir()).resolve()
        self._database_url = database_url or os.environ.get("DATABASE_URL") or None
        self._external_s3 = s3_endpoint_url
        self.mirror_s3 = (s3_endpoint_url is None) if mirror_s3 is None else mirror_s3
        self.ports = {**DEFAULT_PORTS, **(ports or {})}
        self.containers_per_action = containers_per_action
        self.poll_interval_s = poll_interval_s
        self.buckets = {name: f"{bucket_prefix}-{name}" for name in LOGICAL_BUCKETS}
        self.frontend_dist = Path(frontend_dist or REPO_ROOT / "frontend" / "dist")
        self.extra_params = dict(extra_params or {})
        self.cron_clock = cron_clock or time.time
        self.write_endpoints = write_endpoints
        # Per action {"timeout_s", "visibility_timeout_s"} over action.toml: tests shorten
        # leases and activations so that crash recovery happens in seconds, not minutes.
        self.action_settings = {k: dict(v) for k, v in (action_settings or {}).items()}

        self.actions: dict[str, ActionManifest] = {}  # what the host runs now
        self._checkout_actions: dict[str, ActionManifest] = {}
        self._deploy_lock = threading.Lock()
        self._deployed_seen: Any = None  # the control plane's state the host runs
        self._watcher: _DeployWatcher | None = None
        self.database_url: str = ""
        self.s3_endpoint_url: str = ""
        self.invoke_token = ""  # random per start, never logged
        self.config: dict[str, Any] = {}
        self.endpoints: dict[str, Any] = {}
        self.db: Any = None
        self.host: Host | None = None
        self._pg: Any = None
        self._moto: Any = None
        self._s3: Any = None
        self.trsim: Any = None  # swaprep.trsim.TrSimulator, once started
        self.control_plane: Any = None  # swaprep.ncp.controlplane.ControlPlane, once started
        self._parts: list[tuple[str, Callable[[], None]]] = []  # stopped in reverse order
        self._stopped = threading.Event()
        self._started = False

    # -- secrets ---------------------------------------------------------------------------
    def secret(self, name: str, nbytes: int = 24) -> str:
        """A generated secret kept in `<state_dir>/secrets.json` (0600) across restarts; the
        same file and format as `swaprep.local.secrets`."""
        from swaprep.local import secrets as local_secrets

        return local_secrets.get(name, nbytes=nbytes, home=self.state_dir)

    # -- start / stop ----------------------------------------------------------------------
    def start(self) -> LocalStack:
        if self._started:
            return self
        self._started = True
        self._stopped.clear()
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self) -> None:
        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's per-request lines
        self._checkout_actions = _with_settings(load_actions(self.functions_root),
                                                self.action_settings)
        deployed = self.source == "deployed"
        if deployed:
            self._check_runtime()  # refuse before anything starts
        self.actions = {} if deployed else self._checkout_actions
        self._prepare_state_dir()
        self._start_database()
        self._start_s3()
        self._start_trsim()
        self._start_control_plane()
        self._start_host()
        self._start_triggers()
        self._start_gateway()
        if deployed:
            self.run_deployed()  # what an earlier deploy left in the control plane, if any
        self.endpoints = self._endpoints()
        if self.write_endpoints:
            _write_private_json(self.state_dir / "endpoints.json", self.endpoints)
            self._parts.append(("endpoints file", self._remove_endpoints_file))

    def _prepare_state_dir(self) -> None:
        created = not self.state_dir.exists()
        self.state_dir.mkdir(parents=True, exist_ok=True)
        other = self._running_elsewhere()
        if other:
            raise StackError(
                f"a local stack (pid {other}) already runs with {self.state_dir}: stop it "
                "first, or give this one another state folder (SWAPREP_HOME)"
            )
        if created:
            os.chmod(self.state_dir, 0o700)
        if not self._database_url and os.geteuid() == 0:
            # The embedded server runs as `postgres` and must be able to reach pgdata/.
            mode = self.state_dir.stat().st_mode & 0o777
            os.chmod(self.state_dir, mode | 0o011)

    def _running_elsewhere(self) -> int | None:
        """The pid of another live process serving this state folder, if any."""
        try:
            pid = int(json.loads((self.state_dir / "endpoints.json").read_text())["pid"])
        except (FileNotFoundError, ValueError, KeyError, TypeError):
            return None
        if pid == os.getpid():
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None  # left behind by a stack that was killed
        except PermissionError:
            return pid
        return pid

    def _start_database(self) -> None:
        from shared.adapters.db import Database, migrations

        if self._database_url:
            self.database_url = self._database_url
        else:
            from swaprep.local.postgres import EmbeddedPostgres

            port = pick_port(self.ports["postgres"])
            self._pg = EmbeddedPostgres(self.state_dir / "pgdata", port=port,
                                        settings=self.postgres_settings)
            self._pg.start()
            self._parts.append(("postgresql", self._pg.stop))
            self.database_url = self._pg.ensure_database(
                DB_NAME, DB_ROLE, self.secret("db_password")
            )
        migrations.migrate(self.database_url)
        self.db = Database(self.database_url, max_size=8, application_name="swaprep-local")
        self._parts.append(("database pool", self.db.close))

    def restart_database(self, down_s: float = 0.0) -> None:
        """Stop the embedded PostgreSQL at once (immediate shutdown: open transactions are
        lost, as in a crash), keep it down `down_s`, start it again on the same port and data
        directory. Pooled connections are checked on their next use."""
        if self._pg is None:
            raise StackError("restart_database needs the embedded PostgreSQL")
        self._pg.kill()
        time.sleep(down_s)
        self._pg.start()

    def _start_s3(self) -> None:
        if self._external_s3:
            self.s3_endpoint_url = self._external_s3.rstrip("/")
            key_id = os.environ.get("AWS_ACCESS_KEY_ID", S3_ACCESS_KEY_ID)
            secret = os.environ.get("AWS_SECRET_ACCESS_KEY") or self.secret("s3_secret_access_key")
        else:
            from swaprep.local.s3cors import MotoS3Server  # moto, with S3's bucket CORS

            port = pick_port(self.ports["s3"])
            self._moto = MotoS3Server(LOOPBACK, port)
            self._moto.start()
            self._parts.append(("s3 api", self._moto.stop))
            host, port = self._moto.get_host_and_port()
            self.s3_endpoint_url = f"http://{host}:{port}"
            key_id, secret = S3_ACCESS_KEY_ID, self.secret("s3_secret_access_key")
        self._s3_credentials = (key_id, secret)
        self._s3 = self.s3_client()
        for bucket in self.buckets.values():
            self._ensure_bucket(bucket)

    def s3_client(self) -> Any:
        """A plain boto3 S3 client for the stack's S3 API."""
        import boto3
        from botocore.config import Config as BotoConfig

        key_id, secret = self._s3_credentials
        return boto3.client(
            "s3",
            endpoint_url=self.s3_endpoint_url,
            region_name=S3_REGION,
            aws_access_key_id=key_id,
            aws_secret_access_key=secret,
            config=BotoConfig(s3={"addressing_style": "path"}, retries={"max_attempts": 2}),
        )

    def _ensure_bucket(self, bucket: str) -> None:
        from botocore.exceptions import ClientError

        try:
            self._s3.create_bucket(
                Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": S3_REGION}
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] not in (
                "BucketAlreadyOwnedByYou", "BucketAlreadyExists"
            ):
                raise

    def superuser_url(self) -> str | None:
        """The embedded server's superuser on the stack's database (benchmarks read the
        server's statistics with it); None when the stack uses an external database."""
        return None if self._pg is None else self._pg.url(DB_NAME)

    def _start_trsim(self) -> None:
        """The simulated TR (swaprep/trsim), one for every regime, feeding back into the
        feedback bucket; its ledger and UTI states persist in <state_dir>/trsim.json."""
        from swaprep.trsim import TrSimulator

        key_id, secret = self._s3_credentials
        self.trsim = TrSimulator(
            self.buckets["feedback"], api_keys=self.secret("tr_api_key"),
            s3_endpoint_url=self.s3_endpoint_url, s3_region=S3_REGION,
            s3_access_key_id=key_id, s3_secret_access_key=secret,
            port=pick_port(self.ports["trsim"]), admin_port=pick_port(self.ports["trsim_admin"]),
            state_path=self.state_dir / "trsim.json",
        ).start()
        self._parts.append(("tr simulator", self.trsim.stop))

    def _start_control_plane(self) -> None:
        """The stand-in for NCP's Cloud Functions, API Gateway and Global Edge management APIs
        (swaprep/ncp), the target of `swaprep deploy --env local`; its keys are generated
        secrets like the others, and it knows one edge, in front of the frontend bucket."""
        from swaprep.local.deployed import DeployedRunner
        from swaprep.ncp.controlplane import ControlPlane

        # Post Action (what `swaprep deploy` invokes the migrate action with) runs the deployed
        # zip on a host of its own, whichever code the stack's host runs.
        runner = DeployedRunner(self.state_dir / "deployed" / "invoked")
        self._parts.append(("invoke API runner", runner.stop))
        self.control_plane = ControlPlane(
            self.state_dir / "ncp" / "state.json", self.secret("ncp_access_key", 12),
            self.secret("ncp_secret_key", 24), port=pick_port(self.ports["ncp"]),
            edges={CONSOLE_EDGE_ID: self.buckets["frontend"]}, invoker=runner)
        self.control_plane.start()
        self._parts.append(("ncp control plane", self.control_plane.stop))

    def _package_params(self) -> dict[str, Any]:
        key_id, secret = self._s3_credentials
        params: dict[str, Any] = {
            "database_url": self.database_url,
            "s3_endpoint_url": self.s3_endpoint_url,
            "s3_region": S3_REGION,
            "s3_access_key_id": key_id,
            "s3_secret_access_key": secret,
            "s3_addressing_style": "path",
            "queue_backend": "postgres",
            **{f"bucket_{name}": bucket for name, bucket in self.buckets.items()},
        }
        # The same key `swaprep token` signs with (swaprep.local.secrets, same file).
        params["jwt_signing_secret"] = self.secret("jwt_signing_secret", 32)
        for regime in regime_keys():  # every regime's TR is the simulator (shared/adapters/tr)
            suffix = config_suffix(regime)
            params[f"tr_url_{suffix}"] = self.trsim.url
            params[f"tr_api_key_{suffix}"] = self.secret("tr_api_key")
        params.update(self.extra_params)
        return params

    def _start_host(self) -> None:
        self.invoke_token = secrets.token_urlsafe(32)
        self.host = Host(
            self.actions,
            package_params=self._package_params(),
            db=self.db,
            containers_per_action=self.containers_per_action,
        ).start()
        self._parts.append(("function host", self.host.stop))
        invoke = InvokeServer(self.host, self.invoke_token, pick_port(self.ports["invoke"]))
        invoke.start()
        self._parts.append(("invoke api", invoke.stop))
        self._invoke = invoke
        wiring = {"local_invoke_url": invoke.url, "local_invoke_token": self.invoke_token}
        self.host.package_params.update(wiring)
        self.host.platform_params = dict(wiring)  # beneath deployed actions' own parameters
        self.config = self.host.package_params

    def _start_triggers(self) -> None:
        from swaprep.local.triggers import CronScheduler, ObjectStoragePoller, QueueDispatcher

        assert self.host is not None
        bindings: dict[str, list[tuple[str, ObjectStorageTrigger]]] = {}
        crons: list[tuple[str, CronTrigger]] = []
        for manifest in self.actions.values():
            for trigger in manifest.triggers:
                if isinstance(trigger, ObjectStorageTrigger):
                    bucket = self.buckets[trigger.bucket]
                    bindings.setdefault(bucket, []).append((manifest.name, trigger))
                else:
                    crons.append((manifest.name, trigger))
        poller = ObjectStoragePoller(
            self.s3_client(), self.host, bindings, self.state_dir / "s3",
            mirror_buckets=self.buckets.values() if self.mirror_s3 else (),
            interval_s=self.poll_interval_s,
        )
        restored = poller.restore()
        if restored:
            log.info("restored %d object(s) into the S3 API from %s", restored, self.state_dir)
        # On stop, the final mirror pass runs after the host has finished its activations.
        self._parts.append(("s3 mirror", lambda: poller.sync(fire=False)))
        self._parts.append(("function host (drain)", lambda: self.host and self.host.stop()))
        self.poller = poller.start()
        self._parts.append(("object storage trigger", poller.stop))
        self.cron = CronScheduler(self.host, crons, clock=self.cron_clock).start()
        self._parts.append(("cron trigger", self.cron.stop))
        consumers = [m for m in self.actions.values() if m.queue]
        self.dispatcher = QueueDispatcher(
            self.host, self.db, consumers, interval_s=self.poll_interval_s
        ).start()
        self._parts.append(("queue dispatcher", self.dispatcher.stop))

    # -- deployed code ---------------------------------------------------------------------
    @property
    def deployed_root(self) -> Path:
        """Where deployed zips are unpacked, one folder per action version."""
        return self.state_dir / "deployed" / "code"

    @staticmethod
    def _check_runtime() -> str:
        from swaprep.local.deployed import DeployedCodeError, runtime_python

        try:
            return runtime_python()
        except DeployedCodeError as exc:
            raise StackError(str(exc)) from exc

    def run_deployed(self) -> dict[str, Any]:
        """Run, from now on, the actions and triggers deployed into this stack's control
        plane instead of functions_root's, and keep following the control plane (a later
        deploy runs within a second of its last change). Returns what runs: {"actions":
        {name: version}, "triggers": {trigger: action}, "skipped": {what: why}, "changed":
        [names]}. StackError when deployed code cannot run here (no CPython 3.13)."""
        if not self._started or self.host is None:
            raise StackError("run_deployed: the stack is not running")
        from swaprep.local.deployed import DeployedCodeError

        try:
            summary = self._sync_deployed()
        except DeployedCodeError as exc:
            raise StackError(str(exc)) from exc
        if self._watcher is None:
            self._watcher = _DeployWatcher(self).start()
            self._parts.append(("deploy watcher", self._stop_watcher))
        return summary

    def _stop_watcher(self) -> None:
        watcher, self._watcher = self._watcher, None
        if watcher is not None:
            watcher.stop()

    def _deployed_state(self) -> tuple[Any, Any]:
        plane = self.control_plane
        return plane.deployed_actions(), plane.deployed_triggers()

    def _sync_deployed(self) -> dict[str, Any]:
        from swaprep.local import deployed
        from swaprep.local.gateway import routes_for

        assert self.host is not None
        with self._deploy_lock:
            state = self._deployed_state()
            switches = self.control_plane.switches
            found = deployed.load(
                *state, root=self.deployed_root, checkout=self._checkout_actions,
                bucket_field=switches.object_storage_bucket_field,
                events_field=switches.object_storage_events_field,
            )
            changed = self.host.replace_actions(found.actions, found.code)
            self.actions = found.actions
            self.source = "deployed"
            self.poller.rebind(found.object_storage)
            self.cron.replace(found.crons)
            self.dispatcher.consumers = {m.queue.name: m for m in found.actions.values()
                                         if m.queue}
            self.gateway.routes = routes_for(self.host)
            deployed.prune(self.deployed_root, self.host.code_folders())
            self._deployed_seen = state
            if self.endpoints:
                self.endpoints.update(actions=sorted(self.actions), actions_from=self.source)
                if self.write_endpoints:
                    _write_private_json(self.state_dir / "endpoints.json", self.endpoints)
            summary = {**found.summary(), "changed": changed}
        log.info("running deployed code: %s", ", ".join(
            f"{name} {version}" for name, version in summary["actions"].items()) or "none")
        return summary

    def _start_gateway(self) -> None:
        from swaprep.local.gateway import Gateway

        assert self.host is not None
        gateway = Gateway(
            self.host, port=pick_port(self.ports["api"]), frontend_dist=self.frontend_dist,
            endpoints=self.public_endpoints,
        )
        gateway.start()
        self.gateway = gateway
        self._parts.append(("api gateway", gateway.stop))
        self._allow_console_uploads(gateway.cors.origins)

    def _allow_console_uploads(self, origins: frozenset[str]) -> None:
        """Bucket CORS on the inbound bucket for the console's origins (the gateway's URL or
        config `cors_origins`): the console PUTs uploads to a presigned URL from the browser,
        as an operator allows it on NCP Object Storage (docs/CONFIG.md)."""
        from botocore.exceptions import ClientError

        from swaprep.local.s3cors import console_upload_rule

        bucket = self.buckets["inbound"]
        try:
            self._s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={
                "CORSRules": [console_upload_rule(origins)]})
        except ClientError as exc:  # an external S3 API without bucket CORS (e.g. MinIO)
            log.warning("bucket CORS on %s refused (%s): the console's uploads will fail",
                        bucket, exc.response["Error"].get("Code"))

    def _endpoints(self) -> dict[str, Any]:
        return {
            "api": self.gateway.url,
            "console": self.gateway.url + "/",
            "s3": self.s3_endpoint_url,
            "database_url": self.database_url,
            "invoke": self._invoke.url,
            "invoke_token": self.invoke_token,
            "trsim": self.trsim.url,
            "trsim_admin": self.trsim.admin_url,
            "ncp": self.control_plane.url,
            # The package parameters, so `swaprep invoke` runs actions as the stack does.
            "config": self.config,
            "buckets": self.buckets,
            "state_dir": str(self.state_dir),
            "functions_root": str(self.functions_root),
            "actions_from": self.source,
            "actions": sorted(self.actions),
            "pid": os.getpid(),
            "started_at": datetime.now(UTC).isoformat(),
        }

    def public_endpoints(self) -> dict[str, Any]:
        """The endpoints fit to show on screen: no password, no token."""
        from psycopg.conninfo import conninfo_to_dict

        shown = {k: self.endpoints.get(k)
                 for k in ("api", "console", "s3", "invoke", "trsim", "trsim_admin", "ncp")}
        if self.database_url:
            info = conninfo_to_dict(self.database_url)
            shown["database"] = (
                f"postgresql://{info.get('user')}@{info.get('host')}:{info.get('port')}/"
                f"{info.get('dbname')}"
            )
        shown["buckets"] = ", ".join(self.buckets.values())
        return shown

    def _remove_endpoints_file(self) -> None:
        path = self.state_dir / "endpoints.json"
        with contextlib.suppress(FileNotFoundError, ValueError):
            if json.loads(path.read_text()).get("pid") == os.getpid():
                path.unlink()

    def stop(self) -> None:
        """Stop everything that was started, newest first; safe to call twice."""
        while self._parts:
            name, stop = self._parts.pop()
            try:
                stop()
            except Exception as exc:
                log.warning("stopping %s failed: %s", name, exc)
        self._started = False
        self._stopped.set()

    def request_stop(self) -> None:
        """Ask `wait()` to return (from a signal handler or another thread)."""
        self._stopped.set()

    def wait(self, timeout_s: float | None = None) -> bool:
        """Block until `request_stop()` or `stop()`; True if that happened."""
        return self._stopped.wait(timeout_s)

    def __enter__(self) -> LocalStack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- helpers for commands and tests ----------------------------------------------------
    def on_activation(self, listener: Callable[[Activation], None]) -> None:
        assert self.host is not None
        self.host.listeners.append(listener)

    def activations(self, action: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
        """Activation records, newest first (what `swaprep activations` shows)."""
        if self.host is not None:
            self.host.flush_records()  # written off the invocation path: catch up first
        return fetch_activations(self.db, action=action, limit=limit)

    def seed_demo(self) -> dict[str, Any] | None:
        """Run `swaprep.local.demo.seed` against this stack; None if there is no demo module."""
        import inspect

        try:
            from swaprep.local import demo
        except ModuleNotFoundError as exc:
            if exc.name == "swaprep.local.demo":
                return None
            raise
        parameters = inspect.signature(demo.seed).parameters
        if "stack" in parameters or len(parameters) == 1:
            return demo.seed(self)
        from shared.adapters.objectstore import ObjectStore
        from shared.platform.config import Config

        summary = demo.seed(
            database_url=self.database_url,
            store=ObjectStore.from_config(Config(self.config)),
            inbound_bucket=self.buckets["inbound"],
            password_for=lambda username: self.secret(f"password_{username}", 12),
        )
        if self.trsim is not None and hasattr(demo, "demo_tr_settings"):
            tr = demo.demo_tr_settings(demo.kst_today())
            self.trsim.set_counterparty(**tr["counterparty"])
            self.trsim.schedule_end_of_day(tr["eod_schedule"])
            summary["tr_end_of_day"] = (f"written {tr['eod_schedule']:.0f} s after the last "
                                        "file (reconciliation screen)")
        return summary

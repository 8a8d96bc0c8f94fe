"""One deploy run: the environment, the built zips, the remote state and the changes."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from swaprep.deploy.desired import Resource, desired_state
from swaprep.deploy.envfile import DeployEnv, DeployEnvError, load_env
from swaprep.deploy.plan import DELETE, Change, Plan, diff
from swaprep.packaging import ActionBuild

Log = Callable[[str], None]


@dataclass
class DeploySession:
    env: DeployEnv
    root: Path
    desired: list[Resource]
    api: Any  # swaprep.deploy.ncf.CloudFunctionsApi: package, actions, triggers
    bucket_api: Any  # swaprep.deploy.buckets.BucketSettingsApi: bucket CORS and lifecycle
    gateway_api: Any = None  # swaprep.deploy.gateway.GatewayApi (None: no ncp.api_gateway_url)
    console_api: Any = None  # swaprep.deploy.console.ConsoleApi: the build in the frontend bucket
    schema_api: Any = None  # swaprep.deploy.schema.SchemaApi: migrations, by the migrate action

    @classmethod
    def open(cls, env_name: str, *, root: Path, build: bool, log: Log) -> DeploySession:
        from swaprep.deploy.buckets import BucketSettingsApi
        from swaprep.deploy.cdn import EdgePurge
        from swaprep.deploy.console import ConsoleApi, console_resource
        from swaprep.deploy.gateway import GatewayApi, unexpressible_public
        from swaprep.deploy.ncf import CloudFunctionsApi
        from swaprep.deploy.schema import SchemaApi
        from swaprep.local.manifest import load_actions
        from swaprep.local.settings import state_dir

        env = load_env(env_name, root=root, state_dir=state_dir())  # $SWAPREP_HOME or .swaprep
        manifests = load_actions(root / "functions")
        desired = desired_state(env, manifests)  # checked before anything is built
        gateway_api = GatewayApi.for_env(env)
        if gateway_api is None and any(r.kind.startswith("gateway_") for r in desired):
            raise DeployEnvError(f"{env.path}: ncp.api_gateway_url is required: a web action's "
                                 "manifest has a [gateway] section")
        for name in sorted(manifests):
            for route in unexpressible_public(manifests[name]):
                log(f"warning: functions/{name}/action.toml: public route {route} stays behind "
                    "the authorizer on NCP: a resource path segment is letters, digits, _, - "
                    "and + only (apigw_v1.json)")
        builds: dict[str, ActionBuild] = {}
        if build:
            from swaprep.packaging import PackagingError, build_actions

            log(f"building {len(manifests)} action zip(s) from their locks ...")
            try:
                built = build_actions(sorted(manifests), functions_dir=root / "functions",
                                       out_dir=root / "build" / "actions", log=log)
            except PackagingError as exc:
                raise click.ClickException(str(exc)) from exc
            builds = {b.name: b for b in built}
        desired = desired_state(env, manifests, builds)
        console = console_resource(env, root)
        if console is not None:
            desired.append(console)
        elif "frontend" in env.buckets:
            log("console: no build in frontend/dist (cd frontend && npm run build): not published")
        buckets = BucketSettingsApi.for_env(env)
        return cls(env, root, desired, CloudFunctionsApi.for_env(env), buckets, gateway_api,
                   ConsoleApi(buckets.s3, env.buckets.get("frontend"), EdgePurge.for_env(env),
                              log),
                   SchemaApi.for_env(env, log) if any(r.kind == "schema" for r in desired)
                   else None)

    def _actual(self, *, schema: bool = True) -> list[Resource]:
        gateway = self.gateway_api.read(self.desired) if self.gateway_api else []
        console = self.console_api.read() if self.console_api else []
        tables = self.schema_api.read() if self.schema_api and schema else []
        return (self.api.read(self.env.package) + tables + gateway + self.bucket_api.read()
                + console)

    def plan(self) -> Plan:
        return diff(self.desired, self._actual())

    def destroy_plan(self) -> Plan:
        # The schema is never destroyed (the tables hold the firm's reports), nor read.
        return diff([], self._actual(schema=False))

    def apply(self, plan: Plan, *, log: Log) -> int:
        """Each change in order; a failure stops the run and the next apply starts there."""
        done = 0
        for change in plan.changes:
            self._one(change)
            done += 1
            log(f"  done: {change.verb} {change.resource.kind} {change.resource.name}")
        return done

    def _one(self, change: Change) -> None:
        kind = change.resource.kind
        target = (self.bucket_api if kind.startswith("bucket_")
                  else self.gateway_api if kind.startswith("gateway_")
                  else self.console_api if kind == "console"
                  else self.schema_api if kind == "schema" else self.api)
        if change.verb == DELETE:
            target.delete(change.resource)
        else:
            target.put(change.resource)

    @contextlib.contextmanager
    def errors_in_plain_words(self) -> Iterator[None]:
        from botocore.exceptions import ClientError

        from swaprep.ncp.client import NcpApiError

        try:
            yield
        except (NcpApiError, DeployEnvError) as exc:
            raise click.ClickException(self.env.mask(str(exc))) from exc
        except ClientError as exc:  # the S3 API of Object Storage
            error = exc.response.get("Error", {})
            raise click.ClickException(self.env.mask(
                f"Object Storage refused {exc.operation_name}: {error.get('Code')} "
                f"{error.get('Message', '')}".strip())) from exc
        except OSError as exc:
            raise click.ClickException(self.env.mask(
                f"NCP could not be reached ({exc}); nothing after the last 'done' line was "
                "changed: run the same command again")) from exc

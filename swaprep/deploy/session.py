"""One deploy run: the environment, the built zips, the remote state and the changes."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import click

from swaprep.deploy.desired import Resource, desired_state
from swaprep.deploy.envfile import DeployEnv, load_env
from swaprep.deploy.plan import DELETE, Change, Plan, diff

Log = Callable[[str], None]


@dataclass
class DeploySession:
    env: DeployEnv
    root: Path
    desired: list[Resource]
    api: object  # swaprep.deploy.ncf.CloudFunctionsApi

    @classmethod
    def open(cls, env_name: str, *, root: Path, build: bool, log: Log) -> DeploySession:
        from swaprep.deploy.ncf import CloudFunctionsApi
        from swaprep.local.manifest import load_actions
        from swaprep.local.settings import state_dir

        env = load_env(env_name, root=root, state_dir=state_dir())  # $SWAPREP_HOME or .swaprep
        manifests = load_actions(root / "functions")
        zips: dict[str, Path] = {}
        if build:
            from swaprep.packaging import PackagingError, build_actions

            log(f"building {len(manifests)} action zip(s) from their locks ...")
            try:
                builds = build_actions(sorted(manifests), functions_dir=root / "functions",
                                       out_dir=root / "build" / "actions", log=log)
            except PackagingError as exc:
                raise click.ClickException(str(exc)) from exc
            zips = {b.name: b.zip_path for b in builds}
        return cls(env, root, desired_state(env, manifests, zips), CloudFunctionsApi.for_env(env))

    def plan(self) -> Plan:
        return diff(self.desired, self.api.read(self.env.package))

    def destroy_plan(self) -> Plan:
        return diff([], self.api.read(self.env.package))

    def apply(self, plan: Plan, *, log: Log) -> int:
        """Each change in order; a failure stops the run and the next apply starts there."""
        done = 0
        for change in plan.changes:
            self._one(change)
            done += 1
            log(f"  done: {change.verb} {change.resource.kind} {change.resource.name}")
        return done

    def _one(self, change: Change) -> None:
        if change.verb == DELETE:
            self.api.delete(change.resource)
        else:
            self.api.put(change.resource)

    @contextlib.contextmanager
    def errors_in_plain_words(self) -> Iterator[None]:
        from swaprep.ncp.client import NcpApiError

        try:
            yield
        except NcpApiError as exc:
            raise click.ClickException(self.env.mask(str(exc))) from exc
        except OSError as exc:
            raise click.ClickException(self.env.mask(
                f"NCP could not be reached ({exc}); nothing after the last 'done' line was "
                "changed: run the same command again")) from exc

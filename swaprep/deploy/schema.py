"""The database schema as a deploy resource: the release's migrations applied to Cloud DB for
PostgreSQL by the `migrate` action (functions/migrate), invoked through Cloud Functions' Post
Action API. Cloud DB takes connections from the functions subnet only (infra/terraform), so the
deploy never connects to the database itself, and no database credential leaves the package
parameters.

- desired: `schema <package>` with `applied_through`, the last migration of the checkout
  (shared/adapters/db/migrations/), depending on the migrate action, so it runs after every
  action is updated and before the triggers and routes that start new work;
- read: the migrate action's `status` (which migrations the database's ledger holds); nothing
  while the action is not deployed yet (the plan shows a create);
- put: the action's `apply` (each migration in its own transaction under an advisory lock, so
  a rerun after a cut-short apply carries on, and a changed applied migration is refused by
  name);
- destroy: never. The tables and their data stay; the database is Terraform's.

Post Action waits at most 60 s: a longer migration answers with its activation id only, and
the deploy stops there, saying so; the next apply waits on the lock and reports the outcome.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from swaprep.deploy.desired import Resource
from swaprep.deploy.envfile import DeployEnv, DeployEnvError
from swaprep.local.manifest import ActionManifest
from swaprep.ncp.client import CLOUD_FUNCTIONS_PREFIX, NcpApiError, NcpClient

MIGRATE_ACTION = "migrate"
INVOKE_WAIT_MS = 60_000  # Post Action's longest wait


def schema_resource(env: DeployEnv, manifests: Mapping[str, ActionManifest]) -> Resource | None:
    """None when the release has no migrate action (nothing could apply migrations)."""
    from shared.adapters.db.migrations import available

    if MIGRATE_ACTION not in manifests:
        return None
    last = available()[-1]
    return Resource("schema", env.package, {"applied_through": f"{last.version:04d}_{last.name}"},
                    depends_on=(f"action:{MIGRATE_ACTION}",))


def _result(answer: dict[str, Any] | None) -> dict[str, Any] | None:
    """The action's result in a Post Action answer (either shape NCP may use: the switch
    `invoke_result_nested`), or None when the answer holds only the activation id."""
    content = (answer or {}).get("content", answer or {})
    response = content.get("response") if isinstance(content.get("response"), dict) else content
    result = response.get("result")
    return result if isinstance(result, dict) else None


@dataclass
class SchemaApi:
    client: NcpClient
    package: str
    log: Callable[[str], None] = print

    @classmethod
    def for_env(cls, env: DeployEnv, log: Callable[[str], None]) -> SchemaApi:
        client = NcpClient(str(env.ncp["cloud_functions_url"]), str(env.ncp["access_key"]),
                           str(env.ncp["secret_key"]), timeout_s=INVOKE_WAIT_MS / 1000 + 30)
        return cls(client, env.package, log)

    def _invoke(self, command: str) -> dict[str, Any] | None:
        """The migrate action's answer to `command`, or None when it is not deployed."""
        path = (f"{CLOUD_FUNCTIONS_PREFIX}/packages/{quote(self.package, safe='')}/actions/"
                f"{MIGRATE_ACTION}")
        try:
            answer = self.client.request("POST", path, query={
                "platform": "vpc", "timeout": INVOKE_WAIT_MS}, body={"command": command})
        except NcpApiError as exc:
            if exc.status == 404:
                return None
            raise
        result = _result(answer)
        if result is None:
            activation = ((answer or {}).get("content") or answer or {}).get("activationId")
            raise DeployEnvError(
                f"schema: the migrate action's {command} is still running after "
                f"{INVOKE_WAIT_MS // 1000} s (activation {activation}); run the same command "
                "again once it has finished (a second run waits for the first)")
        if result.get("error"):
            raise DeployEnvError(f"schema: the migrate action's {command} failed: "
                                 f"{result['error']}")
        return result

    def read(self) -> list[Resource]:
        result = self._invoke("status")
        if result is None:
            return []
        return [Resource("schema", self.package,
                         {"applied_through": result.get("applied_through")})]

    def put(self, resource: Resource) -> None:
        result = self._invoke("apply")
        if result is None:
            raise DeployEnvError(f"schema: no {MIGRATE_ACTION} action in package "
                                 f"{self.package} (it is deployed before the schema)")
        applied = result.get("applied_now") or []
        self.log(f"  migrations applied: {', '.join(applied)}" if applied
                 else "  migrations: the schema was already up to date")

    def delete(self, resource: Resource) -> None:  # pragma: no cover - never planned
        raise DeployEnvError("schema: the deploy never drops the database's tables")

"""What should exist on NCP (Cloud Functions, API Gateway, bucket settings), from the action
manifests and a deploy env.

Resources are plain data: a kind, a name, the fields the deploy compares and sends (`spec`),
the fields it only sends (`extra`: a zip too big to compare by value) and what must exist first.
Nothing here talks to NCP; `plan` diffs these against what the control plane holds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from swaprep.deploy.envfile import DeployEnv
from swaprep.local.manifest import ActionManifest, CronTrigger, ObjectStorageTrigger
from swaprep.ncp.validation import PYTHON_KIND as RUNTIME_KIND
from swaprep.packaging import ActionBuild

# Creation order; deletion runs in reverse (swaprep/deploy/gateway.py: the API Gateway kinds).
KINDS = ("package", "action", "schema", "trigger", "gateway_authorizer", "gateway_product",
         "gateway_api", "gateway_route", "gateway_stage", "gateway_usage_plan", "bucket_cors",
         "bucket_lifecycle", "console")


@dataclass(frozen=True)
class Resource:
    kind: str
    name: str
    spec: dict[str, Any]
    depends_on: tuple[str, ...] = ()
    secret_fields: frozenset[str] = frozenset()  # spec paths whose values are never shown
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.name}"


def trigger_name(action: str, trigger: CronTrigger | ObjectStorageTrigger, index: int) -> str:
    """Stable trigger names: `<action>-<type>-<n>` (n counts triggers of that type, from 1)."""
    kind = "cron" if isinstance(trigger, CronTrigger) else "objectstorage"
    return f"{action}-{kind}-{index}"


def _consumer_parameters(manifest: ActionManifest) -> dict[str, Any]:
    # As the local host passes them (swaprep/local/host.py): a woken consumer's lease settings.
    if manifest.queue is None:
        return {}
    return {"batch_size": manifest.queue.batch_size,
            "visibility_timeout_s": manifest.queue.visibility_timeout_s}


def package_resource(env: DeployEnv) -> Resource:
    parameters = {**{f"bucket_{k}": v for k, v in env.buckets.items()}, **env.parameters}
    secret = frozenset(f"parameters.{k}" for k, v in parameters.items()
                       if str(v) in env.secrets)
    return Resource("package", env.package, {"parameters": parameters}, secret_fields=secret)


def action_resource(env: DeployEnv, manifest: ActionManifest,
                    build: ActionBuild | None) -> Resource:
    vpc = {k: env.functions[k] for k in ("vpc_no", "subnet_no") if k in env.functions}
    spec: dict[str, Any] = {
        "type": "web" if manifest.web else "basic",
        "kind": RUNTIME_KIND,
        "memory_mb": manifest.memory_mb,
        "timeout_ms": manifest.timeout_ms,
        "raw_http": manifest.web,  # web actions read __ow_body/__ow_query: raw HTTP
        "parameters": {**manifest.params, **_consumer_parameters(manifest)},
        "vpc": vpc,
        "code_sha256": build.sha256 if build else None,  # computed by the packager
    }
    return Resource("action", manifest.name, spec, depends_on=(f"package:{env.package}",),
                    extra={"zip_path": build.zip_path if build else None})


def trigger_resources(env: DeployEnv, manifest: ActionManifest) -> list[Resource]:
    resources: list[Resource] = []
    counts = {"cron": 0, "objectstorage": 0}
    for trigger in manifest.triggers:
        kind = "cron" if isinstance(trigger, CronTrigger) else "objectstorage"
        counts[kind] += 1
        name = trigger_name(manifest.name, trigger, counts[kind])
        spec: dict[str, Any] = {"type": trigger.type, "parameters": dict(trigger.params),
                                "action": manifest.name, "package": env.package}
        if isinstance(trigger, CronTrigger):
            spec["schedule"] = trigger.schedule
        else:
            if trigger.bucket not in env.buckets:
                raise ValueError(f"{manifest.path}/action.toml: the trigger's bucket "
                                 f"{trigger.bucket!r} has no [buckets] entry in {env.path}")
            spec["bucket"] = env.buckets[trigger.bucket]
            spec["events"] = list(trigger.events)
        resources.append(Resource("trigger", name, spec,
                                  depends_on=(f"action:{manifest.name}",)))
    return resources


def desired_state(env: DeployEnv, manifests: Mapping[str, ActionManifest],
                  builds: Mapping[str, ActionBuild] | None = None) -> list[Resource]:
    """Every resource the system needs, in creation order (package, actions, the schema's
    migrations, triggers, the API Gateway of the web actions, bucket settings)."""
    from swaprep.deploy.buckets import bucket_resources
    from swaprep.deploy.gateway import gateway_resources
    from swaprep.deploy.schema import schema_resource

    builds = builds or {}
    resources = [package_resource(env)]
    for name in sorted(manifests):
        resources.append(action_resource(env, manifests[name], builds.get(name)))
    schema = schema_resource(env, manifests)
    if schema is not None:
        resources.append(schema)
    for name in sorted(manifests):
        resources.extend(trigger_resources(env, manifests[name]))
    return resources + gateway_resources(env, manifests) + bucket_resources(env)

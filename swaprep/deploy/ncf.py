"""Resources to and from NCP's Cloud Functions v2 management API (`/ncf/api/v2`).

Reading turns what the API answers into the same specs `desired.py` builds, so the plan is a
plain comparison. What is ours: the package, every action in it, and every trigger linked to
one of its actions or described as made by this tool (a trigger created by an apply that was
killed before its link-action call is still found, and finished, by the next one).

NCP does not return a code hash, so each action's description carries the sha256 of the zip
it was deployed from; the plan compares that with the zip just built.

The request shapes NCP's public documents leave open follow `swaprep.ncp.switches.Switches`,
the same switches the local control plane obeys; an environment file sets them under
`[ncp.switches]` once a real account has settled them (docs/DEPLOY.md).
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from typing import Any

from swaprep.deploy.desired import RUNTIME_KIND, Resource
from swaprep.deploy.envfile import DeployEnv
from swaprep.ncp.client import CLOUD_FUNCTIONS_PREFIX, NcpApiError, NcpClient
from swaprep.ncp.switches import Switches

MARKER = "swaprep deploy"
_CODE_DIGEST = re.compile(r"code sha256 ([0-9a-f]{64})")
PLATFORM = "vpc"


def _trigger_marker(action: str) -> str:
    return f"{MARKER}: starts {action}"


@dataclass
class CloudFunctionsApi:
    client: NcpClient
    package: str
    switches: Switches

    @classmethod
    def for_env(cls, env: DeployEnv) -> CloudFunctionsApi:
        switches = Switches(**env.ncp.get("switches", {}))
        client = NcpClient(str(env.ncp["cloud_functions_url"]), str(env.ncp["access_key"]),
                           str(env.ncp["secret_key"]))
        return cls(client, env.package, switches)

    # -- requests -----------------------------------------------------------------------------

    def _call(self, method: str, path: str, query: dict[str, str] | None = None,
              body: dict[str, Any] | None = None) -> Any:
        answer = self.client.request(method, CLOUD_FUNCTIONS_PREFIX + path,
                                     query={"platform": PLATFORM, **(query or {})}, body=body)
        return (answer or {}).get("content") if isinstance(answer, dict) else answer

    def _get_or_none(self, path: str) -> Any:
        try:
            return self._call("GET", path)
        except NcpApiError as exc:
            if exc.status == 404:
                return None
            raise

    # -- reading ------------------------------------------------------------------------------

    def read(self, package: str) -> list[Resource]:
        """What exists and is ours, as resources comparable with the desired ones."""
        found: list[Resource] = []
        view = self._get_or_none(f"/packages/{package}")
        if view is None:
            return found
        parameters = dict(view.get("parameters") or {})
        found.append(Resource("package", package, {"parameters": parameters},
                              secret_fields=frozenset(f"parameters.{k}" for k in parameters)))
        listed = self._call("GET", f"/packages/{package}/actions") or {}
        for item in listed.get("actions", []):
            action = self._call("GET", f"/packages/{package}/actions/{item['name']}")
            found.append(self._action_resource(action))
        for item in (self._call("GET", "/triggers") or {}).get("triggers", []):
            trigger = self._call("GET", f"/triggers/{item['name']}")
            resource = self._trigger_resource(trigger)
            if resource is not None:
                found.append(resource)
        return found

    def _vpc_spec(self, vpc: Any) -> dict[str, str]:
        entry = (vpc[0] if isinstance(vpc, list) and vpc else vpc) or {}
        spec = {"vpc_no": entry.get("vpcNo"), "subnet_no": entry.get("subnetNo")}
        return {k: str(v) for k, v in spec.items() if v is not None}

    def _action_resource(self, view: dict[str, Any]) -> Resource:
        digest = _CODE_DIGEST.search(view.get("description") or "")
        limits = view.get("limits") or {}
        spec = {
            "type": view.get("type"),
            "kind": (view.get("exec") or {}).get("kind"),
            "memory_mb": limits.get("memory"),
            "timeout_ms": limits.get("timeout"),
            "raw_http": bool(view.get("raw-http")),
            "parameters": dict(view.get("parameters") or {}),
            "vpc": self._vpc_spec(view.get("vpc")),
            "code_sha256": digest.group(1) if digest else None,
        }
        return Resource("action", view["name"], spec,
                        secret_fields=frozenset(f"parameters.{k}" for k in spec["parameters"]))

    def _trigger_resource(self, view: dict[str, Any]) -> Resource | None:
        linked = [a for a in view.get("actions", []) if a.get("package") == self.package]
        described = (view.get("description") or "").startswith(MARKER)
        if not linked and not described:
            return None  # somebody else's trigger
        action = linked[0]["name"] if linked else None
        spec: dict[str, Any] = {"type": view.get("type"),
                                "parameters": dict(view.get("parameters") or {}),
                                "action": action,
                                "package": self.package if linked else None}
        if view.get("type") == "cron":
            spec["schedule"] = view.get("cronOption")
        else:
            spec["bucket"] = view.get(self.switches.object_storage_bucket_field)
            spec["events"] = list(view.get(self.switches.object_storage_events_field) or [])
        return Resource("trigger", view["name"], spec)

    # -- writing ------------------------------------------------------------------------------

    def put(self, resource: Resource) -> None:
        getattr(self, f"_put_{resource.kind}")(resource)

    def delete(self, resource: Resource) -> None:
        if resource.kind == "package":
            self._call("DELETE", f"/packages/{resource.name}")
        elif resource.kind == "action":
            self._call("DELETE", f"/packages/{self.package}/actions/{resource.name}")
        else:
            self._call("DELETE", f"/triggers/{resource.name}")

    def _put_package(self, resource: Resource) -> None:
        self._call("PUT", f"/packages/{resource.name}",
                   body={"description": f"{MARKER}: Swap Reporting",
                         "parameters": resource.spec["parameters"]})

    def _vpc_body(self, vpc: dict[str, str]) -> Any:
        if not vpc:
            return None
        entry = {"vpcNo": vpc["vpc_no"], "subnetNo": vpc["subnet_no"]}
        return [entry] if self.switches.vpc_shape == "array" else entry

    def _put_action(self, resource: Resource) -> None:
        spec = resource.spec
        zip_path = resource.extra.get("zip_path")
        if zip_path is None or spec.get("code_sha256") is None:
            raise ValueError(f"action {resource.name}: no zip was built for it")
        code = base64.b64encode(zip_path.read_bytes()).decode("ascii")
        if not self.switches.exec_code_base64_zip:
            raise ValueError("exec_code_base64_zip=False: sending a zip any other way is not "
                             "implemented; settle the switch on a real account first")
        body: dict[str, Any] = {
            "description": f"{MARKER}: {resource.name}; code sha256 {spec['code_sha256']}",
            "parameters": spec["parameters"],
            "limits": {"memory": spec["memory_mb"], "timeout": spec["timeout_ms"]},
            "exec": {"kind": RUNTIME_KIND, "binary": True, "main": "main", "code": code},
        }
        if spec["type"] == "web":
            body["raw-http"] = spec["raw_http"]
        vpc = self._vpc_body(spec["vpc"])
        if vpc is not None:
            body["vpc"] = vpc
        # Always name the type: an update without it may count as `basic` (a switch).
        self._call("PUT", f"/packages/{self.package}/actions/{resource.name}",
                   query={"type": spec["type"]}, body=body)

    def _put_trigger(self, resource: Resource) -> None:
        spec = resource.spec
        fields: dict[str, Any] = {"description": _trigger_marker(spec["action"]),
                                  "parameters": spec["parameters"]}
        if spec["type"] == "cron":
            fields["cronOption"] = spec["schedule"]
        else:
            fields[self.switches.object_storage_bucket_field] = spec["bucket"]
            fields[self.switches.object_storage_events_field] = spec["events"]
        body = {"trigger": fields} if self.switches.trigger_body_wrapped else fields
        view = self._call("PUT", f"/triggers/{resource.name}", query={"type": spec["type"]},
                          body=body) or {}
        target = f"{spec['package']}/{spec['action']}"
        linked = [f"{a.get('package')}/{a.get('name')}" for a in view.get("actions", [])]
        for other in linked:
            if other != target:
                package, action = other.split("/", 1)
                self._call("DELETE", f"/triggers/{resource.name}/link-action",
                           body={"action": action, "package": package})
        if target not in linked:
            self._call("POST", f"/triggers/{resource.name}/link-action",
                       body={"action": spec["action"], "package": spec["package"]})

"""The stateful half of the local Cloud Functions control plane: packages, actions, triggers
and their links, persisted by `StateStore`. No HTTP here (`controlplane.py` is the server).

Answers mimic the v2 pages' `content` shapes; where a page shows none, the shape follows
OpenWhisk (NCP's engine) and says so. Every operation takes the request's `platform` and
refuses a resource made on the other one, as NCP documents (`*_PLATFORM_MISMATCH`).
"""

from __future__ import annotations

import base64
import io
import threading
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from swaprep.ncp import validation as v
from swaprep.ncp.state import StateStore
from swaprep.ncp.switches import Switches

NAMESPACE = "local"  # OpenWhisk namespace of every local resource (NCP's is per account)


@dataclass(frozen=True)
class DeployedAction:
    """What the local function host needs to run one deployed action."""

    package: str  # "-" for an action outside any package
    name: str
    type: str  # basic | web | sequence | sequence-web
    kind: str  # e.g. python:3.13; "sequence" for sequences
    main: str
    zip_path: Path | None  # None for sequences
    memory_mb: int | None
    timeout_ms: int | None
    parameters: dict[str, Any]
    package_parameters: dict[str, Any]
    raw_http: bool
    vpc: Any
    components: tuple[str, ...]  # sequence steps as "package/action"
    version: str

    @property
    def qualified_name(self) -> str:
        return f"{self.package}/{self.name}"

    @property
    def web(self) -> bool:
        return self.type in v.WEB_TYPES


@dataclass(frozen=True)
class DeployedTrigger:
    name: str
    type: str  # cron | object_storage
    parameters: dict[str, Any]
    options: dict[str, Any]  # cronOption, or the Object Storage bucket/events fields
    actions: tuple[str, ...]  # linked actions as "package/action"


def _key(package: str, action: str) -> str:
    return f"{package}/{action}"


def _next_version(previous: str | None) -> str:
    if not previous:
        return "0.0.1"
    major, minor, patch = (int(part) for part in previous.split("."))
    return f"{major}.{minor}.{patch + 1}"


class Registry:
    def __init__(
        self, store: StateStore, switches: Switches, clock: Callable[[], float] = time.time
    ) -> None:
        self._store, self.switches, self._clock = store, switches, clock
        self._lock = threading.RLock()
        self._data = store.load()

    # -- helpers ------------------------------------------------------------------------------

    @property
    def _packages(self) -> dict[str, Any]:
        return self._data["packages"]

    @property
    def _actions(self) -> dict[str, Any]:
        return self._data["actions"]

    @property
    def _triggers(self) -> dict[str, Any]:
        return self._data["triggers"]

    def _now_ms(self) -> int:
        return int(self._clock() * 1000)

    def _save(self) -> None:
        self._store.save(self._data)

    def _claim_top_level(self, kind: str, name: str) -> None:
        """Refuse a package, trigger or package-less action whose name another kind holds
        (OpenWhisk: they share one namespace; see switch shared_entity_namespace)."""
        if not self.switches.shared_entity_namespace:
            return
        holders = {
            "package": name in self._packages,
            "trigger": name in self._triggers,
            "action": _key(v.NO_PACKAGE, name) in self._actions,
        }
        holders.pop(kind)
        for other, taken in holders.items():
            if taken:
                raise v.Refusal(
                    v.NAME_TAKEN,
                    f"{kind}Name '{name}' is already used by a {other}: packages, triggers and "
                    "actions outside a package share one namespace",
                    f"field: {kind}Name",
                )

    @staticmethod
    def _check_platform(record: dict[str, Any], platform: str, error: v.ErrorCode,
                        what: str) -> None:
        if record["platform"] != platform:
            raise v.Refusal(error, f"platform: {what} was created with platform="
                            f"{record['platform']}, not {platform}", "field: platform")

    def _package(self, name: str, platform: str) -> dict[str, Any]:
        record = self._packages.get(name)
        if record is None:
            raise v.Refusal(v.PACKAGE_NOT_FOUND, f"packageName: package '{name}' not found",
                            "field: packageName")
        self._check_platform(record, platform, v.PACKAGE_PLATFORM_MISMATCH,
                             f"package '{name}'")
        return record

    def _action(self, package: str, name: str, platform: str) -> dict[str, Any]:
        record = self._actions.get(_key(package, name))
        if record is None:
            raise v.Refusal(v.ACTION_NOT_FOUND,
                            f"actionName: action '{_key(package, name)}' not found",
                            "field: actionName")
        self._check_platform(record, platform, v.ACTION_PLATFORM_MISMATCH,
                             f"action '{_key(package, name)}'")
        return record

    def _trigger(self, name: str, platform: str) -> dict[str, Any]:
        record = self._triggers.get(name)
        if record is None:
            raise v.Refusal(v.TRIGGER_NOT_FOUND, f"triggerName: trigger '{name}' not found",
                            "field: triggerName")
        self._check_platform(record, platform, v.TRIGGER_PLATFORM_MISMATCH,
                             f"trigger '{name}'")
        return record

    # -- packages -----------------------------------------------------------------------------

    def put_package(self, name: str, platform: str, body: dict[str, Any]) -> dict[str, Any]:
        v.check_package_name(name, allow_no_package=False)
        fields = v.validate_package_body(body)
        with self._lock:
            existing = self._packages.get(name)
            if existing is None:
                self._claim_top_level("package", name)
            else:
                self._check_platform(existing, platform, v.PACKAGE_PLATFORM_MISMATCH,
                                     f"package '{name}'")
            self._packages[name] = {
                "name": name, "platform": platform, **fields,
                "created": existing["created"] if existing else self._now_ms(),
                "updated": self._now_ms(),
            }
            self._save()
            return self._package_view(name)

    def get_package(self, name: str, platform: str) -> dict[str, Any]:
        with self._lock:
            self._package(name, platform)
            return self._package_view(name)

    def list_packages(self, platform: str) -> list[dict[str, Any]]:
        with self._lock:
            return [{"name": p["name"], "description": p["description"]}
                    for p in sorted(self._packages.values(), key=lambda p: p["name"])
                    if p["platform"] == platform]

    def delete_package(self, name: str, platform: str) -> None:
        with self._lock:
            self._package(name, platform)
            inside = [a["name"] for a in self._actions.values() if a["package"] == name]
            if inside:
                # OpenWhisk refuses to delete a package that still holds actions.
                raise v.Refusal(v.PACKAGE_NOT_EMPTY,
                                f"packageName: package '{name}' still holds {len(inside)} "
                                "action(s); delete them first", "field: packageName")
            del self._packages[name]
            self._save()

    def _package_view(self, name: str) -> dict[str, Any]:
        record = self._packages[name]
        actions = [{"name": a["name"], "type": a["type"]}
                   for a in sorted(self._actions.values(), key=lambda a: a["name"])
                   if a["package"] == name]
        return {"name": name, "description": record["description"],
                "parameters": record["parameters"], "platform": record["platform"],
                "resourceId": f"{NAMESPACE}:{name}", "actions": actions}

    # -- actions ------------------------------------------------------------------------------

    def put_action(
        self, package: str, name: str, platform: str, action_type: str | None,
        body: dict[str, Any],
    ) -> dict[str, Any]:
        v.check_package_name(package, allow_no_package=True)
        v.check_name("actionName", name)
        with self._lock:
            if package != v.NO_PACKAGE:
                self._package(package, platform)
            existing = self._actions.get(_key(package, name))
            if existing is None:
                if package == v.NO_PACKAGE:
                    self._claim_top_level("action", name)
                wanted = action_type or "basic"
            else:
                self._check_platform(existing, platform, v.ACTION_PLATFORM_MISMATCH,
                                     f"action '{_key(package, name)}'")
                if action_type is None and not self.switches.omitted_type_means_basic:
                    wanted = existing["type"]
                else:
                    wanted = action_type or "basic"
                if wanted != existing["type"]:
                    raise v.Refusal(
                        v.TYPE_IMMUTABLE,
                        f"type: action '{_key(package, name)}' is a {existing['type']} action; "
                        f"its type cannot change to {wanted} (delete and re-create it)",
                        "field: type",
                    )
            spec = v.validate_action_body(body, wanted, platform, self.switches)
            for index, component in enumerate(spec.components):
                step_package, _, step_name = component.rpartition("/")
                if _key(step_package or v.NO_PACKAGE, step_name) not in self._actions:
                    raise v.Refusal(v.ACTION_NOT_FOUND, f"exec.components[{index}]: action "
                                    f"'{component}' not found", "field: exec.components")
            zip_ref = (self._store.write_zip(package, name, spec.zip_bytes)
                       if spec.zip_bytes is not None else None)
            old_zip = existing.get("zip") if existing else None
            self._actions[_key(package, name)] = {
                "package": package, "name": name, "type": spec.type, "platform": platform,
                "description": spec.description, "parameters": spec.parameters,
                "limits": {"memory": spec.memory, "timeout": spec.timeout},
                "exec": {"kind": spec.kind, "main": spec.main, "binary": spec.binary,
                         "components": list(spec.components)},
                "zip": zip_ref, "raw-http": spec.raw_http, "custom-options": spec.custom_options,
                "vpc": spec.vpc,
                "version": _next_version(existing["version"] if existing else None),
                "created": existing["created"] if existing else self._now_ms(),
                "updated": self._now_ms(),
            }
            self._save()
            if old_zip and old_zip != zip_ref:
                self._store.remove_zip(old_zip)
            return self._action_view(self._actions[_key(package, name)], include_code=False)

    def get_action(
        self, package: str, name: str, platform: str, include_code: bool | None
    ) -> dict[str, Any]:
        with self._lock:
            record = self._action(package, name, platform)
            if include_code is None:
                include_code = self.switches.get_action_code_by_default
            return self._action_view(record, include_code=include_code)

    def list_actions(self, package: str, platform: str) -> dict[str, Any]:
        with self._lock:
            if package != v.NO_PACKAGE:
                self._package(package, platform)
            actions = [
                {"name": a["name"], "description": a["description"], "type": a["type"],
                 "runtime": a["exec"]["kind"], "web": a["type"] in v.WEB_TYPES,
                 "version": a["version"]}
                for a in sorted(self._actions.values(), key=lambda a: a["name"])
                if a["package"] == package and a["platform"] == platform
            ]
            return {"actions": actions}

    def delete_action(self, package: str, name: str, platform: str) -> None:
        with self._lock:
            record = self._action(package, name, platform)
            del self._actions[_key(package, name)]
            for trigger in self._triggers.values():  # OpenWhisk would leave dead rules
                if _key(package, name) in trigger["actions"]:
                    trigger["actions"].remove(_key(package, name))
            self._save()
            self._store.remove_zip(record.get("zip"))

    def _action_view(self, record: dict[str, Any], *, include_code: bool) -> dict[str, Any]:
        exec_view: dict[str, Any] = {"kind": record["exec"]["kind"],
                                     "binary": record["exec"]["binary"]}
        if record["type"] in v.SEQUENCE_TYPES:
            exec_view["components"] = record["exec"]["components"]
        else:
            exec_view["main"] = record["exec"]["main"]
            if include_code and record.get("zip"):
                exec_view["code"] = self._code_of(record)
        package = record["package"]
        return {
            "name": record["name"], "namespace": NAMESPACE,
            "path": NAMESPACE if package == v.NO_PACKAGE else f"{NAMESPACE}/{package}",
            "type": record["type"], "version": record["version"],
            "description": record["description"], "parameters": record["parameters"],
            "limits": {k: val for k, val in record["limits"].items() if val is not None},
            "exec": exec_view, "web": record["type"] in v.WEB_TYPES,
            "raw-http": record["raw-http"], "custom-options": record["custom-options"],
            "vpc": record["vpc"], "platform": record["platform"],
        }

    def _code_of(self, record: dict[str, Any]) -> str:
        data = self._store.zip_path(record["zip"]).read_bytes()
        if record["exec"]["binary"]:
            return base64.b64encode(data).decode("ascii")
        with zipfile.ZipFile(io.BytesIO(data)) as archive:  # inline source, as it was sent
            return archive.read("__main__.py").decode("utf-8")

    # -- triggers -----------------------------------------------------------------------------

    def put_trigger(
        self, name: str, platform: str, trigger_type: str, body: dict[str, Any]
    ) -> dict[str, Any]:
        v.check_name("triggerName", name)
        spec = v.validate_trigger_body(body, trigger_type, self.switches)
        with self._lock:
            existing = self._triggers.get(name)
            if existing is None:
                self._claim_top_level("trigger", name)
            else:
                self._check_platform(existing, platform, v.TRIGGER_PLATFORM_MISMATCH,
                                     f"trigger '{name}'")
                if existing["type"] != trigger_type:
                    raise v.Refusal(
                        v.TYPE_IMMUTABLE,
                        f"type: trigger '{name}' is a {existing['type']} trigger; its type "
                        f"cannot change to {trigger_type} (delete and re-create it)",
                        "field: type",
                    )
            self._triggers[name] = {
                "name": name, "type": trigger_type, "platform": platform,
                "description": spec.description, "parameters": spec.parameters,
                "options": spec.options,
                "actions": existing["actions"] if existing else [],
                "created": existing["created"] if existing else self._now_ms(),
                "updated": self._now_ms(),
            }
            self._save()
            return self._trigger_view(self._triggers[name])

    def get_trigger(self, name: str, platform: str) -> dict[str, Any]:
        with self._lock:
            return self._trigger_view(self._trigger(name, platform))

    def list_triggers(self, platform: str) -> dict[str, Any]:
        with self._lock:
            return {"triggers": [
                {"name": t["name"], "type": t["type"], "description": t["description"]}
                for t in sorted(self._triggers.values(), key=lambda t: t["name"])
                if t["platform"] == platform
            ]}

    def delete_trigger(self, name: str, platform: str) -> None:
        with self._lock:
            self._trigger(name, platform)
            del self._triggers[name]
            self._save()

    def link_action(self, trigger: str, platform: str, body: dict[str, Any]) -> dict[str, Any]:
        package, action = v.link_target(body, self.switches)
        with self._lock:
            record = self._trigger(trigger, platform)
            self._action(package, action, platform)
            if _key(package, action) not in record["actions"]:  # linking twice is a no-op
                record["actions"].append(_key(package, action))
                self._save()
            return {
                "action": {"name": action, "path": NAMESPACE if package == v.NO_PACKAGE
                           else f"{NAMESPACE}/{package}"},
                "namespace": NAMESPACE, "status": "active",
                "trigger": {"name": trigger, "path": NAMESPACE},
            }

    def unlink_action(self, trigger: str, platform: str, body: dict[str, Any]) -> None:
        package, action = v.link_target(body, self.switches)
        with self._lock:
            record = self._trigger(trigger, platform)
            if _key(package, action) not in record["actions"]:
                raise v.Refusal(v.ACTION_NOT_FOUND, f"action: '{_key(package, action)}' is "
                                f"not linked to trigger '{trigger}'", "field: action")
            record["actions"].remove(_key(package, action))
            self._save()

    def _trigger_view(self, record: dict[str, Any]) -> dict[str, Any]:
        return {
            "name": record["name"], "type": record["type"], "namespace": NAMESPACE,
            "description": record["description"], "parameters": record["parameters"],
            **record["options"], "platform": record["platform"],
            "actions": [{"package": key.split("/", 1)[0], "name": key.split("/", 1)[1]}
                        for key in record["actions"]],
        }

    # -- for the API Gateway stand-in, whose state lives in the same file ---------------------

    @property
    def lock(self) -> threading.RLock:
        """The lock every change of the shared state holds (re-entrant)."""
        return self._lock

    def section(self, name: str, factory: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        """A top-level part of the state beside packages/actions/triggers (created empty on
        first use, so state files written before it existed still load)."""
        with self._lock:
            return self._data.setdefault(name, factory())

    def save(self) -> None:
        with self._lock:
            self._save()

    def action_record(self, package: str, name: str, platform: str) -> dict[str, Any] | None:
        """The stored action `package/name` on `platform`, or None (no refusal raised)."""
        with self._lock:
            record = self._actions.get(_key(package, name))
            return record if record is not None and record["platform"] == platform else None

    # -- what the local function host reads ---------------------------------------------------

    def deployed_actions(self) -> list[DeployedAction]:
        with self._lock:
            result = []
            for record in sorted(self._actions.values(),
                                 key=lambda a: (a["package"], a["name"])):
                package = self._packages.get(record["package"], {})
                result.append(DeployedAction(
                    package=record["package"], name=record["name"], type=record["type"],
                    kind=record["exec"]["kind"], main=record["exec"]["main"],
                    zip_path=(self._store.zip_path(record["zip"]) if record.get("zip")
                              else None),
                    memory_mb=record["limits"]["memory"],
                    timeout_ms=record["limits"]["timeout"],
                    parameters=dict(record["parameters"]),
                    package_parameters=dict(package.get("parameters", {})),
                    raw_http=record["raw-http"], vpc=record["vpc"],
                    components=tuple(record["exec"]["components"]),
                    version=record["version"],
                ))
            return result

    def deployed_triggers(self) -> list[DeployedTrigger]:
        with self._lock:
            return [
                DeployedTrigger(name=t["name"], type=t["type"],
                                parameters=dict(t["parameters"]), options=dict(t["options"]),
                                actions=tuple(t["actions"]))
                for t in sorted(self._triggers.values(), key=lambda t: t["name"])
            ]

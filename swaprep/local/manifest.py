"""Action manifests: what the local function host needs to know about each action.

Every action lives in its own folder, named after the action::

    functions/<name>/
        __main__.py        def main(args: dict) -> dict   (the NCP Cloud Functions contract)
        requirements.txt   the action's own third-party libraries (bundled into virtualenv/)
        action.toml        this manifest

Only `__main__.py` is required to run an action locally; a folder without `action.toml`
gets the defaults below and no triggers. Folders starting with "." or "_" are skipped.

`action.toml` (every key optional; unknown keys are errors, so typos do not pass silently)::

    memory_mb = 256                      # 128..1024, as NCP allows
    timeout_s = 60                       # 0.5..300 seconds (NCP: 500..300000 ms)
    web = false                          # true: a web action (API Gateway HTTP type, raw-http)
    params = { }                         # action default parameters

    [[triggers]]                         # zero or more
    type = "object_storage"              # bucket events
    bucket = "inbound"                   # LOGICAL bucket: inbound|outbound|feedback|frontend,
                                         # made physical by the config's bucket_<logical>
    events = ["ObjectCreated:*"]         # glob patterns over event names, case-insensitive
    params = { }                         # trigger parameters

    [[triggers]]
    type = "cron"
    schedule = "* * * * *"               # 5-field crontab (croniter), evaluated in UTC
    params = { task = "sweep" }

    [queue]                              # optional: this action consumes a queue
    name = "process"
    batch_size = 10                      # 1..1000
    visibility_timeout_s = 120

    [gateway]                            # optional, web actions only
    routes = ["/api/*"]                  # exact paths, or prefixes ending in "/*"
    authorizer = "authorizer"            # optional action run before it
    public = ["GET /api/health"]         # "METHOD /path" (or "/*" prefix) the authorizer skips,
                                         # as NCP sets the authorizer per resource and method

    [gateway.credential_limit]           # optional: an NCP usage plan, per caller (the
    rate_per_s = 20                      # authorizer's kind+subject: a user or an API key;
    burst = 40                           # the client address on public routes and refusals)
    quota_per_day = 100000               # requests per UTC day (NCP dayQuotaRequest)
    quota_per_month = 2000000            # requests per UTC month (NCP monthQuotaRequest)

    [gateway.tenant_limit]               # optional: the same keys, shared by every caller of
    rate_per_s = 50                      # one tenant (the authorizer's tenant_id)

Every key of a limit is optional: `rate_per_s` (> 0) is a token bucket of `burst` requests
(default: one second's worth); the quotas are fixed windows. The local gateway enforces them
after the authorizer (shared/platform/ratelimit.py) and answers 429 problem+json with
`Retry-After` beyond them; every limited answer carries `X-RateLimit-Limit/-Remaining/-Reset`.

Parameter layers are merged by the host with NCP's precedence (package < action < trigger
< invocation); see `shared.platform.config.merge_parameters`.
"""

from __future__ import annotations

import fnmatch
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shared.platform.ratelimit import Limit

LOGICAL_BUCKETS = ("inbound", "outbound", "feedback", "frontend")
TRIGGER_TYPES = ("object_storage", "cron")
MEMORY_RANGE_MB = (128, 1024)
TIMEOUT_RANGE_S = (0.5, 300.0)
DEFAULT_MEMORY_MB = 256
DEFAULT_TIMEOUT_S = 60.0

_TOP_KEYS = {"memory_mb", "timeout_s", "web", "params", "triggers", "queue", "gateway"}
_TRIGGER_KEYS = {
    "object_storage": {"type", "bucket", "events", "params"},
    "cron": {"type", "schedule", "params"},
}
_QUEUE_KEYS = {"name", "batch_size", "visibility_timeout_s"}
_GATEWAY_KEYS = {"routes", "authorizer", "public", "credential_limit", "tenant_limit"}
_LIMIT_KEYS = {"rate_per_s", "burst", "quota_per_day", "quota_per_month"}
HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


class ManifestError(ValueError):
    """An action folder or its action.toml is invalid; the message names file and field."""

    def __init__(self, path: Path, field_name: str | None, problem: str) -> None:
        self.path = path
        self.field = field_name
        where = f"{path}: {field_name}" if field_name else str(path)
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True)
class ObjectStorageTrigger:
    bucket: str  # logical name
    events: tuple[str, ...] = ("ObjectCreated:*",)
    params: dict[str, Any] = field(default_factory=dict)
    type: str = "object_storage"

    def matches(self, event_name: str) -> bool:
        name = event_name.lower()
        return any(fnmatch.fnmatchcase(name, pattern.lower()) for pattern in self.events)


@dataclass(frozen=True)
class CronTrigger:
    schedule: str
    params: dict[str, Any] = field(default_factory=dict)
    type: str = "cron"


Trigger = ObjectStorageTrigger | CronTrigger


@dataclass(frozen=True)
class QueueSpec:
    name: str
    batch_size: int = 10
    visibility_timeout_s: int = 120


@dataclass(frozen=True)
class GatewaySpec:
    routes: tuple[str, ...]
    authorizer: str | None = None
    public: tuple[tuple[str, str], ...] = ()  # (METHOD, path pattern) open without a credential
    credential_limit: Limit | None = None  # per caller (NCP: the usage plan of an API key)
    tenant_limit: Limit | None = None  # shared by all callers of a tenant

    def is_public(self, method: str, path: str) -> bool:
        """Whether the request passes without the authorizer (HEAD goes where GET does)."""
        method = "GET" if method.upper() == "HEAD" else method.upper()
        return any(m == method and route_score(p, path) is not None for m, p in self.public)


@dataclass(frozen=True)
class ActionManifest:
    name: str
    path: Path
    memory_mb: int = DEFAULT_MEMORY_MB
    timeout_s: float = DEFAULT_TIMEOUT_S
    web: bool = False
    params: dict[str, Any] = field(default_factory=dict)
    triggers: tuple[Trigger, ...] = ()
    queue: QueueSpec | None = None
    gateway: GatewaySpec | None = None

    @property
    def timeout_ms(self) -> int:
        return round(self.timeout_s * 1000)

    @property
    def entry(self) -> Path:
        return self.path / "__main__.py"


def route_score(pattern: str, path: str) -> int | None:
    """How specifically `pattern` matches `path` (longer literal part wins), None if not at all.

    "/api/health" matches only itself; "/api/*" matches "/api" and everything below it.
    """
    if pattern.endswith("/*"):
        prefix = pattern[:-2]
        if path == prefix or path.startswith(prefix + "/"):
            return len(prefix)
        return None
    return len(pattern) + 1 if path == pattern else None  # exact beats any prefix of same length


# -- parsing ----------------------------------------------------------------------------------


def _check_keys(path: Path, where: str, table: Mapping[str, Any], allowed: set[str]) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        prefix = f"{where}." if where else ""
        raise ManifestError(
            path, prefix + unknown[0], f"unknown key (allowed: {', '.join(sorted(allowed))})"
        )


def _number(path: Path, name: str, value: Any, low: float, high: float, *, integer: bool) -> Any:
    kinds = (int,) if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds):
        raise ManifestError(path, name, f"must be {'an integer' if integer else 'a number'}")
    if not low <= value <= high:
        raise ManifestError(path, name, f"must be between {low:g} and {high:g}, got {value}")
    return value


def _params(path: Path, name: str, value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ManifestError(path, name, "must be a table, e.g. params = { key = \"value\" }")
    return dict(value)


def _string(path: Path, name: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ManifestError(path, name, "must be a non-empty string")
    return value


def _parse_trigger(path: Path, index: int, table: Any) -> Trigger:
    where = f"triggers[{index}]"
    if not isinstance(table, dict):
        raise ManifestError(path, where, "must be a table ([[triggers]])")
    kind = table.get("type")
    if kind not in TRIGGER_TYPES:
        raise ManifestError(path, f"{where}.type", f"must be one of {', '.join(TRIGGER_TYPES)}")
    _check_keys(path, where, table, _TRIGGER_KEYS[kind])
    params = _params(path, f"{where}.params", table.get("params"))
    if kind == "object_storage":
        bucket = table.get("bucket")
        if bucket not in LOGICAL_BUCKETS:
            raise ManifestError(
                path, f"{where}.bucket",
                f"must be a logical bucket: {', '.join(LOGICAL_BUCKETS)} (got {bucket!r})",
            )
        events = table.get("events", ["ObjectCreated:*"])
        if (
            not isinstance(events, list)
            or not events
            or not all(isinstance(e, str) and e for e in events)
        ):
            raise ManifestError(path, f"{where}.events", "must be a non-empty list of strings")
        return ObjectStorageTrigger(bucket=bucket, events=tuple(events), params=params)
    schedule = _string(path, f"{where}.schedule", table.get("schedule"))
    from croniter import croniter  # local-stack dependency, not needed to read other fields

    if len(schedule.split()) != 5 or not croniter.is_valid(schedule):
        raise ManifestError(
            path, f"{where}.schedule", f"must be a 5-field crontab expression, got {schedule!r}"
        )
    return CronTrigger(schedule=schedule, params=params)


def _parse_queue(path: Path, table: Any) -> QueueSpec:
    if not isinstance(table, dict):
        raise ManifestError(path, "queue", "must be a table ([queue])")
    _check_keys(path, "queue", table, _QUEUE_KEYS)
    return QueueSpec(
        name=_string(path, "queue.name", table.get("name")),
        batch_size=_number(
            path, "queue.batch_size", table.get("batch_size", 10), 1, 1000, integer=True
        ),
        visibility_timeout_s=_number(
            path, "queue.visibility_timeout_s", table.get("visibility_timeout_s", 120),
            1, 43200, integer=True,
        ),
    )


def _parse_gateway(path: Path, table: Any) -> GatewaySpec:
    if not isinstance(table, dict):
        raise ManifestError(path, "gateway", "must be a table ([gateway])")
    _check_keys(path, "gateway", table, _GATEWAY_KEYS)
    routes = table.get("routes")
    if not isinstance(routes, list) or not routes:
        raise ManifestError(path, "gateway.routes", "must be a non-empty list of paths")
    for route in routes:
        literal = route[:-2] if isinstance(route, str) and route.endswith("/*") else route
        if not isinstance(route, str) or not route.startswith("/") or "*" in literal:
            raise ManifestError(
                path, "gateway.routes",
                f"{route!r} must be an absolute path, optionally ending in /* (e.g. /api/*)",
            )
    authorizer = table.get("authorizer")
    if authorizer is not None:
        authorizer = _string(path, "gateway.authorizer", authorizer)
    public = _parse_public(path, table.get("public", []), routes)
    if public and authorizer is None:
        raise ManifestError(path, "gateway.public", "only routes behind an authorizer can be "
                            "made public (set gateway.authorizer)")
    return GatewaySpec(
        routes=tuple(routes), authorizer=authorizer, public=public,
        credential_limit=_parse_limit(path, "gateway.credential_limit",
                                      table.get("credential_limit")),
        tenant_limit=_parse_limit(path, "gateway.tenant_limit", table.get("tenant_limit")),
    )


def _parse_limit(path: Path, where: str, table: Any) -> Limit | None:
    if table is None:
        return None
    if not isinstance(table, dict) or not table:
        raise ManifestError(path, where, f"must be a table with some of {sorted(_LIMIT_KEYS)}")
    _check_keys(path, where, table, _LIMIT_KEYS)
    big = 2**53
    rate = table.get("rate_per_s")
    values = {
        "rate_per_s": None if rate is None else float(
            _number(path, f"{where}.rate_per_s", rate, 0.001, 1e6, integer=False)),
        **{key: _number(path, f"{where}.{key}", table[key], 1, big, integer=True)
           for key in ("burst", "quota_per_day", "quota_per_month") if key in table},
    }
    if "burst" in table and rate is None:
        raise ManifestError(path, f"{where}.burst", "needs rate_per_s (the bucket's refill)")
    return Limit(**values)


def _parse_public(path: Path, entries: Any, routes: list[str]) -> tuple[tuple[str, str], ...]:
    if not isinstance(entries, list):
        raise ManifestError(path, "gateway.public", 'must be a list like ["GET /api/health"]')
    public = []
    for entry in entries:
        method, _, route = entry.partition(" ") if isinstance(entry, str) else ("", "", "")
        literal = route[:-2] if route.endswith("/*") else route
        if method not in HTTP_METHODS or not route.startswith("/") or "*" in literal:
            raise ManifestError(
                path, "gateway.public",
                f"{entry!r} must be an upper-case method and an absolute path, e.g. "
                f"\"GET /api/health\" (methods: {', '.join(HTTP_METHODS)})",
            )
        if not any(route_score(r, literal) is not None for r in routes):
            raise ManifestError(path, "gateway.public",
                                f"{entry!r} is not under any of the routes {routes}")
        public.append((method, route))
    return tuple(public)


def load_action(folder: Path) -> ActionManifest:
    """Read and validate one action folder."""
    folder = Path(folder).resolve()
    toml_path = folder / "action.toml"
    if not (folder / "__main__.py").is_file():
        raise ManifestError(folder / "__main__.py", None, "missing (the action's entry point)")
    data: dict[str, Any] = {}
    if toml_path.exists():  # without one, the action gets the defaults and no triggers
        try:
            with toml_path.open("rb") as fh:
                data = tomllib.load(fh)
        except tomllib.TOMLDecodeError as exc:
            raise ManifestError(toml_path, None, f"not valid TOML: {exc}") from exc
    _check_keys(toml_path, "", data, _TOP_KEYS)

    web = data.get("web", False)
    if not isinstance(web, bool):
        raise ManifestError(toml_path, "web", "must be true or false")
    triggers = data.get("triggers", [])
    if not isinstance(triggers, list):
        raise ManifestError(toml_path, "triggers", "must be an array of tables ([[triggers]])")
    gateway = _parse_gateway(toml_path, data["gateway"]) if "gateway" in data else None
    if gateway and not web:
        raise ManifestError(toml_path, "gateway", "only web actions (web = true) have routes")
    return ActionManifest(
        name=folder.name,
        path=folder,
        memory_mb=_number(
            toml_path, "memory_mb", data.get("memory_mb", DEFAULT_MEMORY_MB), *MEMORY_RANGE_MB,
            integer=True,
        ),
        timeout_s=float(
            _number(
                toml_path, "timeout_s", data.get("timeout_s", DEFAULT_TIMEOUT_S),
                *TIMEOUT_RANGE_S, integer=False,
            )
        ),
        web=web,
        params=_params(toml_path, "params", data.get("params")),
        triggers=tuple(_parse_trigger(toml_path, i, t) for i, t in enumerate(triggers)),
        queue=_parse_queue(toml_path, data["queue"]) if "queue" in data else None,
        gateway=gateway,
    )


def load_actions(root: Path) -> dict[str, ActionManifest]:
    """Every action under `root` (folders holding an __main__.py or action.toml), validated
    together: authorizers must exist and a queue has one consumer."""
    root = Path(root).resolve()
    if not root.is_dir():
        raise ManifestError(root, None, "functions folder does not exist")
    actions: dict[str, ActionManifest] = {}
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        if folder.name.startswith((".", "_")):
            continue
        if not ((folder / "__main__.py").exists() or (folder / "action.toml").exists()):
            continue  # not an action (e.g. a shared helpers folder)
        manifest = load_action(folder)
        actions[manifest.name] = manifest

    consumers: dict[str, str] = {}
    for manifest in actions.values():
        toml_path = manifest.path / "action.toml"
        authorizer = manifest.gateway.authorizer if manifest.gateway else None
        if authorizer and authorizer not in actions:
            raise ManifestError(
                toml_path, "gateway.authorizer", f"no action named {authorizer!r} under {root}"
            )
        if manifest.queue:
            other = consumers.setdefault(manifest.queue.name, manifest.name)
            if other != manifest.name:
                raise ManifestError(
                    toml_path, "queue.name",
                    f"queue {manifest.queue.name!r} is already consumed by action {other!r}",
                )
    return actions

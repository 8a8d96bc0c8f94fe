"""The documented rules of NCP Cloud Functions v2 management requests, as pure functions.

Each check raises `Refusal` with NCP's error shape (status, errorCode, message, details). The
message names the field and the reason; it never repeats a value from `parameters` or
`exec.code` (they can hold secrets). Limits, with their sources:
- names: 1-50 letters, digits, "-" and "_", not starting with "-" (v2 Put Package/Action/
  Trigger pages); "-" as a package name means "no package";
- description: at most 3,000 bytes (same pages);
- limits.memory in {128, 256, 512, 1024} MB, limits.timeout 500-300,000 ms, both required
  for basic and web actions (v2 Put Action);
- exec.kind: the runtimes in the Cloud Functions spec (guide cloudfunctions-spec-runtime);
- the zip: at most 38 MB before base64 encoding (cloudfunctions-spec), `__main__.py` at its
  root and, with `virtualenv/`, `virtualenv/bin/activate_this.py` (the OpenWhisk Python
  launcher exits "Invalid virtualenv" without it);
- cron: a 5-field crontab (Cron trigger guide).
Codes marked "documented" are NCP's; the others are local (NCP does not publish one).
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from swaprep.ncp.switches import Switches

MAX_NAME_CHARS = 50
MAX_DESCRIPTION_BYTES = 3000
MEMORY_CHOICES_MB = (128, 256, 512, 1024)
MIN_TIMEOUT_MS, MAX_TIMEOUT_MS = 500, 300_000
# "Code 38 MB": read as 38,000,000 bytes, the stricter of the decimal and binary readings, so
# a zip accepted here is accepted by NCP under either one.
MAX_ZIP_BYTES = 38_000_000
# Room for everything else in a PUT beside the base64 zip (parameters are at most 1 MB).
REQUEST_OVERHEAD_BYTES = 2 * 1_048_576
PYTHON_KIND = "python:3.13"
KNOWN_KINDS = frozenset({
    PYTHON_KIND, "nodejs:22", "java", "java:21", "swift:3.1.1", "php:7.3", "go:1.19",
    "dotnet:2.2",
})
ACTION_TYPES = ("basic", "web", "sequence", "sequence-web")
WEB_TYPES = frozenset({"web", "sequence-web"})
SEQUENCE_TYPES = frozenset({"sequence", "sequence-web"})
TRIGGER_TYPES = ("cron", "github", "insight", "object_storage", "source_commit",
                 "secret_manager")
EMULATED_TRIGGER_TYPES = frozenset({"cron", "object_storage"})
PLATFORMS = ("vpc", "classic")
NO_PACKAGE = "-"

_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]*")
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Other spellings a deploy might guess for the Object Storage fields: named in refusals.
_BUCKET_FIELD_GUESSES = ("bucket", "bucketName", "bucket_name", "bucketname")
_EVENTS_FIELD_GUESSES = ("events", "eventTypes", "event", "bucketEvents", "event_types")


def max_request_bytes() -> int:
    """The largest PUT worth reading: a maximal zip in base64 plus the other fields. Read at
    call time so that a test's smaller MAX_ZIP_BYTES applies here too."""
    return 4 * ((MAX_ZIP_BYTES + 2) // 3) + REQUEST_OVERHEAD_BYTES


@dataclass(frozen=True)
class ErrorCode:
    status: int
    code: str
    name: str


# API Gateway common errors (documented: api-call-lgc-errorhandling).
BAD_REQUEST = ErrorCode(400, "100", "Bad Request Exception")
AUTHENTICATION_FAILED = ErrorCode(401, "200", "Authentication Failed")
ROUTE_NOT_FOUND = ErrorCode(404, "300", "Not Found Exception")
RATE_LIMITED = ErrorCode(429, "420", "Rate Limited")
TOO_LARGE = ErrorCode(413, "430", "Request Entity Too Large")
ENDPOINT_ERROR = ErrorCode(503, "500", "Endpoint Error")
UNEXPECTED_ERROR = ErrorCode(500, "900", "Unexpected Error")
# Cloud Functions v2 (documented on the v2 pages).
PACKAGE_NOT_FOUND = ErrorCode(404, "80101", "PACKAGE_NOT_FOUND")
PACKAGE_PLATFORM_MISMATCH = ErrorCode(400, "80102", "PACKAGE_PLATFORM_MISMATCH")
ACTION_PLATFORM_MISMATCH = ErrorCode(400, "80302", "ACTION_PLATFORM_MISMATCH")
TRIGGER_PLATFORM_MISMATCH = ErrorCode(400, "80502", "TRIGGER_PLATFORM_MISMATCH")
LINK_BODY_INVALID_TYPE = ErrorCode(400, "80520", "RULE_BODY_INVALID_TYPE")
LINK_BODY_MISSING_FIELD = ErrorCode(400, "80521", "RULE_BODY_MISSING_FIELD")
# Local codes, following the numbering of the documented neighbours.
ACTION_NOT_FOUND = ErrorCode(404, "80301", "ACTION_NOT_FOUND")
TRIGGER_NOT_FOUND = ErrorCode(404, "80501", "TRIGGER_NOT_FOUND")
INVALID_FIELD = ErrorCode(400, "80010", "INVALID_REQUEST_FIELD")
TYPE_IMMUTABLE = ErrorCode(409, "80011", "TYPE_CANNOT_CHANGE")
NAME_TAKEN = ErrorCode(409, "80012", "NAME_ALREADY_USED")
PACKAGE_NOT_EMPTY = ErrorCode(409, "80013", "PACKAGE_NOT_EMPTY")
NOT_EMULATED = ErrorCode(501, "80090", "NOT_EMULATED_LOCALLY")


class Refusal(Exception):
    """A refused request, answered as `{"error": {"errorCode", "message", "details"}}`."""

    def __init__(self, error: ErrorCode, message: str, details: str = "") -> None:
        super().__init__(message)
        self.error, self.message, self.details = error, message, details

    @property
    def status(self) -> int:
        return self.error.status

    def body(self) -> dict[str, Any]:
        return {"error": {"errorCode": self.error.code, "message": self.message,
                          "details": self.details or self.error.name}}


def invalid(field: str, reason: str) -> Refusal:
    return Refusal(INVALID_FIELD, f"{field} {reason}", f"field: {field}")


# -- names, query, plain fields ---------------------------------------------------------------

def check_name(field: str, name: str) -> None:
    if not 1 <= len(name) <= MAX_NAME_CHARS:
        raise invalid(field, f"must be 1 to {MAX_NAME_CHARS} characters (got {len(name)})")
    if not _NAME.fullmatch(name):
        raise invalid(
            field, "may hold only letters, digits, '-' and '_', and must not start with '-'"
        )


def check_package_name(name: str, *, allow_no_package: bool) -> None:
    if name == NO_PACKAGE:
        if not allow_no_package:
            raise invalid("packageName", "'-' means 'no package' and cannot be created")
        return
    check_name("packageName", name)


def single_query(query: Mapping[str, list[str]], name: str) -> str | None:
    values = query.get(name)
    if not values:
        return None
    if len(values) > 1:
        raise invalid(name, "is given more than once in the query")
    return values[0]


def platform_of(query: Mapping[str, list[str]]) -> str:
    platform = single_query(query, "platform") or "vpc"  # v2 default
    if platform not in PLATFORMS:
        raise invalid("platform", f"must be one of {', '.join(PLATFORMS)}")
    return platform


def bool_query(query: Mapping[str, list[str]], name: str) -> bool | None:
    value = single_query(query, name)
    if value is None:
        return None
    if value.lower() not in ("true", "false"):
        raise invalid(name, "must be true or false")
    return value.lower() == "true"


def parse_json_body(raw: bytes) -> dict[str, Any]:
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, ValueError):
        raise Refusal(BAD_REQUEST, "request body must be a JSON object (it does not parse)",
                      "field: body") from None
    if not isinstance(body, dict):
        raise Refusal(BAD_REQUEST, "request body must be a JSON object", "field: body")
    return body


def check_fields(body: Mapping[str, Any], allowed: set[str], where: str = "") -> None:
    unknown = sorted(set(body) - allowed)
    if unknown:
        field = f"{where}{unknown[0]}"
        raise invalid(field, f"is not a known field here (known: {', '.join(sorted(allowed))})")


def check_description(value: Any, field: str = "description") -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise invalid(field, "must be a string")
    size = len(value.encode("utf-8"))
    if size > MAX_DESCRIPTION_BYTES:
        raise invalid(field, f"must be at most {MAX_DESCRIPTION_BYTES} bytes (got {size})")
    return value


def check_parameters(value: Any, field: str = "parameters") -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise invalid(field, 'must be a JSON object ({"key": "value"})')
    return value


def _integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


# -- packages ---------------------------------------------------------------------------------

def validate_package_body(body: Mapping[str, Any]) -> dict[str, Any]:
    check_fields(body, {"description", "parameters"})
    return {"description": check_description(body.get("description")),
            "parameters": check_parameters(body.get("parameters"))}


# -- actions ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class ActionSpec:
    """A validated action PUT. `zip_bytes` is the code as a zip (inline source is wrapped as
    `__main__.py`); None for sequences."""

    type: str
    description: str
    parameters: dict[str, Any]
    memory: int | None
    timeout: int | None
    kind: str
    main: str
    binary: bool
    zip_bytes: bytes | None
    components: tuple[str, ...]
    raw_http: bool
    custom_options: bool
    vpc: Any


_ACTION_FIELDS = {"description", "parameters", "limits", "exec", "vpc", "raw-http",
                  "custom-options", "web"}


def action_type_of(query: Mapping[str, list[str]]) -> str | None:
    kind = single_query(query, "type")
    if kind is not None and kind not in ACTION_TYPES:
        raise invalid("type", f"must be one of {', '.join(ACTION_TYPES)}")
    return kind


def validate_action_body(
    body: Mapping[str, Any], action_type: str, platform: str, switches: Switches
) -> ActionSpec:
    check_fields(body, _ACTION_FIELDS)
    web = action_type in WEB_TYPES
    if "web" in body and body["web"] is not web:
        raise invalid("web", f"must agree with ?type={action_type} (or be left out)")
    for flag in ("raw-http", "custom-options"):
        if flag in body and not isinstance(body[flag], bool):
            raise invalid(flag, "must be true or false")
        if body.get(flag) and not web:
            raise invalid(flag, "can be true only for web actions (?type=web|sequence-web)")
    exec_ = body.get("exec")
    if not isinstance(exec_, dict):
        raise invalid("exec", "is required and must be an object")
    vpc = check_vpc(body.get("vpc"), platform, switches)
    common = {
        "type": action_type,
        "description": check_description(body.get("description")),
        "parameters": check_parameters(body.get("parameters")),
        "raw_http": bool(body.get("raw-http", False)),
        "custom_options": bool(body.get("custom-options", False)),
        "vpc": vpc,
    }
    if action_type in SEQUENCE_TYPES:
        check_fields(exec_, {"kind", "components"}, "exec.")
        if exec_.get("kind", "sequence") != "sequence":
            raise invalid("exec.kind", "must be 'sequence' for a sequence action")
        components = exec_.get("components")
        if (not isinstance(components, list) or not components
                or not all(isinstance(c, str) and c for c in components)):
            raise invalid("exec.components", 'must be a non-empty list of "package/action"')
        limits = body.get("limits") or {}
        memory, timeout = _limits(limits, required=False)
        return ActionSpec(memory=memory, timeout=timeout, kind="sequence", main="",
                          binary=False, zip_bytes=None, components=tuple(components), **common)
    memory, timeout = _limits(body.get("limits"), required=True)
    check_fields(exec_, {"kind", "code", "binary", "main"}, "exec.")
    kind = exec_.get("kind")
    if not isinstance(kind, str) or not kind:
        raise invalid("exec.kind", f"is required (e.g. {PYTHON_KIND})")
    if kind not in KNOWN_KINDS:
        raise invalid(
            "exec.kind", f"'{kind}' is not an NCP runtime (known: {', '.join(sorted(KNOWN_KINDS))})"
        )
    main = exec_.get("main", "main")
    if not isinstance(main, str) or not _IDENTIFIER.fullmatch(main):
        raise invalid("exec.main", "must be a function name")
    binary = exec_.get("binary", False)
    if not isinstance(binary, bool):
        raise invalid("exec.binary", "must be true or false")
    code = exec_.get("code")
    if not isinstance(code, str) or not code:
        raise invalid("exec.code", "is required and must be a string")
    if binary:
        if not switches.exec_code_base64_zip:
            raise invalid(
                "exec.binary",
                "zips in exec.code are switched off (switch exec_code_base64_zip=False); "
                "send inline source with exec.binary false",
            )
        zip_bytes = decode_zip(code)
    else:
        zip_bytes = _zip_of_source(code)
    check_zip(zip_bytes, python=kind.startswith("python:"))
    return ActionSpec(memory=memory, timeout=timeout, kind=kind, main=main, binary=binary,
                      zip_bytes=zip_bytes, components=(), **common)


def _limits(limits: Any, *, required: bool) -> tuple[int | None, int | None]:
    if limits is None and not required:
        return None, None
    if not isinstance(limits, dict):
        raise invalid("limits", "is required and must hold memory (MB) and timeout (ms)")
    check_fields(limits, {"memory", "timeout"}, "limits.")
    memory, timeout = limits.get("memory"), limits.get("timeout")
    if memory is None and required:
        raise invalid("limits.memory", "is required")
    if memory is not None and (not _integer(memory) or memory not in MEMORY_CHOICES_MB):
        raise invalid(
            "limits.memory", f"must be one of {', '.join(map(str, MEMORY_CHOICES_MB))}"
            + (f" (got {memory})" if _integer(memory) else "")
        )
    if timeout is None and required:
        raise invalid("limits.timeout", "is required")
    if timeout is not None and (not _integer(timeout)
                                or not MIN_TIMEOUT_MS <= timeout <= MAX_TIMEOUT_MS):
        raise invalid(
            "limits.timeout", f"must be {MIN_TIMEOUT_MS} to {MAX_TIMEOUT_MS} milliseconds"
            + (f" (got {timeout})" if _integer(timeout) else "")
        )
    return memory, timeout


def check_vpc(value: Any, platform: str, switches: Switches) -> Any:
    if value is None:
        return None
    if platform != "vpc":
        raise invalid("vpc", "can be set only with platform=vpc")
    expected = ('an array of {"vpcNo", "subnetNo"}' if switches.vpc_shape == "array"
                else 'an object {"vpcNo", "subnetNo"}')
    if switches.vpc_shape == "array":
        if not isinstance(value, list) or not value:
            raise invalid("vpc", f"must be {expected} (switch vpc_shape=array)")
        for index, item in enumerate(value):
            _check_vpc_entry(item, f"vpc[{index}]", expected)
    else:
        if not isinstance(value, dict):
            raise invalid("vpc", f"must be {expected} (switch vpc_shape=object)")
        _check_vpc_entry(value, "vpc", expected)
    return value


def _check_vpc_entry(item: Any, field: str, expected: str) -> None:
    if not isinstance(item, dict):
        raise invalid(field, f"must be an object; vpc must be {expected}")
    check_fields(item, {"vpcNo", "subnetNo"}, f"{field}.")
    for key in ("vpcNo", "subnetNo"):
        number = item.get(key)
        if not (_integer(number) or (isinstance(number, str) and number.isdigit())):
            raise invalid(f"{field}.{key}", "is required and must be a number")


# -- zips -------------------------------------------------------------------------------------

def decode_zip(code: str) -> bytes:
    """The zip from base64, refusing anything over MAX_ZIP_BYTES before decoding it."""
    stripped = code.strip()
    size = len(stripped) * 3 // 4 - stripped[-2:].count("=")
    if size > MAX_ZIP_BYTES:
        raise invalid(
            "exec.code", f"holds a {size}-byte zip; at most {MAX_ZIP_BYTES} bytes before "
            "base64 encoding"
        )
    try:
        return base64.b64decode(stripped, validate=True)
    except (binascii.Error, ValueError):
        raise invalid(
            "exec.code", "must be the base64 of the zip when exec.binary is true"
        ) from None


def _zip_of_source(source: str) -> bytes:
    if len(source.encode("utf-8")) > MAX_ZIP_BYTES:
        raise invalid("exec.code", f"source is larger than {MAX_ZIP_BYTES} bytes")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("__main__.py", source)
    return buffer.getvalue()


def check_zip(data: bytes, *, python: bool) -> None:
    if len(data) > MAX_ZIP_BYTES:
        raise invalid(
            "exec.code", f"holds a {len(data)}-byte zip; at most {MAX_ZIP_BYTES} bytes"
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            broken = archive.testzip()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError):
        raise invalid("exec.code", "is not a valid zip") from None
    if broken is not None:
        raise invalid("exec.code", f"zip entry {broken} is corrupt (CRC mismatch)")
    for name in names:
        parts = name.replace("\\", "/").split("/")
        if name.startswith(("/", "\\")) or ".." in parts or (parts and ":" in parts[0]):
            raise invalid("exec.code", f"zip entry {name} points outside the action folder")
    if not python:
        return
    if "__main__.py" not in names:
        raise invalid("exec.code", "zip has no __main__.py at its root")
    if any(n.startswith("virtualenv/") for n in names) and \
            "virtualenv/bin/activate_this.py" not in names:
        raise invalid(
            "exec.code", "zip has virtualenv/ without virtualenv/bin/activate_this.py "
            "(make it with the virtualenv tool, not python -m venv)"
        )


# -- triggers ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class TriggerSpec:
    type: str
    description: str
    parameters: dict[str, Any]
    options: dict[str, Any]  # cronOption, or the Object Storage fields under their names


def trigger_type_of(query: Mapping[str, list[str]]) -> str:
    kind = single_query(query, "type")
    if kind is None:
        raise invalid("type", f"is required ({' | '.join(TRIGGER_TYPES)})")
    if kind not in TRIGGER_TYPES:
        raise invalid("type", f"must be one of {', '.join(TRIGGER_TYPES)}")
    if kind not in EMULATED_TRIGGER_TYPES:
        raise Refusal(NOT_EMULATED, f"type {kind} is an NCP trigger type this local control "
                      "plane does not emulate (cron and object_storage only)", "field: type")
    return kind


def validate_trigger_body(
    body: Mapping[str, Any], trigger_type: str, switches: Switches
) -> TriggerSpec:
    if switches.trigger_body_wrapped:
        check_fields(body, {"trigger"})
        inner = body.get("trigger")
        if not isinstance(inner, dict):
            raise invalid("trigger", "is required: fields go inside {\"trigger\": {...}} "
                          "(switch trigger_body_wrapped=True)")
        body, where = inner, "trigger."
    else:
        if "trigger" in body:
            raise invalid("trigger", "wrapping is switched off (switch trigger_body_wrapped="
                          "False): send description, parameters and the type's fields at the "
                          "top level")
        where = ""
    if trigger_type == "cron":
        check_fields(body, {"description", "parameters", "cronOption"}, where)
        options = {"cronOption": check_cron(body.get("cronOption"), f"{where}cronOption")}
    else:
        bucket_field = switches.object_storage_bucket_field
        events_field = switches.object_storage_events_field
        for guess in (*_BUCKET_FIELD_GUESSES, *_EVENTS_FIELD_GUESSES):
            if guess in body and guess not in (bucket_field, events_field):
                raise invalid(f"{where}{guess}", f"is not the field name this control plane "
                              f"expects: {bucket_field} and {events_field} (switches "
                              "object_storage_bucket_field / object_storage_events_field)")
        check_fields(body, {"description", "parameters", bucket_field, events_field}, where)
        bucket = body.get(bucket_field)
        if not isinstance(bucket, str) or not _BUCKET.fullmatch(bucket):
            raise invalid(f"{where}{bucket_field}", "is required: a bucket name (3-63 "
                          "lower-case letters, digits, '.' or '-')")
        events = body.get(events_field)
        if (not isinstance(events, list) or not events
                or not all(isinstance(e, str) and e.strip() for e in events)):
            raise invalid(f"{where}{events_field}", "is required: a non-empty list of bucket "
                          "event names (e.g. ObjectCreated:PUT)")
        options = {bucket_field: bucket, events_field: list(events)}
    return TriggerSpec(
        type=trigger_type,
        description=check_description(body.get("description"), f"{where}description"),
        parameters=check_parameters(body.get("parameters"), f"{where}parameters"),
        options=options,
    )


def check_cron(value: Any, field: str = "cronOption") -> str:
    if not isinstance(value, str) or not value.strip():
        raise invalid(field, "is required: a 5-field crontab such as '*/5 * * * *'")
    expression = " ".join(value.split())
    if len(expression.split(" ")) != 5:
        raise invalid(field, f"must have 5 fields (minute hour day month weekday), "
                      f"got {len(expression.split(' '))}")
    from croniter import croniter  # local-only dependency, imported where it is needed

    if not croniter.is_valid(expression):
        raise invalid(field, "is not a valid crontab expression")
    return expression


def link_target(body: Mapping[str, Any], switches: Switches) -> tuple[str, str]:
    """(package, action) from a link-action body `{"action", "package"}`."""
    action, package = body.get("action"), body.get("package", NO_PACKAGE)
    if action is None:
        raise Refusal(LINK_BODY_MISSING_FIELD, "action is required (the action's name)",
                      "field: action")
    if not isinstance(action, str) or not isinstance(package, str):
        raise Refusal(LINK_BODY_INVALID_TYPE, "action and package must be strings",
                      "field: action")
    check_fields(body, {"action", "package"})
    if "/" in action:
        if not switches.link_action_accepts_path or package != NO_PACKAGE:
            raise invalid("action", "must be the action's name, with its package in package"
                          + ("" if switches.link_action_accepts_path
                             else " (switch link_action_accepts_path=False)"))
        package, action = action.split("/", 1)
    check_package_name(package, allow_no_package=True)
    check_name("action", action)
    return package, action

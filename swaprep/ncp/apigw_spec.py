"""NCP's own OpenAPI description of the API Gateway v1 management API, read as the local
stand-in's contract: which operations exist (path template + method), their path and query
parameters, request-body schemas and response schemas.

`apigw_v1.json` beside this file is a verbatim copy of `reference/ncp-api/apigw_v1.json`
(OpenAPI 3.0.1, 110 paths, served at https://apigateway.apigw.ntruss.com/api/v1; from the
repository NaverCloudPlatform/terraform-plugin-codegen-openapi). A test checks the copy.

NCP writes most constraints into descriptions rather than schema keywords, e.g.
"Api Name<br>Length(Min/Max): 0/20<br>Pattern: [a-zA-Z0-9_-]+" or "Cache Ttl Sec<br>Min: 1<br>
Max: 3,600". `lift_constraints` turns them into JSON Schema keywords (minLength/maxLength,
pattern as a whole-string match like Java's @Pattern, minimum/maximum, enum) so that jsonschema
checks them with the rest. Two "Pattern:" texts are date/zone formats, not expressions
("yyyy-MM-dd", "+09:00"); they are left out.
"""

from __future__ import annotations

import copy
import json
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft4Validator
from jsonschema.exceptions import ValidationError, best_match

SPEC_PATH = Path(__file__).with_name("apigw_v1.json")
PREFIX = "/api/v1"  # the path of the spec's `servers` URL
SPEC_METHODS = ("get", "put", "post", "delete", "patch")
# A resource's CORS settings (PostResourceRequest / PatchResourceRequest / ResourceDto).
CORS_FIELDS = ("corsAllowOrigin", "corsAllowMethods", "corsAllowHeaders",
               "corsAllowCredentials", "corsExposeHeaders", "corsMaxAge")

_LENGTH = re.compile(r"(?:^|<br>)Length\(Min/Max\): ([\d,]+)/([\d,]+)")
_MIN = re.compile(r"(?:^|<br>)Min: (-?[\d,]+)")
_MAX = re.compile(r"(?:^|<br>)Max: (-?[\d,]+)")
_PATTERN = re.compile(r"(?:^|<br>)Pattern: (.*?)(?=<br>|$)")
_ALLOWED = re.compile(r"(?:^|<br>)Allowable values: (.*?)(?=<br>|$)")
_NOT_EXPRESSIONS = ("yyyy-MM-dd", "+09:00")
_TEMPLATE_PARAM = re.compile(r"\{([^}/]+)\}")
_TYPE_WORDS = {"string": "a string", "integer": "a whole number", "number": "a number",
               "boolean": "true or false", "object": "a JSON object", "array": "a JSON array"}


class SchemaViolation(Exception):
    """A request that breaks the spec: which field, and why (no values that could be secret)."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field} {reason}")
        self.field, self.reason = field, reason


class NoSuchPath(Exception):
    """No path template of the spec matches."""


class MethodNotListed(Exception):
    """A path of the spec, but the spec lists other methods for it."""

    def __init__(self, allowed: list[str]) -> None:
        super().__init__(", ".join(allowed))
        self.allowed = allowed


@dataclass(frozen=True)
class Parameter:
    name: str
    location: str  # path | query
    required: bool
    schema: dict[str, Any]  # with the description's constraints lifted


@dataclass(frozen=True)
class Operation:
    method: str  # upper case
    template: str  # e.g. /products/{product-id}/apis
    parameters: tuple[Parameter, ...]
    body_ref: str | None  # "#/components/schemas/PostProductRequest"
    body_required: bool
    responses: Mapping[int, str | None]  # status -> schema ref; None: no content

    @property
    def key(self) -> tuple[str, str]:
        return self.method, self.template

    @property
    def body_schema_name(self) -> str | None:
        return self.body_ref.rsplit("/", 1)[-1] if self.body_ref else None

    def query_parameters(self) -> list[Parameter]:
        return [p for p in self.parameters if p.location == "query"]


def _number(text: str) -> int:
    return int(text.replace(",", ""))


def _whole_match(pattern: str) -> str | None:
    """`pattern` as a whole-string, ASCII match (Java's String.matches with Java's ASCII \\w),
    or None when it is not an expression Python can compile."""
    if any(marker in pattern for marker in _NOT_EXPRESSIONS):
        return None
    wrapped = rf"(?a)\A(?:{pattern})\Z"
    try:
        re.compile(wrapped)
    except re.error:
        return None
    return wrapped


def lift_constraints(schema: dict[str, Any], description: str | None = None) -> dict[str, Any]:
    """Add the keywords a description states to `schema` (in place, recursively)."""
    text = description if description is not None else schema.get("description")
    kind = schema.get("type")
    if isinstance(text, str) and "<br>" in text:
        if kind == "string":
            if length := _LENGTH.search(text):
                schema.setdefault("minLength", _number(length.group(1)))
                schema.setdefault("maxLength", _number(length.group(2)))
            if (pattern := _PATTERN.search(text)) and "pattern" not in schema:
                wrapped = _whole_match(pattern.group(1))
                if wrapped is not None:
                    schema["pattern"] = wrapped
                    schema["x-ncp-pattern"] = pattern.group(1)  # shown in refusals
            if (allowed := _ALLOWED.search(text)) and "enum" not in schema:
                schema["enum"] = [item.strip() for item in allowed.group(1).split(",")]
        elif kind in ("integer", "number"):
            if low := _MIN.search(text):
                schema.setdefault("minimum", _number(low.group(1)))
            if high := _MAX.search(text):
                schema.setdefault("maximum", _number(high.group(1)))
    for key, value in schema.items():
        if key == "properties" and isinstance(value, dict):
            for item in value.values():
                if isinstance(item, dict):
                    lift_constraints(item)
        elif key in ("items", "additionalProperties") and isinstance(value, dict):
            lift_constraints(value)
    return schema


def close_objects(schema: Any) -> Any:
    """Refuse fields a schema does not list (in place, recursively): `additionalProperties:
    false` on every object schema with `properties`."""
    if isinstance(schema, dict):
        if "properties" in schema and "additionalProperties" not in schema:
            schema["additionalProperties"] = False
        for value in schema.values():
            close_objects(value)
    elif isinstance(schema, list):
        for item in schema:
            close_objects(item)
    return schema


def field_path(parts: Any) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def describe(error: ValidationError, root: str = "body") -> tuple[str, str]:
    """(field, reason) in plain words for one jsonschema error."""
    path = list(error.absolute_path)
    rule, expected, instance = error.validator, error.validator_value, error.instance
    if rule == "required":
        missing = next((name for name in expected if name not in instance), expected[0])
        return field_path([*path, missing]), "is required"
    if rule == "additionalProperties":
        known = sorted(error.schema.get("properties", {}))
        extra = sorted(set(instance) - set(known))[0]
        return (field_path([*path, extra]),
                f"is not a known field here (known: {', '.join(known)})")
    field = field_path(path) or root
    if rule == "type":
        kinds = expected if isinstance(expected, list) else [expected]
        return field, "must be " + " or ".join(_TYPE_WORDS.get(k, k) for k in kinds)
    if rule == "enum":
        got = (f" (got {instance!r})" if isinstance(instance, str) and len(instance) <= 40
               else "")
        return field, f"must be one of {', '.join(map(str, expected))}{got}"
    if rule == "maxLength":
        return field, f"must be at most {expected} characters (got {len(instance)})"
    if rule == "minLength":
        return field, f"must be at least {expected} characters (got {len(instance)})"
    if rule == "pattern":
        return field, f"must match the pattern {error.schema.get('x-ncp-pattern', expected)}"
    if rule == "minimum":
        return field, f"must be at least {expected:,} (got {instance})"
    if rule == "maximum":
        return field, f"must be at most {expected:,} (got {instance})"
    return field, error.message


class Spec:
    """The operations of apigw_v1.json, with validators for their bodies and answers."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        schemas = document["components"]["schemas"]
        self._lax = {name: lift_constraints(copy.deepcopy(schema))
                     for name, schema in schemas.items()}
        self._strict = close_objects(copy.deepcopy(self._lax))
        self.operations: dict[tuple[str, str], Operation] = {}
        self._paths: list[tuple[str, re.Pattern[str], list[str], int]] = []
        for template, item in document["paths"].items():
            names = _TEMPLATE_PARAM.findall(template)
            regex = re.compile("/".join("([^/]+)" if _TEMPLATE_PARAM.fullmatch(segment)
                                        else re.escape(segment)
                                        for segment in template.split("/")))
            literal = len([s for s in template.split("/") if s and not s.startswith("{")])
            self._paths.append((template, regex, names, literal))
            for method in SPEC_METHODS:
                if method in item:
                    operation = self._operation(method.upper(), template, item[method])
                    self.operations[operation.key] = operation
        self._validators: dict[tuple[str, bool], Draft4Validator] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _operation(method: str, template: str, raw: dict[str, Any]) -> Operation:
        parameters = []
        for parameter in raw.get("parameters", []):
            schema = {k: val for k, val in parameter.get("schema", {}).items()
                      if not k.startswith("x-")}
            lift_constraints(schema, parameter.get("description"))
            parameters.append(Parameter(parameter["name"], parameter["in"],
                                        bool(parameter.get("required")), schema))
        body = raw.get("requestBody")
        body_ref = None
        if body:
            (media,) = body["content"].values()
            body_ref = media["schema"]["$ref"]
        responses: dict[int, str | None] = {}
        for status, answer in raw.get("responses", {}).items():
            content = answer.get("content") or {}
            # Six export operations answer an inline string schema: "" (not checked).
            responses[int(status)] = (next(iter(content.values()))["schema"].get("$ref", "")
                                      if content else None)
        return Operation(method, template, tuple(parameters), body_ref,
                         bool(body and body.get("required")), responses)

    # -- routing ----------------------------------------------------------------------------

    def templates(self) -> list[str]:
        return [template for template, *_ in self._paths]

    def resolve(self, method: str, path: str) -> tuple[Operation, dict[str, str]]:
        """The operation for `method path` (path below /api/v1) and its path parameters.
        Literal segments win over parameters (`/apis/filter` before `/apis/{api-id}`), among
        the templates that list the method, as Spring's matcher does."""
        matches = []
        for template, regex, names, literal in self._paths:
            found = regex.fullmatch(path)
            if found is not None:
                matches.append((literal, template, dict(zip(names, found.groups(),
                                                            strict=True))))
        if not matches:
            raise NoSuchPath(path)
        listed = [m for m in matches if (method, m[1]) in self.operations]
        if not listed:
            allowed = sorted({m for _, template, _ in matches for m, t in self.operations
                              if t == template})
            raise MethodNotListed(allowed)
        _, template, params = max(listed, key=lambda m: m[0])
        return self.operations[(method, template)], params

    # -- validation -------------------------------------------------------------------------

    def validator(self, ref: str, *, strict: bool) -> Draft4Validator:
        with self._lock:
            made = self._validators.get((ref, strict))
            if made is None:
                root = {"$ref": ref,
                        "components": {"schemas": self._strict if strict else self._lax}}
                made = self._validators[(ref, strict)] = Draft4Validator(root)
            return made

    def schema(self, name: str, *, strict: bool = False) -> dict[str, Any]:
        return (self._strict if strict else self._lax)[name]

    def check_body(self, operation: Operation, body: Any, *, strict: bool) -> None:
        """Raise SchemaViolation unless `body` fits the operation's request schema (unknown
        fields refused when `strict`)."""
        if operation.body_ref is None:
            return
        error = best_match(self.validator(operation.body_ref, strict=strict)
                           .iter_errors(body))
        if error is not None:
            raise SchemaViolation(*describe(error))

    def check_query(
        self, operation: Operation, query: Mapping[str, list[str]]
    ) -> dict[str, Any]:
        """The operation's query parameters, typed; SchemaViolation for a missing required
        one or a value that breaks its schema. Parameters the spec does not list are
        ignored, as NCP's gateway does."""
        values: dict[str, Any] = {}
        for parameter in operation.query_parameters():
            given = [value for value in query.get(parameter.name, []) if value != ""]
            if not given:
                if parameter.required:
                    raise SchemaViolation(parameter.name, "is required in the query")
                continue
            if len(given) > 1:
                raise SchemaViolation(parameter.name, "is given more than once in the query")
            value = _coerce(parameter, given[0])
            error = best_match(Draft4Validator(parameter.schema).iter_errors(value))
            if error is not None:
                raise SchemaViolation(*describe(error, parameter.name))
            values[parameter.name] = value
        return values

    def check_response(self, operation: Operation, status: int, payload: Any) -> list[str]:
        """What is wrong with an answer, judged by the operation's response schema with
        unknown fields refused (empty when it fits)."""
        if status not in operation.responses:
            return [f"status {status} is not a documented answer "
                    f"({', '.join(map(str, operation.responses))})"]
        ref = operation.responses[status]
        if ref is None:
            return [] if payload is None else [f"status {status} documents no content"]
        if payload is None:
            return [f"status {status} documents a {ref.rsplit('/', 1)[-1]} body"]
        if not ref:
            return []
        return [f"{field_path(e.absolute_path) or 'body'}: {e.message}"
                for e in self.validator(ref, strict=True).iter_errors(payload)]


def _coerce(parameter: Parameter, text: str) -> Any:
    kind = parameter.schema.get("type")
    if kind == "integer":
        if not re.fullmatch(r"-?\d+", text):
            raise SchemaViolation(parameter.name, "must be a whole number")
        return int(text)
    if kind == "boolean":
        if text.lower() not in ("true", "false"):
            raise SchemaViolation(parameter.name, "must be true or false")
        return text.lower() == "true"
    return text


@cache
def load_spec(path: str | None = None) -> Spec:
    """The parsed spec (once per process)."""
    return Spec(json.loads(Path(path or SPEC_PATH).read_text(encoding="utf-8")))

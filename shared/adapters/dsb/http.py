"""The DSB's REST API over urllib (standard library, like the TR adapter: nothing to bundle).

Every path, field name, the auth header and which statuses are refusals are `ApiShape`
switches (docs/UPI.md "Undocumented here"): our assumed defaults match the local stand-in
(swaprep/dsbsim), and a deployment against the real DSB sets them from the DSB's own
documentation without a code change. The key is never logged nor shown by repr.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

from shared.adapters.dsb.base import DsbRefused, DsbUnauthorized, DsbUnreachable
from shared.domain.identifiers import check_upi
from shared.domain.upi import ProductAttributes, UpiRecord, UserType
from shared.domain.upi import user_type as user_type_named
from shared.platform.jsontext import json_object

MAX_ANSWER_BYTES = 4 * 1024 * 1024  # 500 records of a power user's search fit many times


@dataclass(frozen=True)
class ApiShape:
    """The DSB API's shape as we assume it; each field is a `dsb_<name>` setting."""

    SWITCHES: ClassVar[tuple[str, ...]] = (
        "auth_header", "auth_scheme", "search_path", "create_path", "lookup_path",
        "records_field", "code_field", "attributes_field", "refused_statuses")

    auth_header: str = "Authorization"
    auth_scheme: str = "Bearer"
    search_path: str = "/upi/v1/search"
    create_path: str = "/upi/v1/create"
    lookup_path: str = "/upi/v1/records/{upi}"
    records_field: str = "records"
    code_field: str = "upi"
    attributes_field: str = "attributes"
    refused_statuses: str = "400,403,409,422,429"
    field_map: Mapping[str, str] = field(default_factory=dict)  # ours -> the DSB's

    def with_overrides(self, values: Mapping[str, Any],
                       field_map: Mapping[str, str] | None) -> ApiShape:
        unknown = sorted(set(values) - set(self.SWITCHES))
        if unknown:
            raise ValueError(f"unknown DSB API switch(es) {unknown}")
        shape: ApiShape = replace(self, **{k: str(v) for k, v in values.items()})  # type: ignore[arg-type]
        return replace(shape, field_map=dict(field_map)) if field_map else shape

    @property
    def refused(self) -> frozenset[int]:
        return frozenset(int(s) for s in self.refused_statuses.split(",") if s.strip())

    def to_dsb(self, attributes: ProductAttributes) -> dict[str, str]:
        return {self.field_map.get(k, k): v for k, v in attributes.as_dict().items()}

    def from_dsb(self, values: Mapping[str, Any]) -> dict[str, Any]:
        back = {theirs: ours for ours, theirs in self.field_map.items()}
        return {back.get(k, k): v for k, v in values.items()}


class HttpDsb:
    """The `ProductIdentifiers` port over the DSB's REST API."""

    def __init__(self, url: str, api_key: str, *, user_type: str = "registered",
                 shape: ApiShape | None = None, timeout_s: float = 10.0) -> None:
        self.url = url.rstrip("/")
        self._api_key = api_key
        self.user_type: UserType = user_type_named(user_type)
        self.shape = shape or ApiShape()
        self.timeout_s = timeout_s
        self.requests = 0  # HTTP requests made (the cache tests count them)

    def __repr__(self) -> str:  # never the key
        return f"HttpDsb({self.url!r}, user_type={self.user_type.name!r})"

    def search(self, attributes: ProductAttributes) -> list[UpiRecord]:
        answer = self._call("POST", self.shape.search_path,
                            {self.shape.attributes_field: self.shape.to_dsb(attributes)})
        records = answer.get(self.shape.records_field)
        if not isinstance(records, list):
            raise DsbUnreachable(f"the DSB's search answer has no {self.shape.records_field!r}")
        return [r for r in map(self._record, records) if r is not None]

    def create(self, attributes: ProductAttributes) -> UpiRecord:
        answer = self._call("POST", self.shape.create_path,
                            {self.shape.attributes_field: self.shape.to_dsb(attributes)})
        record = self._record(answer)
        if record is None:
            raise DsbUnreachable("the DSB's create answer carries no valid UPI")
        return record

    def lookup(self, code: str) -> UpiRecord | None:
        path = self.shape.lookup_path.replace("{upi}", urllib.parse.quote(code, safe=""))
        try:
            return self._record(self._call("GET", path, None))
        except DsbRefused as exc:
            if exc.status == 404:
                return None
            raise

    def _record(self, value: Any) -> UpiRecord | None:
        if not isinstance(value, dict):
            return None
        code = value.get(self.shape.code_field)
        if not isinstance(code, str) or check_upi(code) is not None:
            return None
        attributes = value.get(self.shape.attributes_field)
        try:
            parsed = ProductAttributes.from_dict(self.shape.from_dsb(attributes or {}))
        except ValueError:
            return None  # a product shaped outside our templates: not one we can match
        return UpiRecord(code, parsed)

    def _call(self, method: str, path: str, body: dict[str, Any] | None) -> dict[str, Any]:
        headers = {"Accept": "application/json"}
        if self._api_key:
            # "none": the key alone (an empty setting counts as unset, so it cannot say that)
            scheme = "" if self.shape.auth_scheme.strip().lower() == "none" \
                else self.shape.auth_scheme.strip()
            headers[self.shape.auth_header] = f"{scheme} {self._api_key}" if scheme \
                else self._api_key
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(self.url + path, data=data, method=method,
                                         headers=headers)
        self.requests += 1
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                raw = response.read(MAX_ANSWER_BYTES + 1)
        except urllib.error.HTTPError as exc:
            raw = exc.read(MAX_ANSWER_BYTES)
            detail = json_object(raw)
            code = str(detail.get("code") or "") or None
            text = str(detail.get("message") or exc.reason or "")
            message = f"DSB answered {exc.code}{' ' + code if code else ''}: {text}"[:500]
            if exc.code == 401:
                raise DsbUnauthorized(message, status=401, code=code) from None
            if exc.code == 404 or exc.code in self.shape.refused:
                raise DsbRefused(message, status=exc.code, code=code) from None
            raise DsbUnreachable(message, status=exc.code, code=code) from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise DsbUnreachable(f"the DSB did not answer: {exc}") from None
        if len(raw) > MAX_ANSWER_BYTES:
            raise DsbUnreachable("the DSB's answer is larger than any it should send")
        answer = json_object(raw)
        if not answer:
            raise DsbUnreachable("the DSB's answer is not a JSON object")
        return answer


def read_eod(data: bytes, shape: ApiShape | None = None) -> tuple[list[UpiRecord], list[str]]:
    """An end-of-day file's UPIs, and a line per record that could not be read (kept out, named).

    The DSB's EOD layout for UPIs is "in progress" in its own documentation; we read a JSON
    object with the records list (`dsb_records_field`), a JSON array of records, or JSON lines,
    each record as the API gives it (`dsb_code_field`, `dsb_attributes_field`)."""
    shape = shape or ApiShape()
    text = data.decode("utf-8-sig")
    try:
        whole: Any = json.loads(text)
        items = whole.get(shape.records_field) if isinstance(whole, dict) else whole
    except ValueError:
        items = []
        for number, line in enumerate(text.splitlines(), 1):
            if line.strip():
                try:
                    items.append(json.loads(line))
                except ValueError:
                    items.append({"_line": number})
    if not isinstance(items, list):
        raise ValueError(f"the EOD file has no {shape.records_field!r} list")
    client = HttpDsb("http://unused", "", shape=shape)
    records, problems = [], []
    for number, item in enumerate(items, 1):
        record = client._record(item)
        if record is None:
            code = item.get(shape.code_field) if isinstance(item, dict) else None
            problems.append(f"record {number}: no valid UPI and attributes"
                            + (f" ({code})" if code else ""))
        else:
            records.append(record)
    return records, problems

"""The local stand-in for NCP's Global Edge purge API (https://edge.apigw.ntruss.com), served by
the control plane beside Cloud Functions and API Gateway.

Documented (api.ncloud-docs.com, "Request purge", reference/ncp-platform.md section 9):
`POST /api/v1/purge` `{edgeId: Long, purgeType: ALL|DIRECTORY|PATTERN|URL, purgeTarget: [..]}`
answering `{code, message, result: [purgeRequestId]}`; the targets by type: ALL none,
DIRECTORY `/.../*`, PATTERN `/...*.ext`, URL a path starting with `/` without `*`; at most 100
targets a request and 10 requests a minute. Its path does not collide with the API Gateway
management API, which shares the `/api/v1` prefix on another host: its spec has no `/purge`.

Edges themselves are made once, by hand or Global Edge's own API, in front of the frontend
bucket (docs/DEPLOY.md); the stand-in is given the edges it knows (`ControlPlane(edges=...)`),
as the deploy only purges. Refusals come in the common NCP error shape; the answer's `code`
value on success is not published (`"0000"` here; the deploy reads only `result`).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from swaprep.ncp import validation as v

PURGE_PATH = "/purge"
PURGE_TYPES = ("ALL", "DIRECTORY", "PATTERN", "URL")
MAX_TARGETS = 100
REQUESTS_PER_MINUTE = 10
_TARGET_RULES: dict[str, tuple[re.Pattern[str], str]] = {
    "DIRECTORY": (re.compile(r"/(?:[^*]*/)?\*"), "starts with / and ends with /*"),
    "PATTERN": (re.compile(r"/[^*]*\*\.[A-Za-z0-9]+"), "starts with / and ends with *.ext"),
    "URL": (re.compile(r"/[^*]*"), "starts with / and holds no *"),
}


@dataclass(frozen=True)
class Purge:
    """One accepted purge request, as the local stack and tests read it."""

    request_id: int
    edge_id: int
    purge_type: str
    targets: tuple[str, ...]
    at: float  # epoch seconds, the plane's clock


class EdgeControl:
    def __init__(self, edges: Mapping[int, str], clock: Callable[[], float]) -> None:
        self.edges = dict(edges)  # edge id -> what it fronts (the frontend bucket)
        self._clock = clock
        self._lock = threading.Lock()
        self._purges: list[Purge] = []

    def handles(self, path: str) -> bool:
        return path == PURGE_PATH

    def purges(self) -> list[Purge]:
        with self._lock:
            return list(self._purges)

    def dispatch(self, method: str, path: str, query: dict[str, list[str]],
                 raw: bytes) -> tuple[int, Any]:
        if method != "POST":
            raise v.Refusal(v.ErrorCode(405, "100", "Method Not Allowed"),
                            f"method: {method} is not allowed on /api/v1{path}")
        body = v.parse_json_body(raw)
        v.check_fields(body, {"edgeId", "purgeType", "purgeTarget"})
        edge_id = body.get("edgeId")
        if isinstance(edge_id, bool) or not isinstance(edge_id, int):
            raise v.invalid("edgeId", "is required: the edge's number (Long)")
        if edge_id not in self.edges:
            raise v.Refusal(v.ROUTE_NOT_FOUND, f"edgeId: no edge {edge_id} in this account",
                            "field: edgeId")
        purge_type = body.get("purgeType")
        if purge_type not in PURGE_TYPES:
            raise v.invalid("purgeType", f"must be one of {', '.join(PURGE_TYPES)}")
        targets = body.get("purgeTarget")
        if purge_type == "ALL":
            if targets:
                raise v.invalid("purgeTarget", "is omitted with purgeType ALL")
            targets = []
        else:
            if not isinstance(targets, list) or not targets:
                raise v.invalid("purgeTarget", f"is required with purgeType {purge_type}")
            if len(targets) > MAX_TARGETS:
                raise v.invalid("purgeTarget", f"holds {len(targets)} targets; at most "
                                f"{MAX_TARGETS} a request")
            rule, wording = _TARGET_RULES[purge_type]
            for index, target in enumerate(targets):
                if not isinstance(target, str) or not rule.fullmatch(target):
                    raise v.invalid(f"purgeTarget[{index}]", f"{target!r}: a {purge_type} "
                                    f"target {wording}")
        now = self._clock()
        with self._lock:
            recent = [p for p in self._purges if now - p.at < 60]
            if len(recent) >= REQUESTS_PER_MINUTE:
                raise v.Refusal(v.RATE_LIMITED, f"Rate Limited: {REQUESTS_PER_MINUTE} purge "
                                "requests a minute")
            purge = Purge(request_id=len(self._purges) + 1, edge_id=edge_id,
                          purge_type=purge_type, targets=tuple(targets), at=now)
            self._purges.append(purge)
        return 200, {"code": "0000", "message": "success", "result": [purge.request_id]}

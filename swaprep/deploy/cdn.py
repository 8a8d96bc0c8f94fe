"""The Global Edge purge after a console release (`POST /api/v1/purge` on
https://edge.apigw.ntruss.com; the local control plane for `--env local`, swaprep/ncp/edge.py).

Only what changes under the same name is purged: the SPA's entry (`/` and `/index.html`) and
the build's other files without a content hash, which are published `no-cache`. Hashed assets
are new names in every release and never need it. A URL purge is quick, where a DIRECTORY or
ALL purge of a global edge takes about 40 minutes (NCP's purge page), and at most 100 targets
go in one request (10 requests a minute).

The env names the edge in `[console]` (`edge_id`, made once in front of the frontend bucket:
docs/DEPLOY.md) and the API in `[ncp]` (`edge_url`); without an `edge_id` nothing is purged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from swaprep.console_release import INDEX, NO_CACHE, ReleasePlan
from swaprep.deploy.envfile import DeployEnv, DeployEnvError
from swaprep.ncp.client import NcpClient

EDGE_PREFIX = "/api/v1"
MAX_TARGETS = 100  # a purge request's purgeTarget


def purge_targets(plan: ReleasePlan) -> list[str]:
    """The URL paths a release changes under an unchanged name, the SPA's root first."""
    paths = [f"/{o.key}" for o in plan.objects if o.cache_control == NO_CACHE]
    if INDEX in {o.path for o in plan.objects}:
        paths.insert(0, f"/{plan.prefix}")  # the edge serves index.html at the prefix too
    return list(dict.fromkeys(paths))


def batches(targets: Iterable[str], size: int = MAX_TARGETS) -> list[list[str]]:
    items = list(targets)
    return [items[i:i + size] for i in range(0, len(items), size)]


def edge_id_of(env: DeployEnv) -> int | None:
    """`[console] edge_id`, checked; None when the env names no edge."""
    raw = env.console.get("edge_id")
    if raw in (None, ""):
        return None
    try:
        return int(str(raw))
    except ValueError:
        raise DeployEnvError(f"{env.path}: console.edge_id: the Global Edge's number "
                             f"(got {raw!r})") from None


@dataclass
class EdgePurge:
    client: NcpClient
    edge_id: int

    @classmethod
    def for_env(cls, env: DeployEnv) -> EdgePurge | None:
        """None when the env names no edge in front of the console."""
        edge_id = edge_id_of(env)
        if edge_id is None:
            return None
        url = env.ncp.get("edge_url")
        if not url:
            raise DeployEnvError(f"{env.path}: ncp.edge_url is required with console.edge_id "
                                 "(https://edge.apigw.ntruss.com on NCP)")
        client = NcpClient(str(url), str(env.ncp["access_key"]), str(env.ncp["secret_key"]))
        return cls(client, edge_id)

    def purge(self, targets: list[str], log: Callable[[str], None]) -> list[Any]:
        """URL-purge `targets`; the purge request ids NCP gave."""
        ids: list[Any] = []
        for batch in batches(targets):
            answer = self.client.request("POST", f"{EDGE_PREFIX}/purge", body={
                "edgeId": self.edge_id, "purgeType": "URL", "purgeTarget": batch}) or {}
            ids.extend(answer.get("result") or [])
        log(f"  purged {len(targets)} path(s) from Global Edge {self.edge_id} "
            f"(request {', '.join(map(str, ids)) or 'without an id'})")
        return ids

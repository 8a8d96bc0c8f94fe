"""The Global Edge purge stand-in refuses what NCP's purge page rules out (a target of the
wrong shape for its type, over 100 targets, an edge the account lacks, an 11th request in a
minute) with the field and reason, and records what it accepts; the deploy purges only what a
console release changes under an unchanged name."""

from __future__ import annotations

import json

import pytest

from swaprep.console_release import DistFile, plan_release
from swaprep.deploy.cdn import MAX_TARGETS, batches, purge_targets
from swaprep.ncp import validation as v
from swaprep.ncp.edge import EdgeControl


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def purge(edge: EdgeControl, body: dict) -> tuple[int, dict]:
    return edge.dispatch("POST", "/purge", {}, json.dumps(body).encode())


@pytest.fixture
def edge() -> EdgeControl:
    return EdgeControl({11197: "bank-console"}, Clock())


def test_an_accepted_purge_answers_its_request_id_and_is_recorded(edge):
    status, answer = purge(edge, {"edgeId": 11197, "purgeType": "URL",
                                  "purgeTarget": ["/", "/index.html"]})
    assert status == 200 and answer["result"] == [1]
    [done] = edge.purges()
    assert (done.edge_id, done.purge_type, done.targets) == (11197, "URL",
                                                             ("/", "/index.html"))
    assert purge(edge, {"edgeId": 11197, "purgeType": "ALL"})[1]["result"] == [2]
    assert purge(edge, {"edgeId": 11197, "purgeType": "DIRECTORY",
                        "purgeTarget": ["/src/images/*"]})[0] == 200
    assert purge(edge, {"edgeId": 11197, "purgeType": "PATTERN",
                        "purgeTarget": ["/static/*.png"]})[0] == 200


@pytest.mark.parametrize(("body", "field", "reason"), [
    ({"edgeId": 99, "purgeType": "URL", "purgeTarget": ["/"]}, "edgeId", "no edge 99"),
    ({"edgeId": "11197", "purgeType": "URL", "purgeTarget": ["/"]}, "edgeId", "Long"),
    ({"edgeId": 11197, "purgeType": "FILE", "purgeTarget": ["/"]}, "purgeType", "one of"),
    ({"edgeId": 11197, "purgeType": "ALL", "purgeTarget": ["/"]}, "purgeTarget", "omitted"),
    ({"edgeId": 11197, "purgeType": "URL"}, "purgeTarget", "required"),
    ({"edgeId": 11197, "purgeType": "URL", "purgeTarget": ["/assets/*"]}, "purgeTarget[0]",
     "no *"),
    ({"edgeId": 11197, "purgeType": "URL", "purgeTarget": ["index.html"]}, "purgeTarget[0]",
     "starts with /"),
    ({"edgeId": 11197, "purgeType": "DIRECTORY", "purgeTarget": ["/src/images"]},
     "purgeTarget[0]", "ends with /*"),
    ({"edgeId": 11197, "purgeType": "PATTERN", "purgeTarget": ["/static/*"]},
     "purgeTarget[0]", "*.ext"),
    ({"edgeId": 11197, "purgeType": "URL", "purgeTarget": [f"/{i}" for i in range(101)]},
     "purgeTarget", "at most 100"),
    ({"edgeId": 11197, "purgeType": "URL", "purgeTarget": ["/"], "force": True}, "force", ""),
])
def test_a_purge_ncp_would_refuse_names_the_field_and_why(edge, body, field, reason):
    with pytest.raises(v.Refusal) as refused:
        purge(edge, body)
    assert f"field: {field}" == refused.value.details and reason in refused.value.message
    assert edge.purges() == []


def test_the_eleventh_purge_in_a_minute_is_rate_limited_and_the_next_minute_is_free(edge):
    for _ in range(10):
        assert purge(edge, {"edgeId": 11197, "purgeType": "ALL"})[0] == 200
    with pytest.raises(v.Refusal) as refused:
        purge(edge, {"edgeId": 11197, "purgeType": "ALL"})
    assert refused.value.status == 429
    edge._clock.now += 61  # type: ignore[attr-defined]
    assert purge(edge, {"edgeId": 11197, "purgeType": "ALL"})[0] == 200


def test_only_what_a_release_changes_under_the_same_name_is_purged():
    plan = plan_release([DistFile("index.html", 10), DistFile("assets/app-Bx7Q2kLm.js", 10),
                         DistFile("assets/logo-C4r9Zx1P.svg", 10), DistFile("favicon.ico", 10),
                         DistFile("manifest.webmanifest", 10)])
    targets = purge_targets(plan)
    assert targets[0] == "/" and targets[-1] == "/index.html"  # index.html is uploaded last
    assert sorted(targets) == ["/", "/favicon.ico", "/index.html", "/manifest.webmanifest"]
    under = purge_targets(plan_release([DistFile("index.html", 1)], "console/"))
    assert under == ["/console/", "/console/index.html"]


def test_targets_go_in_requests_of_at_most_100():
    sizes = [len(b) for b in batches([f"/{i}" for i in range(250)])]
    assert sizes == [MAX_TARGETS, MAX_TARGETS, 50]

"""GET /api/metrics through the real api action on real PostgreSQL: Prometheus text that the
reference parser reads, holding the caller's tenant only."""
# ruff: noqa: F811  (fixtures shared with test_operations_api are parameters of the same name)

from __future__ import annotations

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.functional.api.test_operations_api import (  # noqa: F401  (fixtures)
    a_dead_letter,
    an_alert,
    api,
    beta,
    invalid,
    people,
    wakeups,
)
from tests.functional.services import pipeline_support

pytestmark = pytest.mark.functional

pipeline, store, tenant = pipeline_support.pipeline, pipeline_support.store, pipeline_support.tenant


def samples(text: str) -> dict[tuple[str, tuple], float]:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def test_metrics_hold_only_the_callers_tenant(api, db, tenant, beta, people, invalid):
    an_alert(db, beta)  # beta's: never in alpha's figures
    a_dead_letter(db, tenant)
    status, text, headers = api("GET", "/api/metrics", token=people["victor"])
    assert status == 200, text
    assert headers["Content-Type"].startswith("text/plain; version=0.0.4")
    got = samples(text)
    assert {dict(labels)["tenant"] for _, labels in got} == {"alpha-bank"}

    def value(name: str, **labels: str) -> float:
        return got[(name, tuple(sorted({"tenant": "alpha-bank", **labels}.items())))]

    assert value("swaprep_events", state="invalid") == 3
    assert value("swaprep_events", state="acked") == 0
    assert value("swaprep_files", status="parsed") == 1
    assert value("swaprep_dead_letters", queue="validate") == 1
    assert value("swaprep_alerts_open", severity="warning", status="open") == 0
    assert value("swaprep_submissions_total", outcome="accepted") == 0

    status, text, _ = api("GET", "/api/metrics", token=people["bob"])
    beta_got = samples(text)
    assert {dict(labels)["tenant"] for _, labels in beta_got} == {"beta-securities"}
    key = ("swaprep_alerts_open", (("severity", "warning"), ("status", "open"),
                                   ("tenant", "beta-securities")))
    assert beta_got[key] == 1
    assert beta_got[("swaprep_events", (("state", "invalid"), ("tenant", "beta-securities")))] == 0
    assert api("GET", "/api/metrics")[0] == 401

"""Schemathesis against the served spec, through the real authorizer and api actions in process
(a WSGI app around them) on a seeded tenant with an admin's token: no operation may answer 5xx,
a status the spec does not list, or a body or headers that break the spec.

Examples are bounded per operation (EXAMPLES) and derandomised, so a run takes about a minute
and a failure reproduces; SWAPREP_SCHEMATHESIS_EXAMPLES raises the count for a deeper run.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from shared.platform.config import Config
from shared.services import bootstrap
from tests.functional.api.test_security_matrix import api, pipeline, store, tenant, world

pytestmark = pytest.mark.functional
__all__ = ["api", "pipeline", "store", "tenant", "world"]  # fixtures this module uses
EXAMPLES = int(os.environ.get("SWAPREP_SCHEMATHESIS_EXAMPLES", "12"))
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance,
          response_headers_conformance]


def credential_for(operation) -> dict[str, str]:
    kind = operation.definition.raw.get("x-credential")
    return {"x-api-key": "fep"} if kind == "api_key" else {"authorization": "alice"}


def fuzz(operation, headers: dict[str, str]):
    """A hypothesis test of one operation: every example called and checked."""

    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    def run(case) -> None:
        case.headers = {**(case.headers or {}), **headers}
        case.call_and_validate(checks=CHECKS)

    return run


def test_no_operation_answers_5xx_or_breaks_the_spec(api, world, store):
    config = Config({})  # every bucket, so that /api/health is 200 (503 means a fault)
    store.ensure_buckets([config.bucket(name) for name in bootstrap.logical_buckets()])
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", api.wsgi)
    tokens = {"alice": f"Bearer {world.tokens['alice']}", "fep": world.tokens["fep"]}
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 40

    for operation in operations:
        headers = {name: tokens[value] for name, value in credential_for(operation).items()}
        try:
            fuzz(operation, headers)()
        except (Exception, BaseExceptionGroup) as exc:  # each operation's first failure
            failures.append(f"{operation.method.upper()} {operation.path}: "
                            f"{str(exc).strip()[:1500]}")
    assert not failures, "\n\n".join(failures)

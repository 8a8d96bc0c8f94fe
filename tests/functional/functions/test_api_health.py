"""`GET /api/health` through the real api action against real PostgreSQL and the S3 API."""

import json

import pytest

from shared.adapters.objectstore import ObjectStore
from shared.adapters.queue import OutgoingMessage
from shared.adapters.queue.postgres import PostgresQueue
from shared.platform.config import Config
from swaprep.local.postgres import free_port
from tests.support.actions import load_main

pytestmark = pytest.mark.functional

BUCKETS = {"bucket_inbound": "h-inbound", "bucket_outbound": "h-outbound",
           "bucket_feedback": "h-feedback"}


def _params(database_url, s3_endpoint):
    return {"database_url": database_url, "s3_endpoint_url": s3_endpoint,
            "s3_access_key_id": "testing", "s3_secret_access_key": "testing", **BUCKETS}


def _get_health(params):
    main = load_main("api")
    result = main({**params, "__ow_method": "get", "__ow_path": "/api/health",
                   "__ow_headers": {"x-request-id": "health-1"}})
    return result["statusCode"], json.loads(result["body"]), result["headers"]


@pytest.fixture
def healthy(database_url, s3_clean, db):
    ObjectStore.from_config(Config(_params(database_url, s3_clean))).ensure_buckets(
        BUCKETS.values())
    return _params(database_url, s3_clean)


def test_health_reports_every_component_and_queue_depths(healthy, db, two_tenants):
    PostgresQueue(db).send("process", [OutgoingMessage({"file_id": "f"}, tenant_id=two_tenants[0])
                                       for _ in range(3)])
    status, body, headers = _get_health(healthy)
    assert status == 200 and body["status"] == "ok"
    assert headers["X-Request-Id"] == "health-1"
    components = body["components"]
    assert components["database"]["rls_enforced"] is True
    assert components["object_store"]["buckets"] == {"inbound": "ok", "outbound": "ok",
                                                     "feedback": "ok"}
    process = next(q for q in components["queues"]["queues"] if q["queue"] == "process")
    assert (process["visible"], process["in_flight"], process["dead_letters"]) == (3, 0, 0)
    assert process["oldest_age_s"] is not None


def test_a_missing_bucket_makes_health_degraded(healthy, s3_clean):
    status, body, _ = _get_health({**healthy, "bucket_feedback": "never-created"})
    assert status == 503 and body["components"]["object_store"]["buckets"]["feedback"] == "missing"


def test_unreachable_object_store_is_reported_down_not_crashed(healthy):
    status, body, _ = _get_health({**healthy, "s3_endpoint_url": f"http://127.0.0.1:{free_port()}"})
    assert status == 503 and body["status"] == "degraded"
    assert body["components"]["object_store"]["status"] == "down"
    assert body["components"]["database"]["status"] == "ok"


def test_unreachable_database_is_reported_down_without_leaking_the_password(healthy):
    dead = f"postgresql://swaprep:s3cret-pw@127.0.0.1:{free_port()}/swaprep?connect_timeout=1"
    status, body, _ = _get_health({**healthy, "database_url": dead})
    assert status == 503 and body["components"]["database"]["status"] == "down"
    assert body["components"]["queues"] == {"status": "down", "error": "database is down"}
    assert "s3cret-pw" not in json.dumps(body)

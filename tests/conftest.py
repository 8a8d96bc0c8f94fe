"""Fixtures shared by every test layer: real PostgreSQL and a real S3 API on loopback."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from pathlib import Path

import pytest
import requests

from shared.adapters.db import Database
from tests.support import session_clock
from tests.support.servers import PostgresForTests, moto_server

# NCP's Object Storage has no ListObjectsV2: any call to it, from any client, fails the test.
pytest_plugins = ["tests.support.s3_guard"]

os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "kr-standard")


def pytest_configure(config: pytest.Config) -> None:
    instant = session_clock.start()  # SWAPREP_TEST_NOW: the whole session at that instant
    if instant is not None:
        config.stash[_SESSION_INSTANT] = instant


def pytest_unconfigure(config: pytest.Config) -> None:
    session_clock.stop()


def pytest_report_header(config: pytest.Config) -> str | None:
    instant = config.stash.get(_SESSION_INSTANT, None)
    return f"clock pinned at {instant.isoformat()} ({session_clock.NOW_VARIABLE})" \
        if instant else None


_SESSION_INSTANT = pytest.StashKey()


@pytest.fixture(scope="session")
def postgres() -> PostgresForTests:
    # Not under pytest's tmp dir: that is private to us (0700), and the server may run as the
    # unprivileged `postgres` user, which must be able to reach its data directory.
    base = Path(tempfile.mkdtemp(prefix="swaprep-test-pg-"))
    os.chmod(base, 0o755)
    server = PostgresForTests(base, env=session_clock.postgres_env())
    yield server
    server.stop()
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def database_url(postgres) -> str:
    """A fresh, migrated database for this test, reached as a non-superuser role."""
    url = postgres.create_database()
    yield url
    postgres.drop_database(url)


@pytest.fixture
def db(database_url) -> Database:
    database = Database(database_url, max_size=8)
    yield database
    database.close()


@pytest.fixture
def two_tenants(db) -> tuple[uuid.UUID, uuid.UUID]:
    with db.system() as conn:
        rows = conn.execute(
            "INSERT INTO tenants (slug, name) VALUES ('alpha-bank', 'Alpha Bank'),"
            " ('beta-securities', 'Beta Securities') RETURNING id"
        ).fetchall()
    return rows[0]["id"], rows[1]["id"]


@pytest.fixture(scope="session")
def s3_endpoint() -> str:
    with moto_server() as endpoint:
        yield endpoint


@pytest.fixture
def s3_clean(s3_endpoint) -> str:
    """The S3 endpoint, emptied before the test."""
    requests.post(f"{s3_endpoint}/moto-api/reset", timeout=10).raise_for_status()
    return s3_endpoint


@pytest.fixture
def reporting_clock():
    """Pins the code's clock to the instant the pipeline fixture rows are reported at
    (tests/functional/services/pipeline_support.py), ticking on in real time from there."""
    from shared.platform import clock
    from tests.functional.services.pipeline_support import REPORTING_NOW

    with clock.pinned(REPORTING_NOW) as pinned:
        yield pinned

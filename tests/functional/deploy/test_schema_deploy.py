"""The schema's migrations reach the database through the deployed `migrate` action, invoked
over Cloud Functions' Post Action API (the deploy never connects to Cloud DB, which takes the
functions subnet only): a plan that shows them owed, an apply that runs the deployed zip and
applies them, a plan with nothing pending, a changed applied migration refused by name, and a
destroy that leaves the tables alone."""

from __future__ import annotations

import shutil
import textwrap
import uuid
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from shared.adapters.db.migrations import available
from swaprep.local.deployed import DeployedRunner
from swaprep.ncp.controlplane import ControlPlane
from tests.functional.deploy.support import run_deploy, target, write_env
from tests.support.servers import APP_PASSWORD, APP_ROLE

pytestmark = pytest.mark.functional

ROOT = Path(__file__).resolve().parents[3]
ACCESS_KEY, SECRET_KEY = "LOCAL-AK-1234", "local-secret-key-5678"
ENVIRON = {"T_NCP_ACCESS_KEY": ACCESS_KEY, "T_NCP_SECRET_KEY": SECRET_KEY}
HEAD = f"{available()[-1].version:04d}_{available()[-1].name}"


@pytest.fixture
def empty_database(postgres):
    name = f"t_empty_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(postgres.admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(
            sql.Identifier(name), sql.Identifier(APP_ROLE)))
    url = postgres.server.url(name, APP_ROLE, APP_PASSWORD)
    yield url
    postgres.drop_database(url)


def test_the_deploy_migrates_the_database_through_the_deployed_migrate_action(
        tmp_path, empty_database):
    runner = DeployedRunner(tmp_path / "invoked")
    with ControlPlane(tmp_path / "ncp" / "state.json", ACCESS_KEY, SECRET_KEY,
                      invoker=runner) as plane:
        root = tmp_path / "checkout"
        shutil.copytree(ROOT / "functions" / "migrate", root / "functions" / "migrate")
        write_env(root, "t", target(plane.url) + textwrap.dedent(f"""\
            [parameters]
            database_url = "{empty_database}"
            """))

        def deploy(*args: str) -> tuple[int, str]:
            return run_deploy(root, "t", *args, environ=ENVIRON)

        code, planned = deploy("plan")
        assert code == 2 and "+ action migrate (create)" in planned
        lines = planned.splitlines()
        assert lines.index("+ action migrate (create)") < lines.index(
            "+ schema swaprep (create)")
        code, applied = deploy("apply", "--yes")
        assert code == 0, applied
        assert f"migrations applied: 0001_{available()[0].name}" in applied
        assert HEAD in applied
        with psycopg.connect(empty_database) as conn:
            versions = [v for (v,) in conn.execute(
                "SELECT version FROM schema_migrations ORDER BY version")]
        assert versions == [m.version for m in available()]
        assert deploy("plan")[0] == 0

        # The ledger says the last migration is owed again, and an applied one was edited
        # since: the action refuses, and the deploy says which migration and what to do.
        last = available()[-1].version
        with psycopg.connect(empty_database, autocommit=True) as conn:
            conn.execute("DELETE FROM schema_migrations WHERE version = %s", (last,))
            conn.execute("UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1")
        code, planned = deploy("plan")
        assert code == 2 and "~ schema swaprep\n    applied_through:" in planned
        assert f"-> '{HEAD}'" in planned
        code, refused = deploy("apply", "--yes")
        assert code == 1
        assert f"migration 0001_{available()[0].name} was changed after it was applied" \
            in refused and "add a new migration instead" in refused

        with psycopg.connect(empty_database, autocommit=True) as conn:
            conn.execute("UPDATE schema_migrations SET checksum = %s WHERE version = 1",
                         (available()[0].checksum,))
            conn.execute("INSERT INTO schema_migrations (version, name, checksum) "
                         "VALUES (%s, %s, %s)", (last, available()[-1].name,
                                                  available()[-1].checksum))
        code, removed = deploy("destroy", "--yes")
        assert code == 0 and "- action migrate (delete)" in removed
        assert "schema" not in removed  # the tables and their data stay
        with psycopg.connect(empty_database) as conn:
            assert conn.execute("SELECT count(*) FROM schema_migrations").fetchone()[0] == \
                len(available())
    runner.stop()

"""The migrate action against real PostgreSQL: `status` reports the ledger without changing
it, `apply` on an up-to-date database applies nothing, and a wrong command or a missing
database URL is an error result naming what is wrong (what `swaprep deploy` shows)."""

import json
from pathlib import Path

import pytest

from shared.adapters.db.migrations import available
from tests.support.actions import load_main

pytestmark = pytest.mark.functional

ROOT = Path(__file__).resolve().parents[3]
HEAD = f"{available()[-1].version:04d}_{available()[-1].name}"


def test_status_and_apply_on_an_up_to_date_database(database_url):
    main = load_main("migrate")
    event = json.loads((ROOT / "events" / "migrate.status.json").read_text())
    status = main({**event, "database_url": database_url})
    assert set(status.pop("cost")) == {"cpu_ms", "statements"}  # what the activation cost
    assert status == {"command": "status", "applied_now": [], "applied_through": HEAD,
                      "pending": []}
    applied = main({"command": "apply", "database_url": database_url})
    assert applied["applied_now"] == [] and applied["applied_through"] == HEAD


def test_a_wrong_command_or_no_database_is_an_error_naming_it(database_url, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)  # Config's fallback for the parameter
    main = load_main("migrate")
    assert "unknown command 'drop'" in main({"command": "drop",
                                             "database_url": database_url})["error"]
    assert "database_url" in main({"command": "status"})["error"]

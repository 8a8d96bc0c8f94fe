"""A transaction PostgreSQL aborted as a deadlock victim is run again; other errors are not."""

from __future__ import annotations

import psycopg.errors
import pytest

from shared.adapters.db.database import retry_transaction


def _flaky(failures: list[Exception], result: str = "applied"):
    calls = []

    def work() -> str:
        calls.append(len(calls))
        if failures:
            raise failures.pop(0)
        return result

    return work, calls


def test_a_deadlock_victim_is_run_again_until_it_commits():
    pauses: list[float] = []
    work, calls = _flaky([psycopg.errors.DeadlockDetected("deadlock detected"),
                          psycopg.errors.SerializationFailure("could not serialize")])
    assert retry_transaction(work, sleep=pauses.append) == "applied"
    assert len(calls) == 3 and len(pauses) == 2 and pauses[1] > 0


def test_it_gives_up_after_its_attempts_with_the_last_error():
    work, calls = _flaky([psycopg.errors.DeadlockDetected(f"deadlock {n}") for n in range(5)])
    with pytest.raises(psycopg.errors.DeadlockDetected, match="deadlock 3"):
        retry_transaction(work, attempts=4, sleep=lambda s: None)
    assert len(calls) == 4


def test_other_errors_are_not_retried():
    work, calls = _flaky([psycopg.errors.UniqueViolation("duplicate key")])
    with pytest.raises(psycopg.errors.UniqueViolation):
        retry_transaction(work, sleep=lambda s: None)
    assert len(calls) == 1

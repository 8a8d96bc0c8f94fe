"""The cron sweep keeps work moving and says honestly what it could and could not do."""

import pytest

from shared.adapters.queue import OutgoingMessage
from shared.adapters.queue.policy import RetryPolicy
from shared.adapters.queue.postgres import PostgresQueue
from shared.services.monitor import sweep_queues

pytestmark = pytest.mark.functional


class Invoker:
    """Stands in for the platform's invoke API: starts only the actions it knows."""

    def __init__(self, known):
        self.known, self.calls = set(known), []

    def invoke_async(self, action, params):
        self.calls.append((action, params))
        return f"act-{action}" if action in self.known else None


def test_queued_work_wakes_its_consumer_and_empty_queues_do_not(db, two_tenants):
    queue = PostgresQueue(db)
    queue.send("validate", [OutgoingMessage({"event_id": "e1"}, tenant_id=two_tenants[0])])
    invoker = Invoker(known={"validate"})
    result = sweep_queues(db=db, queue=queue, invoker=invoker)
    assert result["woken"] == ["validate"] and result["not_woken"] == []
    assert invoker.calls == [("validate", {"queue": "validate"})]


def test_a_wake_up_that_did_not_start_is_reported_as_not_woken(db, two_tenants):
    queue = PostgresQueue(db)
    queue.send("process", [OutgoingMessage({"file_id": "f1"}, tenant_id=two_tenants[0])])
    result = sweep_queues(db=db, queue=queue, invoker=Invoker(known=()))
    assert result["woken"] == [] and result["not_woken"] == ["process"]


def test_dead_letters_raise_one_deduplicated_critical_alert(db, two_tenants):
    queue = PostgresQueue(db, policy=RetryPolicy(max_receives=1))
    queue.send("submit", [OutgoingMessage({"report_file_id": "r1"}, tenant_id=two_tenants[0])])
    [message] = queue.receive("submit", 1, 30)
    queue.retry(message, "TR returned 503")
    for _ in range(2):
        result = sweep_queues(db=db, queue=queue, invoker=Invoker(known=()))
    assert result["dead_letters"] == {"submit": 1}
    with db.system() as conn:
        alerts = conn.execute("SELECT kind, severity, occurrences, summary FROM alerts").fetchall()
    assert len(alerts) == 1
    assert alerts[0]["kind"] == "queue.dead_letters" and alerts[0]["severity"] == "critical"
    assert alerts[0]["occurrences"] == 2 and "redrive" in alerts[0]["summary"]

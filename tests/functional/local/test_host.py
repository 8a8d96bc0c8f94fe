"""The function host: containers, warm reuse, limits, errors, parameters, records, invoke API."""

from __future__ import annotations

import threading
import time

import pytest
import requests

from swaprep.local.host import ParametersTooLarge, UnknownAction, fetch_activations
from swaprep.local.invoke_api import InvokeServer
from tests.functional.local.conftest import wait_for_activations

pytestmark = pytest.mark.functional


def _record(host, db, activation_id: str) -> dict:
    assert host.flush_records(), "activation records were not written within 10 s"
    rows = fetch_activations(db, activation_id=activation_id, limit=1)
    assert rows, f"no activation record {activation_id}"
    return rows[0]


def test_warm_container_keeps_module_globals(host, db):
    first = host.run("counter")
    second = host.run("counter")
    assert (first.status, first.cold_start, first.result["count"]) == ("success", True, 1)
    assert (second.status, second.cold_start, second.result["count"]) == ("success", False, 2)
    assert second.result["pid"] == first.result["pid"]
    # The cold start's import-time output belongs to the first activation only.
    assert any("cold start: importing counter" in line for line in first.logs)
    assert not any("cold start" in line for line in second.logs)
    assert _record(host, db, first.id)["cold_start"] is True
    record = _record(host, db, second.id)
    assert (record["status"], record["cold_start"], record["result"]) == (
        "success", False, second.result,
    )
    assert record["duration_ms"] >= 0 and record["ended_at"] >= record["started_at"]


def test_concurrent_activation_gets_a_second_container(host):
    results = []
    threads = [
        threading.Thread(target=lambda: results.append(host.run("counter", {"hold": 0.4})))
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert {a.status for a in results} == {"success"}
    assert len({a.result["pid"] for a in results}) == 2
    assert all(a.cold_start for a in results)
    assert host.pool_counts("counter") == {"idle": 2, "busy": 0}


def test_timeout_kills_the_container_and_the_next_run_is_cold(host, db):
    warm = host.run("sleepy", {"seconds": 0})
    started = time.monotonic()
    timed_out = host.run("sleepy")
    elapsed = time.monotonic() - started
    assert timed_out.status == "timeout"
    assert timed_out.error == "The action exceeded its time limits of 1000 milliseconds."
    assert timed_out.result == {"error": timed_out.error}
    assert 0.9 < elapsed < 3.0
    assert any("going to sleep" in line for line in timed_out.logs)
    assert any("stderr: a line on stderr" in line for line in timed_out.logs)
    after = host.run("sleepy", {"seconds": 0})
    assert (after.status, after.cold_start) == ("success", True)
    assert after.result["pid"] != warm.result["pid"]
    record = _record(host, db, timed_out.id)
    assert (record["status"], record["error"]) == ("timeout", timed_out.error)
    assert "going to sleep" in record["logs"]


def test_parameters_above_1mb_are_refused_before_running(host, db):
    with pytest.raises(ParametersTooLarge, match=r"Request larger than allowed: \d+ > 1048576"):
        host.run("echo", {"blob": "x" * 1_048_576})
    with pytest.raises(UnknownAction):
        host.run("no_such_action")
    host.flush_records()
    assert fetch_activations(db, action="echo") == []  # refused: no activation, as OpenWhisk


def test_result_above_1mb_is_replaced_by_an_error(host, db):
    big = host.run("big_result", {"size": 2_000_000})
    assert big.status == "developer_error"
    assert big.error == (
        "The action produced a response that exceeded the allowed length: "
        "2000012 > 1048576 bytes."
    )
    assert big.result == {"error": big.error}
    small = host.run("big_result", {"size": 1000})
    assert small.status == "success" and len(small.result["data"]) == 1000
    assert small.cold_start is False  # an oversized result does not cost the container


def test_exception_becomes_error_result_with_traceback_in_logs(host, db):
    failed = host.run("crasher", {"detail": "bad row 7"})
    assert failed.status == "application_error"
    assert failed.result == {"error": "boom: bad row 7"}
    logs = "\n".join(failed.logs)
    assert "Traceback (most recent call last)" in logs
    assert "ValueError: boom: bad row 7" in logs
    assert "stderr:" in logs
    record = _record(host, db, failed.id)
    assert record["status"] == "application_error"
    assert "ValueError: boom: bad row 7" in record["logs"]
    # The container survived the exception and is reused.
    assert host.run("crasher", {"mode": "error-result"}).cold_start is False


def test_other_failures_follow_openwhisk(host):
    declined = host.run("crasher", {"mode": "error-result"})
    assert declined.status == "application_error"
    assert declined.result == {"error": {"code": "E1", "message": "declined"}}
    not_a_dict = host.run("crasher", {"mode": "list"})
    assert not_a_dict.status == "developer_error"
    assert not_a_dict.error == "The action did not produce a valid JSON response: [1, 2, 3]"
    died = host.run("crasher", {"mode": "exit"})
    assert died.status == "developer_error"
    assert died.error == "The action did not produce a valid response and exited unexpectedly."
    assert any("exiting hard" in line for line in died.logs)
    assert host.run("crasher", {"mode": "list"}).cold_start is True


def test_parameter_precedence_and_launcher_environment(host):
    only_action = host.run("echo")
    args = only_action.result["args"]
    assert args["layer"] == "action"  # action > package
    assert args["from_package"] is True and args["from_action"] is True
    by_trigger = host.run("echo", trigger_params={"layer": "trigger", "t": 1})
    assert by_trigger.result["args"]["layer"] == "trigger"  # trigger > action
    by_invocation = host.run(
        "echo", {"layer": "invocation"}, trigger_params={"layer": "trigger", "t": 1}
    )
    args = by_invocation.result["args"]
    assert args["layer"] == "invocation" and args["t"] == 1  # invocation > trigger

    env = by_invocation.result["env"]
    assert env["__OW_ACTIVATION_ID"] == by_invocation.id
    assert env["__OW_ACTION_NAME"] == "/swaprep/echo"
    assert env["__OW_NAMESPACE"] == "swaprep"
    assert len(env["__OW_TRANSACTION_ID"]) == 32
    deadline_ms = int(env["__OW_DEADLINE"])
    now_ms = time.time() * 1000
    assert now_ms < deadline_ms <= now_ms + 10_000  # echo's timeout is 10 s


def test_running_record_is_written_at_start(host, db):
    activation_id = host.submit("counter", {"hold": 0.5}, trigger="test")
    record = _record(host, db, activation_id)
    assert (record["status"], record["trigger"], record["ended_at"]) == ("running", "test", None)
    assert host.is_running("counter")
    assert host.wait_idle(5.0)
    done = wait_for_activations(db, "counter")[0]
    assert (done["id"], done["status"]) == (activation_id, "success")


def test_invoke_api(host, db):
    server = InvokeServer(host, "s3cret-token").start()
    try:
        auth = {"Authorization": "Bearer s3cret-token"}
        url = f"{server.url}/invoke/echo"
        accepted = requests.post(f"{url}?blocking=false", json={"n": 1}, headers=auth, timeout=10)
        assert accepted.status_code == 202
        activation_id = accepted.json()["activationId"]
        assert host.wait_idle(5.0)
        record = requests.get(
            f"{server.url}/activations/{activation_id}", headers=auth, timeout=10
        ).json()
        assert record["status"] == "success" and record["result"]["args"]["n"] == 1
        assert _record(host, db, activation_id)["trigger"] == "invoke"

        blocking = requests.post(f"{url}?blocking=true", json={"n": 2}, headers=auth, timeout=10)
        assert blocking.status_code == 200
        body = blocking.json()
        assert body["status"] == "success" and body["result"]["args"]["n"] == 2
        assert any("echo called" in line for line in body["logs"])

        assert requests.post(url, json={}, timeout=10).status_code == 401
        wrong = {"Authorization": "Bearer nope"}
        assert requests.post(url, json={}, headers=wrong, timeout=10).status_code == 401
        missing = requests.post(f"{server.url}/invoke/ghost", json={}, headers=auth, timeout=10)
        assert missing.status_code == 404
        not_object = requests.post(url, data=b"[1]", headers=auth, timeout=10)
        assert not_object.status_code == 400
        too_big = requests.post(url, json={"b": "x" * 1_100_000}, headers=auth, timeout=10)
        assert too_big.status_code == 413
        assert "Request larger than allowed" in too_big.json()["error"]
    finally:
        server.stop()

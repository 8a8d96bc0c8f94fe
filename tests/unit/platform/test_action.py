"""The action wrapper: context from the platform, errors become results, never silence."""

import json

from shared.platform.action import action, web_action
from shared.platform.web import HttpError, response


def test_basic_action_gets_activation_context_from_platform_env(monkeypatch):
    monkeypatch.setenv("__OW_ACTIVATION_ID", "act-123")
    monkeypatch.setenv("__OW_ACTION_NAME", "/ns/swaprep/ingest")
    monkeypatch.setenv("__OW_DEADLINE", "4102444800000")  # 2100-01-01

    @action("ingest")
    def main(args, ctx):
        return {"activation": ctx.activation_id, "action": ctx.action,
                "deadline": ctx.deadline_epoch_s, "db": ctx.config.get("database_url")}

    result = main({"database_url": "postgresql://x"})
    assert result.pop("cost")["statements"] == 0
    assert result == {
        "activation": "act-123", "action": "ingest", "deadline": 4102444800.0,
        "db": "postgresql://x"}


def test_the_record_says_what_the_activation_cost_cpu_and_statements(capsys):
    from shared.platform.cost import Statements

    @action("process")
    def main(args, ctx):
        Statements.add(3)  # as the database adapter's cursor does per statement
        sum(i * i for i in range(200_000))  # some CPU
        return {"rows": 1}

    result = main({})
    assert result["rows"] == 1
    assert result["cost"]["statements"] == 3
    assert result["cost"]["cpu_ms"] > 0
    assert '"statements": 3' in capsys.readouterr().out  # in the "action finished" line too


def test_exception_becomes_error_result_with_traceback_in_log_and_no_secret(capsys):
    @action("explode")
    def main(args, ctx):
        raise RuntimeError("cannot reach postgresql://app:hunter2@db:5432/swaprep")

    result = main({})
    assert result == {"error": "RuntimeError: cannot reach postgresql://app:***@db:5432/swaprep"}
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line]
    failure = next(line for line in lines if line["msg"] == "action failed")
    assert "Traceback" in failure["exception"] and "hunter2" not in json.dumps(lines)
    assert failure["action"] == "explode" and failure["level"] == "ERROR"


def test_web_action_maps_http_errors_and_crashes_to_problem_responses():
    @web_action("api")
    def main(request, ctx):
        if request.path == "/api/missing":
            raise HttpError(404, "Not found")
        if request.path == "/api/crash":
            raise ValueError("boom")
        return response(200, {"ok": True})

    base = {"__ow_method": "get", "__ow_headers": {"x-request-id": "rid-1"}}
    ok = main({**base, "__ow_path": "/api/ok"})
    assert ok["statusCode"] == 200 and ok["headers"]["X-Request-Id"] == "rid-1"
    missing = main({**base, "__ow_path": "/api/missing"})
    assert missing["statusCode"] == 404
    crash = main({**base, "__ow_path": "/api/crash"})
    assert crash["statusCode"] == 500
    doc = json.loads(crash["body"])
    assert doc["request_id"] == "rid-1" and "boom" not in crash["body"]

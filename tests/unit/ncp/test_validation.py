"""The documented limits of Cloud Functions v2 requests, and the words of the refusals."""

from __future__ import annotations

import zipfile
from typing import Any

import pytest

from swaprep.ncp import validation as v
from swaprep.ncp.switches import Switches
from tests.unit.ncp.zips import action_body, action_zip, b64, zip_of_size

SWITCHES = Switches()
SECRET = "db-password-Xq7!never-print"


def refused(call: Any, *args: Any, **kwargs: Any) -> v.Refusal:
    with pytest.raises(v.Refusal) as caught:
        call(*args, **kwargs)
    return caught.value


def action(body: dict[str, Any], action_type: str = "basic", platform: str = "vpc",
           switches: Switches = SWITCHES) -> v.ActionSpec:
    return v.validate_action_body(body, action_type, platform, switches)


# -- names ------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["a", "swaprep", "ingest_v2", "x" * 50, "A-1_b", "_x"])
def test_names_that_pass(name: str) -> None:
    v.check_name("actionName", name)


@pytest.mark.parametrize("name, reason", [
    ("", "1 to 50 characters"), ("x" * 51, "1 to 50 characters (got 51)"),
    ("-lead", "must not start with '-'"), ("has space", "letters, digits"),
    ("dot.ted", "letters, digits"), ("한글", "letters, digits"), ("a/b", "letters, digits"),
])
def test_names_that_fail_say_which_field_and_why(name: str, reason: str) -> None:
    refusal = refused(v.check_name, "triggerName", name)
    assert refusal.status == 400
    assert refusal.message.startswith("triggerName ")
    assert reason in refusal.message


def test_dash_means_no_package_for_actions_but_cannot_be_created() -> None:
    v.check_package_name("-", allow_no_package=True)
    assert "no package" in refused(v.check_package_name, "-", allow_no_package=False).message


# -- limits -----------------------------------------------------------------------------------

@pytest.mark.parametrize("memory", v.MEMORY_CHOICES_MB)
def test_every_documented_memory_size_passes(memory: int) -> None:
    assert action(action_body(memory=memory)).memory == memory


@pytest.mark.parametrize("memory", [64, 200, 2048, True, "256", None])
def test_other_memory_sizes_fail(memory: Any) -> None:
    body = action_body()
    body["limits"] = {"memory": memory, "timeout": 60_000}
    refusal = refused(action, body)
    assert refusal.message.startswith("limits.memory ")
    if memory is not None:
        assert "must be one of 128, 256, 512, 1024" in refusal.message


@pytest.mark.parametrize("timeout, ok", [(500, True), (300_000, True), (60_000, True),
                                         (499, False), (300_001, False), (0, False),
                                         (1.5, False), (False, False)])
def test_timeout_range(timeout: Any, ok: bool) -> None:
    body = action_body(timeout=timeout)
    if ok:
        assert action(body).timeout == timeout
    else:
        refusal = refused(action, body)
        assert refusal.message.startswith("limits.timeout must be 500 to 300000 milliseconds")


def test_limits_are_required_for_basic_and_web_actions() -> None:
    body = action_body()
    del body["limits"]
    assert refused(action, body).message.startswith("limits ")


def test_description_is_counted_in_bytes() -> None:
    assert action(action_body(description="가" * 1000)).description  # 3000 bytes
    refusal = refused(action, action_body(description="가" * 1000 + "x"))
    assert "at most 3000 bytes (got 3001)" in refusal.message


# -- runtimes ---------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", sorted(v.KNOWN_KINDS - {"python:3.13"}))
def test_other_documented_runtimes_pass_without_the_python_layout(kind: str) -> None:
    body = action_body(action_zip({"index.js": "exports.main = () => ({})"}))
    body["exec"]["kind"] = kind  # type: ignore[index]
    assert action(body).kind == kind


@pytest.mark.parametrize("kind", ["python:3.11", "python3", "python:3.14", "blackbox", ""])
def test_unknown_runtimes_fail(kind: str) -> None:
    body = action_body()
    body["exec"]["kind"] = kind  # type: ignore[index]
    assert refused(action, body).message.startswith("exec.kind ")


# -- zips -------------------------------------------------------------------------------------

def test_a_zip_with_main_and_a_proper_virtualenv_passes() -> None:
    data = action_zip({"__main__.py": "def main(a): return a",
                       "virtualenv/bin/activate_this.py": "# made by virtualenv",
                       "virtualenv/lib/python3.13/site-packages/x.py": ""})
    assert action(action_body(data)).zip_bytes == data


@pytest.mark.parametrize("files, reason", [
    ({"main.py": "x"}, "no __main__.py at its root"),
    ({"pkg/__main__.py": "x"}, "no __main__.py at its root"),
    ({"__main__.py": "x", "virtualenv/bin/activate": ""},
     "without virtualenv/bin/activate_this.py"),
    ({"__main__.py": "x", "../evil.py": ""}, "points outside the action folder"),
    ({"__main__.py": "x", "/etc/cron.d/x": ""}, "points outside the action folder"),
])
def test_zips_without_the_python_layout_fail(files: dict[str, str], reason: str) -> None:
    refusal = refused(action, action_body(action_zip(files)))
    assert refusal.message.startswith("exec.code ") and reason in refusal.message


def test_not_base64_or_not_a_zip_or_corrupt_fail() -> None:
    body = action_body()
    body["exec"]["code"] = "not base64!"  # type: ignore[index]
    assert "base64 of the zip" in refused(action, body).message
    assert "not a valid zip" in refused(action, action_body(b"PK\x03\x04 nonsense")).message
    data = bytearray(action_zip({"__main__.py": "x" * 200}))
    data[40] ^= 0xFF  # inside the compressed entry: the CRC no longer matches
    message = refused(action, action_body(bytes(data))).message
    assert "corrupt" in message or "not a valid zip" in message


def test_inline_source_becomes_a_zip_with_main() -> None:
    body = action_body()
    body["exec"] = {"kind": "python:3.13", "code": "def main(a):\n    return a\n"}
    spec = action(body)
    assert spec.binary is False and spec.zip_bytes is not None
    with zipfile.ZipFile(__import__("io").BytesIO(spec.zip_bytes)) as archive:
        assert archive.namelist() == ["__main__.py"]


def test_zip_size_limit_at_the_boundary(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(v, "MAX_ZIP_BYTES", 1_000)
    assert len(v.decode_zip(b64(zip_of_size(1_000)))) == 1_000
    refusal = refused(v.decode_zip, b64(zip_of_size(1_001)))
    assert refusal.message == ("exec.code holds a 1001-byte zip; at most 1000 bytes before "
                               "base64 encoding")
    for size in (998, 999, 1_000, 1_001, 1_002):  # every base64 padding case sizes right
        data = zip_of_size(size)
        if size <= 1_000:
            assert v.decode_zip(b64(data)) == data
        else:
            assert f"holds a {size}-byte zip" in refused(v.decode_zip, b64(data)).message
    assert v.max_request_bytes() == 4 * 334 + v.REQUEST_OVERHEAD_BYTES


def test_the_real_limit_is_38_mb() -> None:
    assert v.MAX_ZIP_BYTES == 38_000_000


# -- action types -----------------------------------------------------------------------------

def test_raw_http_and_custom_options_only_on_web_actions() -> None:
    assert action(action_body(**{"raw-http": True}), "web").raw_http is True
    refusal = refused(action, action_body(**{"raw-http": True}), "basic")
    assert refusal.message.startswith("raw-http can be true only for web actions")
    assert refused(action, action_body(**{"custom-options": True})).message.startswith(
        "custom-options ")
    assert refused(action, action_body(web=True), "basic").message.startswith("web ")


def test_sequences_name_their_components() -> None:
    spec = action({"exec": {"kind": "sequence", "components": ["p/a", "p/b"]}}, "sequence")
    assert spec.components == ("p/a", "p/b") and spec.zip_bytes is None
    refusal = refused(action, {"exec": {"kind": "sequence", "components": []}}, "sequence")
    assert refusal.message.startswith("exec.components ")


def test_unknown_fields_are_refused_by_name() -> None:
    assert refused(action, action_body(memorySize=256)).message.startswith("memorySize ")
    body = action_body()
    body["limits"] = {"memory": 256, "timeout": 60_000, "concurrency": 2}
    assert refused(action, body).message.startswith("limits.concurrency ")


def test_refusals_never_repeat_parameter_values() -> None:
    body = action_body(memory=300, parameters={"db_password": SECRET})
    refusal = refused(action, body)
    assert SECRET not in refusal.message and SECRET not in str(refusal.body())


# -- triggers ---------------------------------------------------------------------------------

@pytest.mark.parametrize("expression", ["* * * * *", "*/5 * * * *", "0 9 * * 1-5",
                                        "  0   0 1 * *  "])
def test_cron_expressions_with_five_fields_pass(expression: str) -> None:
    assert len(v.check_cron(expression).split(" ")) == 5


@pytest.mark.parametrize("expression, reason", [
    ("* * * * * *", "must have 5 fields"), ("* * * *", "must have 5 fields"),
    ("61 * * * *", "not a valid crontab"), ("", "is required"), (None, "is required"),
])
def test_other_cron_expressions_fail(expression: Any, reason: str) -> None:
    refusal = refused(v.check_cron, expression)
    assert refusal.message.startswith("cronOption ") and reason in refusal.message


def test_trigger_type_is_required_and_only_cron_and_object_storage_are_emulated() -> None:
    assert refused(v.trigger_type_of, {}).message.startswith("type is required")
    assert refused(v.trigger_type_of, {"type": ["timer"]}).status == 400
    assert refused(v.trigger_type_of, {"type": ["github"]}).status == 501
    assert v.trigger_type_of({"type": ["object_storage"]}) == "object_storage"


def test_link_action_body() -> None:
    assert v.link_target({"action": "ingest", "package": "swaprep"}, SWITCHES) == (
        "swaprep", "ingest")
    assert v.link_target({"action": "ingest"}, SWITCHES) == ("-", "ingest")
    assert refused(v.link_target, {"package": "p"}, SWITCHES).error is v.LINK_BODY_MISSING_FIELD
    assert refused(v.link_target, {"action": 3}, SWITCHES).error is v.LINK_BODY_INVALID_TYPE


def test_query_values() -> None:
    assert v.platform_of({}) == "vpc"
    assert refused(v.platform_of, {"platform": ["aws"]}).message.startswith("platform ")
    assert refused(v.platform_of, {"platform": ["vpc", "vpc"]}).message == (
        "platform is given more than once in the query")
    assert v.bool_query({"code": ["TRUE"]}, "code") is True
    assert refused(v.bool_query, {"code": ["yes"]}, "code").message == "code must be true or false"


def test_error_body_is_ncps_shape() -> None:
    body = refused(v.check_name, "packageName", "").body()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"errorCode", "message", "details"}
    assert body["error"]["details"] == "field: packageName"

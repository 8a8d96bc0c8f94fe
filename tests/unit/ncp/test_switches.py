"""The switches for what NCP's documents leave open: defaults, and that each one is obeyed
(the other shape refused with a 400 that names the switch)."""

from __future__ import annotations

import ast
import dataclasses
import itertools
from pathlib import Path

import pytest

from swaprep.ncp import switches as switches_module
from swaprep.ncp import validation as v
from swaprep.ncp.registry import Registry
from swaprep.ncp.state import StateStore
from swaprep.ncp.switches import DEFAULT_SWITCHES, Switches
from tests.unit.ncp.zips import action_body

VPC_ENTRY = {"vpcNo": 1234, "subnetNo": "5678"}


def refusal_of(call, *args, **kwargs) -> v.Refusal:  # type: ignore[no-untyped-def]
    with pytest.raises(v.Refusal) as caught:
        call(*args, **kwargs)
    return caught.value


def test_defaults_are_the_documented_reading() -> None:
    assert DEFAULT_SWITCHES.describe() == {
        "vpc_shape": "array",
        "trigger_body_wrapped": False,
        "object_storage_bucket_field": "bucketName",
        "object_storage_events_field": "events",
        "exec_code_base64_zip": True,
        "shared_entity_namespace": True,
        "get_action_code_by_default": False,
        "omitted_type_means_basic": True,
        "link_action_accepts_path": True,
        "invoke_result_nested": True,
    }


def test_switches_are_frozen_and_each_has_a_docstring_naming_the_gap() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEFAULT_SWITCHES.vpc_shape = "object"  # type: ignore[misc]
    tree = ast.parse(Path(switches_module.__file__).read_text(encoding="utf-8"))
    body = next(node for node in tree.body
                if isinstance(node, ast.ClassDef) and node.name == "Switches").body
    documented = {}
    for statement, following in itertools.pairwise(body):
        if isinstance(statement, ast.AnnAssign) and isinstance(following, ast.Expr):
            documented[statement.target.id] = following.value.value  # type: ignore[attr-defined]
    assert set(documented) == {field.name for field in dataclasses.fields(Switches)}
    for name, docstring in documented.items():
        assert "Doc gap:" in docstring, name


@pytest.mark.parametrize("shape, good, bad", [
    ("array", [VPC_ENTRY], VPC_ENTRY),
    ("object", VPC_ENTRY, [VPC_ENTRY]),
])
def test_vpc_shape(shape: str, good: object, bad: object) -> None:
    switches = Switches(vpc_shape=shape)  # type: ignore[arg-type]
    assert v.validate_action_body(action_body(vpc=good), "basic", "vpc", switches).vpc == good
    refusal = refusal_of(v.validate_action_body, action_body(vpc=bad), "basic", "vpc", switches)
    assert refusal.status == 400 and f"switch vpc_shape={shape}" in refusal.message
    assert "classic" not in refusal.message


def test_vpc_needs_the_vpc_platform_and_numbers() -> None:
    refusal = refusal_of(v.validate_action_body, action_body(vpc=[VPC_ENTRY]), "basic",
                         "classic", DEFAULT_SWITCHES)
    assert refusal.message == "vpc can be set only with platform=vpc"
    refusal = refusal_of(v.validate_action_body, action_body(vpc=[{"vpcNo": "x"}]), "basic",
                         "vpc", DEFAULT_SWITCHES)
    assert refusal.message.startswith("vpc[0].vpcNo ")


def test_trigger_body_wrapping() -> None:
    flat = {"cronOption": "*/5 * * * *", "parameters": {"task": "sweep"}}
    wrapped = {"trigger": flat}
    spec = v.validate_trigger_body(flat, "cron", DEFAULT_SWITCHES)
    assert spec.options == {"cronOption": "*/5 * * * *"}
    assert "switch trigger_body_wrapped=False" in refusal_of(
        v.validate_trigger_body, wrapped, "cron", DEFAULT_SWITCHES).message
    on = Switches(trigger_body_wrapped=True)
    assert v.validate_trigger_body(wrapped, "cron", on).parameters == {"task": "sweep"}
    assert "switch trigger_body_wrapped=True" in refusal_of(
        v.validate_trigger_body, {"trigger": None}, "cron", on).message
    assert refusal_of(v.validate_trigger_body, flat, "cron", on).message.startswith(
        "cronOption ")


def test_object_storage_field_names() -> None:
    body = {"bucketName": "swaprep-inbound", "events": ["ObjectCreated:PUT"]}
    spec = v.validate_trigger_body(body, "object_storage", DEFAULT_SWITCHES)
    assert spec.options == body
    guessed = {"bucket": "swaprep-inbound", "events": ["ObjectCreated:PUT"]}
    refusal = refusal_of(v.validate_trigger_body, guessed, "object_storage", DEFAULT_SWITCHES)
    assert refusal.message.startswith("bucket is not the field name this control plane expects")
    assert "object_storage_bucket_field" in refusal.message
    other = Switches(object_storage_bucket_field="bucket", object_storage_events_field="eventTypes")
    spec = v.validate_trigger_body({"bucket": "b-1", "eventTypes": ["ObjectCreated:*"]},
                                   "object_storage", other)
    assert spec.options == {"bucket": "b-1", "eventTypes": ["ObjectCreated:*"]}
    assert refusal_of(v.validate_trigger_body, body, "object_storage", other).status == 400
    assert refusal_of(v.validate_trigger_body, {"bucketName": "Bad_Bucket", "events": ["x"]},
                      "object_storage", DEFAULT_SWITCHES).message.startswith("bucketName ")


def test_exec_code_base64_zip_off_takes_inline_source_only() -> None:
    off = Switches(exec_code_base64_zip=False)
    refusal = refusal_of(v.validate_action_body, action_body(), "basic", "vpc", off)
    assert "switch exec_code_base64_zip=False" in refusal.message
    inline = action_body()
    inline["exec"] = {"kind": "python:3.13", "code": "def main(a):\n    return a\n"}
    assert v.validate_action_body(inline, "basic", "vpc", off).binary is False


def test_link_action_path_form() -> None:
    body = {"action": "swaprep/ingest", "package": "-"}
    assert v.link_target(body, DEFAULT_SWITCHES) == ("swaprep", "ingest")
    off = Switches(link_action_accepts_path=False)
    assert "switch link_action_accepts_path=False" in refusal_of(
        v.link_target, body, off).message
    assert refusal_of(v.link_target, {"action": "a/b", "package": "p"},
                      DEFAULT_SWITCHES).message.startswith("action ")


# -- switches the registry obeys ------------------------------------------------------------

def registry(tmp_path: Path, **switches: object) -> Registry:
    return Registry(StateStore(tmp_path / "state.json"), Switches(**switches))  # type: ignore[arg-type]


def test_shared_entity_namespace(tmp_path: Path) -> None:
    shared = registry(tmp_path / "shared")
    shared.put_package("ingest", "vpc", {})
    refusal = refusal_of(shared.put_trigger, "ingest", "vpc", "cron", {"cronOption": "* * * * *"})
    assert refusal.status == 409 and "already used by a package" in refusal.message
    assert refusal_of(shared.put_action, "-", "ingest", "vpc", "basic", action_body()).status == 409
    shared.put_action("ingest", "ingest", "vpc", "basic", action_body())  # inside: no clash
    separate = registry(tmp_path / "separate", shared_entity_namespace=False)
    separate.put_package("ingest", "vpc", {})
    separate.put_trigger("ingest", "vpc", "cron", {"cronOption": "* * * * *"})
    separate.put_action("-", "ingest", "vpc", "basic", action_body())


def test_get_action_code_by_default(tmp_path: Path) -> None:
    quiet = registry(tmp_path / "quiet")
    quiet.put_action("-", "a", "vpc", "basic", action_body())
    assert "code" not in quiet.get_action("-", "a", "vpc", None)["exec"]
    assert quiet.get_action("-", "a", "vpc", True)["exec"]["code"]
    loud = registry(tmp_path / "loud", get_action_code_by_default=True)
    loud.put_action("-", "a", "vpc", "basic", action_body())
    assert loud.get_action("-", "a", "vpc", None)["exec"]["code"]
    assert "code" not in loud.get_action("-", "a", "vpc", False)["exec"]


def test_omitted_type_on_update(tmp_path: Path) -> None:
    literal = registry(tmp_path / "literal")
    literal.put_action("-", "api", "vpc", "web", action_body())
    refusal = refusal_of(literal.put_action, "-", "api", "vpc", None, action_body())
    assert refusal.status == 409
    assert refusal.message == ("type: action '-/api' is a web action; its type cannot change "
                               "to basic (delete and re-create it)")
    keeping = registry(tmp_path / "keeping", omitted_type_means_basic=False)
    keeping.put_action("-", "api", "vpc", "web", action_body())
    assert keeping.put_action("-", "api", "vpc", None, action_body())["type"] == "web"

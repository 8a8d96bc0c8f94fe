"""infra/terraform, read with python-hcl2 (Terraform itself is not installed here): every
variable it uses is declared and set by each example variable file, the outputs the deploy tool
reads exist (and every `deploy/envs/*.toml` names only those), PostgreSQL is reachable from the
functions subnet only, backups are on, and the files keep `terraform fmt`'s layout."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import hcl2
import pytest
from hcl2 import SerializationOptions

ROOT = Path(__file__).resolve().parents[3]
TERRAFORM = ROOT / "infra" / "terraform"
TF_FILES = sorted(TERRAFORM.glob("*.tf"))
EXAMPLE_TFVARS = sorted((TERRAFORM / "envs").glob("*.tfvars.example"))
DEPLOY_ENVS = ROOT / "deploy" / "envs"
README = ROOT / "infra" / "README.md"

# What `swaprep deploy` reads from `terraform output -json` (deploy/envs/<name>.toml names them
# as { terraform_output = "..." }); infra/README.md lists the same names in its table.
REQUIRED_OUTPUTS = (
    "vpc_no",
    "functions_subnet_no",
    "db_host",
    "db_port",
    "db_name",
    "db_user",
    "bucket_names",
    "bucket_inbound",
    "bucket_outbound",
    "bucket_feedback",
    "bucket_frontend",
)
# Variables never written in a tfvars file: they come from the environment as TF_VAR_<name>.
SECRETS_FROM_ENV = ("db_password",)
# backup_file_retention_period: "Default: 1 (1 day). Min: 1, Max: 30" (provider
# docs/resources/postgresql.md, and int64validator.Between(1, 30) in its source).
RETENTION_DAYS = range(1, 31)

_OPTIONS = SerializationOptions(with_comments=False, explicit_blocks=False,
                                strip_string_quotes=True)
_VAR_REFERENCE = re.compile(r"(?<![\w.])var\.([A-Za-z_][\w-]*)")


def _load(path: Path) -> dict[str, Any]:
    return hcl2.loads(path.read_text(encoding="utf-8"), serialization_options=_OPTIONS)


@cache
def _config() -> dict[str, list[dict[str, Any]]]:
    """Every top-level block of every .tf file, by kind (resource, variable, output, ...)."""
    merged: dict[str, list[dict[str, Any]]] = {}
    for path in TF_FILES:
        for kind, blocks in _load(path).items():
            merged.setdefault(kind, []).extend(blocks)
    return merged


def _labelled(kind: str) -> dict[str, dict[str, Any]]:
    """`variable "x" {}` / `output "x" {}` blocks by label."""
    found: dict[str, dict[str, Any]] = {}
    for block in _config().get(kind, []):
        for label, body in block.items():
            assert label not in found, f"{kind} {label!r} is declared twice"
            found[label] = body
    return found


def _resource(kind: str, name: str) -> dict[str, Any]:
    for block in _config().get("resource", []):
        if name in block.get(kind, {}):
            return block[kind][name]
    raise AssertionError(f"no resource {kind}.{name} in {TERRAFORM}")


def _strings(node: Any) -> Iterator[str]:
    """Every string (keys included) anywhere in a parsed document: expressions are strings."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield str(key)
            yield from _strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from _strings(item)


def _referenced_variables() -> dict[str, set[str]]:
    """var.NAME -> the .tf files that use it (outside variable blocks: a validation reading its
    own variable does not count as a use)."""
    used: dict[str, set[str]] = {}
    for path in TF_FILES:
        parsed = {kind: blocks for kind, blocks in _load(path).items() if kind != "variable"}
        for text in _strings(parsed):
            for name in _VAR_REFERENCE.findall(text):
                used.setdefault(name, set()).add(path.name)
    return used


def _is_expression(value: Any, expression: str) -> bool:
    return isinstance(value, str) and value.replace(" ", "") == "${" + expression + "}"


# -- deploy environment files: { terraform_output = "NAME" } references -----------------------

def terraform_output_references(document: Any, where: str = "") -> Iterator[tuple[str, Any]]:
    """(dotted key, NAME) for every `{ terraform_output = NAME }` table in a parsed TOML document,
    at any depth (tables, inline tables, arrays)."""
    if isinstance(document, dict):
        if "terraform_output" in document:
            yield where, document["terraform_output"]
        for key, value in document.items():
            if key != "terraform_output":
                yield from terraform_output_references(value, f"{where}.{key}" if where else key)
    elif isinstance(document, list):
        for index, item in enumerate(document):
            yield from terraform_output_references(item, f"{where}[{index}]")


def unknown_output_references(document: Any, outputs: set[str]) -> list[str]:
    """`key: NAME` for each reference to an output Terraform does not declare."""
    return [f"{where}: {name!r}" for where, name in terraform_output_references(document)
            if not isinstance(name, str) or name not in outputs]


_SAMPLE_ENV = """
[functions]
package = "swaprep"
vpc_no = { terraform_output = "vpc_no" }
subnet_no = { terraform_output = "functions_subnet_nos" }   # misspelt

[buckets]
inbound = { terraform_output = "bucket_inbound" }

[parameters]
database_url = { env = "SWAPREP_DATABASE_URL", secret = true }
hosts = [{ terraform_output = "db_host" }, "literal"]
nested = { deeper = { terraform_output = 7 } }
"""


def test_the_reference_walker_finds_every_terraform_output_at_any_depth():
    document = tomllib.loads(_SAMPLE_ENV)
    assert sorted(terraform_output_references(document)) == [
        ("buckets.inbound", "bucket_inbound"),
        ("functions.subnet_no", "functions_subnet_nos"),
        ("functions.vpc_no", "vpc_no"),
        ("parameters.hosts[0]", "db_host"),
        ("parameters.nested.deeper", 7),
    ]
    assert unknown_output_references(document, {"vpc_no", "bucket_inbound", "db_host"}) == [
        "functions.subnet_no: 'functions_subnet_nos'",
        "parameters.nested.deeper: 7",
    ]


def test_every_deploy_env_names_only_outputs_terraform_declares():
    outputs = set(_labelled("output"))
    problems = [f"{path.relative_to(ROOT)}: {problem}"
                for path in sorted(DEPLOY_ENVS.glob("*.toml"))
                for problem in unknown_output_references(
                    tomllib.loads(path.read_text(encoding="utf-8")), outputs)]
    assert not problems, f"no such Terraform output (infra/terraform/outputs.tf): {problems}"


# -- parsing, variables, example variable files -----------------------------------------------

@pytest.mark.parametrize("path", TF_FILES + EXAMPLE_TFVARS, ids=lambda p: p.name)
def test_each_terraform_file_parses(path: Path):
    assert isinstance(_load(path), dict)


def test_there_are_dev_and_prod_example_variable_files():
    assert {p.name for p in EXAMPLE_TFVARS} >= {"dev.tfvars.example", "prod.tfvars.example"}


def test_every_referenced_variable_is_declared():
    declared = set(_labelled("variable"))
    undeclared = {name: sorted(files) for name, files in _referenced_variables().items()
                  if name not in declared}
    assert not undeclared, f"var.X used but no variable \"X\" block: {undeclared}"


def test_every_declared_variable_is_used():
    unused = set(_labelled("variable")) - set(_referenced_variables())
    assert not unused, f"variables nothing reads (remove them or use them): {sorted(unused)}"


def test_secrets_are_sensitive_and_say_they_come_from_the_environment():
    variables = _labelled("variable")
    for name in SECRETS_FROM_ENV:
        assert variables[name].get("sensitive") is True, name
        assert "default" not in variables[name], f"{name} must have no default"
        assert f"TF_VAR_{name}" in variables[name].get("description", ""), name


@pytest.mark.parametrize("path", EXAMPLE_TFVARS, ids=lambda p: p.name)
def test_each_example_sets_every_variable_without_a_default(path: Path):
    required = {name for name, body in _labelled("variable").items()
                if "default" not in body and name not in SECRETS_FROM_ENV}
    missing = required - set(_load(path))
    assert not missing, f"{path.name} leaves required variables unset: {sorted(missing)}"


@pytest.mark.parametrize("path", EXAMPLE_TFVARS, ids=lambda p: p.name)
def test_each_example_sets_only_declared_variables_and_no_secret(path: Path):
    variables = _labelled("variable")
    values = _load(path)
    undeclared = set(values) - set(variables)
    assert not undeclared, f"{path.name} sets undeclared variables: {sorted(undeclared)}"
    sensitive = {name for name, body in variables.items() if body.get("sensitive") is True}
    assert not set(values) & (sensitive | set(SECRETS_FROM_ENV)), (
        f"{path.name} sets a secret; it comes from TF_VAR_<name>")


# -- outputs ------------------------------------------------------------------------------------

def test_the_outputs_the_deploy_tool_reads_exist():
    outputs = _labelled("output")
    missing = [name for name in REQUIRED_OUTPUTS if name not in outputs]
    assert not missing, f"outputs.tf lacks outputs the deploy tool reads: {missing}"
    for name in REQUIRED_OUTPUTS:
        assert outputs[name].get("value") not in (None, ""), f"output {name} has no value"
    for name, expression in (("vpc_no", "ncloud_vpc.main.id"),
                             ("functions_subnet_no", "ncloud_subnet.functions.id"),
                             ("db_port", "ncloud_postgresql.main.port"),
                             ("db_name", "ncloud_postgresql.main.database_name"),
                             ("db_user", "ncloud_postgresql.main.user_name")):
        assert _is_expression(outputs[name]["value"], expression), (name, outputs[name])
    host = outputs["db_host"]["value"]
    assert "ncloud_postgresql.main.postgresql_server_list" in host and "private_domain" in host
    for logical in ("inbound", "outbound", "feedback", "frontend"):
        assert f'["{logical}"]' in outputs[f"bucket_{logical}"]["value"]


def test_no_output_carries_the_database_password():
    for name, body in _labelled("output").items():
        for secret in SECRETS_FROM_ENV:
            assert f"var.{secret}" not in str(body.get("value")), name
        assert "user_password" not in str(body.get("value")), name


def test_the_readme_lists_exactly_the_required_outputs():
    text = README.read_text(encoding="utf-8")
    heading = "## Outputs the deploy tool reads"
    assert heading in text, f"{README.relative_to(ROOT)} has no {heading!r} section"
    section = text.split(heading, 1)[1].split("\n## ", 1)[0]
    listed = re.findall(r"^\| `([a-z_]+)` \|", section, flags=re.MULTILINE)
    assert sorted(listed) == sorted(REQUIRED_OUTPUTS)


# -- PostgreSQL access and backups --------------------------------------------------------------

def test_postgresql_admits_only_the_functions_subnet():
    client_cidr = _resource("ncloud_postgresql", "main")["client_cidr"]
    assert "0.0.0.0/0" not in str(client_cidr)
    assert _is_expression(client_cidr, "ncloud_subnet.functions.subnet"), client_cidr


def test_the_database_subnet_acl_drops_the_postgresql_port_from_everyone_else():
    database_subnet = _resource("ncloud_subnet", "database")
    assert _is_expression(database_subnet["network_acl_no"], "ncloud_network_acl.database.id")
    rules = _resource("ncloud_network_acl_rule", "database")
    assert _is_expression(rules["network_acl_no"], "ncloud_network_acl.database.id")
    on_db_port = sorted((r for r in rules["inbound"]
                         if _is_expression(r.get("port_range"), "tostring(var.db_port)")),
                        key=lambda r: r["priority"])
    # NCP evaluates rules by priority, lowest number first: the allow must come before the drop.
    first = on_db_port[0]
    assert (first["rule_action"], first["ip_block"]) == (
        "ALLOW", "${ncloud_subnet.functions.subnet}")
    assert on_db_port[-1]["rule_action"] == "DROP" and on_db_port[-1]["ip_block"] == "0.0.0.0/0"
    allowed = {r["ip_block"] for r in on_db_port if r["rule_action"] == "ALLOW"}
    assert allowed <= {"${ncloud_subnet.functions.subnet}", "${ncloud_subnet.database.subnet}"}
    for rule in rules["inbound"] + rules["outbound"]:
        assert 1 <= rule["priority"] <= 199 and rule["rule_action"] in ("ALLOW", "DROP")
        if rule["rule_action"] == "ALLOW" and rule["ip_block"] == "0.0.0.0/0":
            assert rule["priority"] > on_db_port[-1]["priority"], rule  # after the drop


def test_backups_are_daily_with_a_retention_within_the_providers_range():
    postgresql = _resource("ncloud_postgresql", "main")
    assert postgresql["backup"] is True
    assert _is_expression(postgresql["backup_file_retention_period"],
                          "var.db_backup_retention_days")
    retention = _labelled("variable")["db_backup_retention_days"]
    assert retention["default"] in RETENTION_DAYS
    assert retention.get("validation"), "db_backup_retention_days needs a 1-30 validation"
    for path in EXAMPLE_TFVARS:
        days = _load(path).get("db_backup_retention_days", retention["default"])
        assert days in RETENTION_DAYS, f"{path.name}: db_backup_retention_days = {days}"
    # backup_time only with automatic_backup off (the provider refuses both together).
    assert _is_expression(postgresql["automatic_backup"], "var.db_backup_time==null")
    assert _is_expression(postgresql["backup_time"], "var.db_backup_time")


def test_no_plan_can_destroy_the_database():
    """Every ncloud_postgresql argument forces replacement: a changed setting must not wipe it."""
    lifecycle = _resource("ncloud_postgresql", "main").get("lifecycle") or [{}]
    assert lifecycle[0].get("prevent_destroy") is True


def test_prod_keeps_backups_longer_than_dev():
    by_name = {p.name.split(".")[0]: _load(p) for p in EXAMPLE_TFVARS}
    default = _labelled("variable")["db_backup_retention_days"]["default"]
    dev = by_name["dev"].get("db_backup_retention_days", default)
    prod = by_name["prod"].get("db_backup_retention_days", default)
    assert prod > dev


# -- layout: what `terraform fmt` would leave ---------------------------------------------------

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_BRACKETS = {"{": 1, "[": 1, "(": 1, "}": -1, "]": -1, ")": -1}


def _assignment(line: str) -> tuple[str, str] | None:
    """(left side, right side) of a single-line `name = value`, as hclwrite aligns them: a line
    whose value opens a multi-line expression is not aligned (and ends the run)."""
    code = _STRING.sub('""', line)
    code = re.split(r"\s#|\s//", code, maxsplit=1)[0]
    match = re.search(r"(?<![=!<>])=(?![=>])", code)
    if not match or not code[:match.start()].strip() or code.lstrip().startswith(("#", "//")):
        return None
    if sum(_BRACKETS.get(c, 0) for c in code[match.start():]) != 0:
        return None
    return code[:match.start()], code[match.end():]


def fmt_problems(text: str) -> list[str]:
    """Where `text` departs from terraform fmt: tabs, trailing blanks, odd indentation, and `=`
    signs of consecutive single-line assignments not aligned one space after the longest name."""
    problems: list[str] = []
    run: list[tuple[int, str]] = []

    def close_run() -> None:
        if run:
            width = max(len(left.rstrip()) for _, left in run)
            problems.extend(f"line {number}: '=' not aligned with its neighbours"
                            for number, left in run if len(left) != width + 1)
            run.clear()

    for number, line in enumerate(text.splitlines(), start=1):
        if "\t" in line or line != line.rstrip():
            problems.append(f"line {number}: tab or trailing whitespace")
        indent = len(line) - len(line.lstrip(" "))
        if line.strip() and indent % 2:
            problems.append(f"line {number}: indentation is not a multiple of 2")
        assignment = _assignment(line)
        if assignment is None:
            close_run()
            continue
        if not assignment[1].startswith(" ") or assignment[1].startswith("  "):
            problems.append(f"line {number}: one space after '='")
        run.append((number, assignment[0]))
    close_run()
    return problems


def test_the_fmt_check_catches_a_misaligned_assignment():
    assert fmt_problems('a   = 1\nbcd = "x = y"\n\nlong_name = {\n  k = 1\n}\n') == []
    assert fmt_problems("a = 1\nbcd = 2\n") == ["line 1: '=' not aligned with its neighbours"]
    assert fmt_problems("x {\n   a = 1\n}\n") == ["line 2: indentation is not a multiple of 2"]


@pytest.mark.parametrize("path", TF_FILES + EXAMPLE_TFVARS, ids=lambda p: p.name)
def test_terraform_files_keep_fmt_layout(path: Path):
    assert fmt_problems(path.read_text(encoding="utf-8")) == []

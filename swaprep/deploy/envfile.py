"""A deploy target: `deploy/envs/<name>.toml`, with every secret by reference only.

    [ncp]
    region = "KR"
    cloud_functions_url = "https://cloudfunctions.apigw.ntruss.com"   # or { endpoint = "ncp" }
    api_gateway_url = "https://apigateway.apigw.ntruss.com"          # or { endpoint = "ncp" }
    access_key = { env = "NCLOUD_ACCESS_KEY" }
    secret_key = { env = "NCLOUD_SECRET_KEY" }
    switches = { }              # literal: swaprep.ncp.switches.Switches fields
    gateway_switches = { }      # literal: swaprep.ncp.switches.GatewaySwitches fields

    [functions]
    package = "swaprep"
    vpc_no = { terraform_output = "vpc_no" }
    subnet_no = { terraform_output = "functions_subnet_no" }

    [buckets]                   # logical -> physical (the actions' bucket_<logical>)
    inbound = { terraform_output = "bucket_inbound" }

    [parameters]                # package default parameters (docs/CONFIG.md)
    database_url = { env = "SWAPREP_DATABASE_URL", secret = true }

    [gateway]                   # the API Gateway: swaprep/deploy/gateway.py
    product = "swaprep"
    stage = "v1"

A value is a literal, or a table naming where it comes from:
- `{ env = "NAME" }`: an environment variable (a missing one is an error naming it);
- `{ terraform_output = "NAME" }`: `terraform output -json` of `infra/terraform`, read from the
  file named by `[terraform] outputs` (default `infra/terraform/outputs.json`);
- `{ endpoint = "NAME" }`: the running local stack's `.swaprep/endpoints.json` (`--env local`);
- `{ stack_secret = "NAME" }`: the local stack's generated secret of that name;
- `{ stack_parameter = "NAME" }`: the local stack's own package parameter (what its actions use).
Anything from `env` or `stack_secret` (unless marked `secret = false`), or marked
`secret = true`, is a secret: its value never appears in a plan, a log line or an error, only
its name.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

ENVS_DIR = Path("deploy/envs")
DEFAULT_TERRAFORM_OUTPUTS = Path("infra/terraform/outputs.json")
SOURCES = ("env", "terraform_output", "endpoint", "stack_secret", "stack_parameter")
_SECTIONS = {"ncp", "functions", "buckets", "parameters", "terraform", "gateway", "console",
             "verify"}


class DeployEnvError(ValueError):
    """The environment file is wrong or a reference cannot be resolved; names file and key."""


@dataclass(frozen=True)
class DeployEnv:
    name: str
    path: Path
    ncp: dict[str, Any]
    functions: dict[str, Any]
    buckets: dict[str, str]
    parameters: dict[str, Any]
    gateway: dict[str, Any] = field(default_factory=dict)
    console: dict[str, Any] = field(default_factory=dict)
    verify: dict[str, Any] = field(default_factory=dict)  # swaprep/deploy/verify.py
    secrets: frozenset[str] = frozenset()  # resolved secret values, to mask in any output
    # [verify] is resolved only by `with_verify()`: plan and apply must not need the canary
    # user's password (on the local stack it exists only once the demo is seeded).
    _resolver: Any = field(default=None, repr=False, compare=False)
    _raw_verify: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def with_verify(self) -> DeployEnv:
        """This environment with its [verify] section resolved (and its secrets masked)."""
        if self._resolver is None:
            return self
        before = set(self._resolver.secrets)
        verify = {key: self._resolver.value(f"verify.{key}", raw)
                  for key, raw in self._raw_verify.items()}
        added = set(self._resolver.secrets) - before
        return replace(self, verify=verify, secrets=self.secrets | frozenset(added))

    @property
    def package(self) -> str:
        return str(self.functions.get("package", "swaprep"))

    def mask(self, text: str) -> str:
        """`text` with every secret value replaced by ***."""
        for secret in sorted(self.secrets, key=len, reverse=True):
            if secret:
                text = text.replace(secret, "***")
        return text


@dataclass
class _Resolver:
    path: Path
    root: Path
    environ: Mapping[str, str]
    state_dir: Path
    terraform_outputs: Path | None = None
    secrets: set[str] = field(default_factory=set)
    _outputs: dict[str, Any] | None = None
    _endpoints: dict[str, Any] | None = None
    _stack_secrets: dict[str, Any] | None = None
    _stack_config: dict[str, Any] | None = None

    def value(self, where: str, raw: Any) -> Any:
        if isinstance(raw, list):
            return [self.value(f"{where}[{i}]", item) for i, item in enumerate(raw)]
        if not isinstance(raw, dict):
            return raw
        if where in ("ncp.switches", "ncp.gateway_switches"):  # literal, not a reference
            return raw
        sources = [s for s in SOURCES if s in raw]
        unknown = sorted(set(raw) - set(SOURCES) - {"secret"})
        if len(sources) != 1 or unknown:
            raise DeployEnvError(f"{self.path}: {where}: a reference names exactly one of "
                                 f"{', '.join(SOURCES)} (and optionally secret = true)")
        source = sources[0]
        name = raw[source]
        resolved = getattr(self, f"_from_{source}")(where, str(name))
        if raw.get("secret", source in ("env", "stack_secret")):
            self.secrets.add(str(resolved))
        return resolved

    def _from_env(self, where: str, name: str) -> str:
        if name not in self.environ or self.environ[name] == "":
            raise DeployEnvError(f"{self.path}: {where}: environment variable {name} is not set")
        return self.environ[name]

    def _from_terraform_output(self, where: str, name: str) -> Any:
        if self._outputs is None:
            file = self.terraform_outputs or self.root / DEFAULT_TERRAFORM_OUTPUTS
            try:
                self._outputs = json.loads(file.read_text(encoding="utf-8"))
            except FileNotFoundError as exc:
                raise DeployEnvError(
                    f"{self.path}: {where}: no Terraform outputs at {file} (run `terraform "
                    f"output -json > {file}` in infra/terraform)") from exc
        if name not in self._outputs:
            raise DeployEnvError(f"{self.path}: {where}: Terraform has no output {name!r}")
        output = self._outputs[name]
        return output.get("value") if isinstance(output, dict) and "value" in output else output

    def _local(self, attribute: str, file_name: str, where: str) -> dict[str, Any]:
        cached = getattr(self, attribute)
        if cached is None:
            file = self.state_dir / file_name
            try:
                cached = json.loads(file.read_text(encoding="utf-8"))
            except FileNotFoundError as exc:
                raise DeployEnvError(f"{self.path}: {where}: {file} is missing: is the local "
                                     "stack up (`./dev up`)?") from exc
            setattr(self, attribute, cached)
        return cached

    def _from_endpoint(self, where: str, name: str) -> Any:
        endpoints = self._local("_endpoints", "endpoints.json", where)
        if name not in endpoints:
            raise DeployEnvError(f"{self.path}: {where}: the local stack has no endpoint "
                                 f"{name!r} (it has {', '.join(sorted(endpoints))})")
        return endpoints[name]

    def _from_stack_secret(self, where: str, name: str) -> Any:
        stack_secrets = self._local("_stack_secrets", "secrets.json", where)
        if name not in stack_secrets:
            raise DeployEnvError(f"{self.path}: {where}: the local stack has no secret {name!r}")
        return stack_secrets[name]

    def _from_stack_parameter(self, where: str, name: str) -> Any:
        endpoints = self._local("_endpoints", "endpoints.json", where)
        config = endpoints.get("config") or {}
        if name not in config:
            raise DeployEnvError(f"{self.path}: {where}: the local stack has no package "
                                 f"parameter {name!r}")
        return config[name]


def env_path(name: str, root: Path) -> Path:
    if not name.replace("-", "").replace("_", "").isalnum():
        raise DeployEnvError(f"environment name {name!r}: letters, digits, - and _ only")
    return root / ENVS_DIR / f"{name}.toml"


def load_env(name: str, *, root: Path, environ: Mapping[str, str] | None = None,
             state_dir: Path | None = None) -> DeployEnv:
    """Read and resolve `deploy/envs/<name>.toml`."""
    path = env_path(name, root)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        known = sorted(p.stem for p in (root / ENVS_DIR).glob("*.toml"))
        raise DeployEnvError(f"no environment {name!r}: {path} does not exist (known: "
                             f"{', '.join(known) or 'none'})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise DeployEnvError(f"{path}: {exc}") from exc
    unknown = sorted(set(data) - _SECTIONS)
    if unknown:
        raise DeployEnvError(f"{path}: unknown section [{unknown[0]}] (known: "
                             f"{', '.join(sorted(_SECTIONS))})")
    terraform = data.get("terraform", {})
    outputs = terraform.get("outputs")
    resolver = _Resolver(path, root, os.environ if environ is None else environ,
                         state_dir or root / ".swaprep",
                         terraform_outputs=(root / outputs) if outputs else None)

    def section(name: str) -> dict[str, Any]:
        table = data.get(name, {})
        if not isinstance(table, dict):
            raise DeployEnvError(f"{path}: [{name}] must be a table")
        return {key: resolver.value(f"{name}.{key}", raw) for key, raw in table.items()}

    ncp, functions = section("ncp"), section("functions")
    for required in ("cloud_functions_url", "access_key", "secret_key"):
        if required not in ncp:
            raise DeployEnvError(f"{path}: ncp.{required} is required")
    buckets = {k: str(v) for k, v in section("buckets").items()}
    raw_verify = data.get("verify", {})
    if not isinstance(raw_verify, dict):
        raise DeployEnvError(f"{path}: [verify] must be a table")
    return DeployEnv(name=name, path=path, ncp=ncp, functions=functions, buckets=buckets,
                     parameters=section("parameters"), gateway=section("gateway"),
                     console=section("console"), secrets=frozenset(resolver.secrets),
                     _resolver=resolver, _raw_verify=raw_verify)

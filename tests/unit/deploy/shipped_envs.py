"""Every deploy/envs/*.toml loaded as a deploy would load it, with each input it names present:
its environment variables, Terraform outputs and local-stack secrets and parameters, all fake."""

from __future__ import annotations

import json
import re
import shutil
import tomllib
from collections.abc import Iterator
from pathlib import Path

from swaprep.deploy.envfile import DeployEnv, load_env

ROOT = Path(__file__).resolve().parents[3]


def shipped_env_names() -> list[str]:
    return sorted(p.stem for p in (ROOT / "deploy" / "envs").glob("*.toml"))


def load_shipped_envs(tmp_path: Path) -> Iterator[tuple[str, DeployEnv]]:
    shutil.copytree(ROOT / "deploy", tmp_path / "deploy")
    state = tmp_path / "state"
    state.mkdir()
    for name in shipped_env_names():
        text = (ROOT / "deploy" / "envs" / f"{name}.toml").read_text()
        environ = {v: f"value-of-{v}" for v in re.findall(r'env = "([A-Z0-9_]+)"', text)}
        outputs = {o: {"value": "12345"} for o in re.findall(r'terraform_output = "(\w+)"', text)}
        terraform = tomllib.loads(text).get("terraform", {}).get("outputs")
        if terraform:
            (tmp_path / terraform).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / terraform).write_text(json.dumps(outputs))
        stack_keys = set(re.findall(r'stack_(?:secret|parameter) = "([\w-]+)"', text))
        (state / "secrets.json").write_text(json.dumps({k: f"secret-{k}" for k in stack_keys}))
        (state / "endpoints.json").write_text(json.dumps({
            "ncp": "http://127.0.0.1:1", "api": "http://127.0.0.1:2",
            "config": {k: f"param-{k}" for k in stack_keys}}))
        yield name, load_env(name, root=tmp_path, environ=environ, state_dir=state)

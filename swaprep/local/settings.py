"""Where the local stack keeps its state, and how commands find a running stack."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click


def state_dir() -> Path:
    """`.swaprep/` in the project root (or $SWAPREP_HOME): data, logs, endpoints, secrets."""
    home = os.environ.get("SWAPREP_HOME")
    if home:
        return Path(home)
    return Path(__file__).resolve().parents[2] / ".swaprep"


ACTION_SOURCES = ("checkout", "deployed")


def actions_source() -> str:
    """Where the local stack runs actions from by default: "checkout" (functions/, what
    `./dev up` does) unless $SWAPREP_ACTIONS_FROM says "deployed" (the zips deployed into
    the stack's NCP control plane by `swaprep deploy apply --env local`)."""
    value = os.environ.get("SWAPREP_ACTIONS_FROM", "").strip().lower() or "checkout"
    if value not in ACTION_SOURCES:
        raise click.ClickException(
            f"SWAPREP_ACTIONS_FROM={value!r}: must be one of {', '.join(ACTION_SOURCES)}")
    return value


def endpoints_file() -> Path:
    return state_dir() / "endpoints.json"


def read_endpoints() -> dict:
    path = endpoints_file()
    if not path.exists():
        raise click.ClickException(
            f"no local stack found ({path} is missing): start one with `swaprep up`"
        )
    return json.loads(path.read_text())


def resolve_database_url(explicit: str | None) -> str:
    if explicit:
        return explicit
    return read_endpoints()["database_url"]

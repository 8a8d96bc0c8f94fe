"""The `swaprep` command line.

Each module in `swaprep.commands` that defines a click command named `command` becomes a
subcommand under the module's name (underscores as dashes), imported only when run, so
`swaprep --help` stays fast and command modules stay independent of one another.
"""

from __future__ import annotations

import importlib
import pkgutil

import click

from swaprep import commands


def _command_names() -> list[str]:
    return sorted(
        m.name.replace("_", "-")
        for m in pkgutil.iter_modules(commands.__path__)
        if not m.name.startswith("_")
    )


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return _command_names()

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in _command_names():
            return None
        module = importlib.import_module(f"swaprep.commands.{name.replace('-', '_')}")
        return module.command


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Swap Reporting: NCP Cloud Functions actions and their local stack."""

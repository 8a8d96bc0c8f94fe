"""`swaprep lock` (`./dev lock`): write the hashed dependency locks (see swaprep.locking)."""

from __future__ import annotations

from pathlib import Path

import click

from swaprep.locking import LockError, check_locks, write_locks


@click.command(name="lock")
@click.option("--upgrade", is_flag=True,
              help="Move every package to the newest release its specifiers allow.")
@click.option("--upgrade-package", "upgrade_packages", multiple=True, metavar="NAME",
              help="Move only this package (repeatable), e.g. --upgrade-package lxml.")
@click.option("--check", is_flag=True,
              help="Write nothing: say where a lock disagrees with its input (exit 1 if any).")
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default=True, help="The checkout holding pyproject.toml.")
def command(upgrade: bool, upgrade_packages: tuple[str, ...], check: bool, root: Path) -> None:
    """Lock the development set (requirements-dev.lock) and each action's runtime set
    (functions/<action>/requirements.lock, within the development lock's versions)."""
    root = root.resolve()
    if check:
        problems = check_locks(root)
        for problem in problems:
            click.echo(problem, err=True)
        if problems:
            raise click.ClickException(f"{len(problems)} problem(s): run `./dev lock`")
        click.echo("every lock agrees with its input")
        return
    try:
        written = write_locks(root, upgrade=upgrade, upgrade_packages=upgrade_packages,
                              log=lambda message: click.echo(message, err=True))
    except LockError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{len(written)} lock(s) written; `./dev test` installs and tests them")

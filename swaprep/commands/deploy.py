"""`swaprep deploy plan|apply|destroy --env NAME`: NCP Cloud Functions, the API Gateway in front
of the web actions, and bucket settings, from the manifests.

`plan` exits 0 when nothing is pending and 2 when something is (Terraform's
-detailed-exitcode); `apply` shows the plan, then makes only those changes, in dependency
order, each an idempotent create-or-update, so a rerun after a failure finishes the rest.
Secrets are masked in everything printed.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from swaprep.deploy.envfile import DeployEnvError


def _root() -> Path:
    from swaprep.packaging import project_root

    return project_root()


def _session(env_name: str, root: Path | None, *, build: bool):
    from swaprep.deploy.session import DeploySession

    try:
        return DeploySession.open(env_name, root=root or _root(), build=build,
                                  log=lambda message: click.echo(message, err=True))
    except DeployEnvError as exc:
        raise click.ClickException(str(exc)) from exc


_env_option = click.option("--env", "env_name", required=True, metavar="NAME",
                           help="deploy/envs/NAME.toml (local, dev, prod, ...)")
_root_option = click.option("--root", type=click.Path(file_okay=False, path_type=Path),
                            default=None, help="The checkout to deploy (default: this one).")


@click.group(name="deploy")
def command() -> None:
    """Deploy the actions, triggers, package parameters, API Gateway and bucket settings to
    NCP; verify."""


@command.command()
@_env_option
@_root_option
def plan(env_name: str, root: Path | None) -> None:
    """Show what apply would create, change or remove (exit 2 when something is pending)."""
    session = _session(env_name, root, build=True)
    with session.errors_in_plain_words():
        result = session.plan()
    click.echo(session.env.mask(result.render()))
    sys.exit(2 if result.pending else 0)


def _carry_out(session, result, *, yes: bool, question: str, refused: str, done_as: str) -> None:
    """Show the plan, ask (unless --yes), make the changes; print how many were made."""
    with session.errors_in_plain_words():
        click.echo(session.env.mask(result.render()))
        if not result.pending:
            return
        if not yes and not click.confirm(question, default=False):
            raise click.ClickException(refused)
        done = session.apply(result, log=lambda message: click.echo(session.env.mask(message)))
    click.echo(done_as.format(done))


@command.command()
@_env_option
@_root_option
@click.option("--yes", is_flag=True, help="Apply without asking (CI, scripts).")
def apply(env_name: str, root: Path | None, yes: bool) -> None:
    """Build the zips, then create or update only what differs."""
    session = _session(env_name, root, build=True)
    with session.errors_in_plain_words():
        result = session.plan()
    _carry_out(session, result, yes=yes, question="Apply these changes?",
               refused="nothing applied", done_as="Applied {} change(s).")


@command.command()
@_env_option
@_root_option
@click.option("--yes", is_flag=True, help="Remove without asking.")
def destroy(env_name: str, root: Path | None, yes: bool) -> None:
    """Remove the API Gateway, triggers, actions, package and bucket settings the deploy made
    (buckets and their data stay)."""
    session = _session(env_name, root, build=False)
    with session.errors_in_plain_words():
        result = session.destroy_plan()
    _carry_out(session, result, yes=yes, question="Remove these?", refused="nothing removed",
               done_as="Removed {} resource(s).")


@command.command()
@_env_option
@_root_option
@click.option("--timeout-s", type=click.FloatRange(min=1), default=300.0, show_default=True,
              help="How long the canary may take to reach its final state.")
def verify(env_name: str, root: Path | None, timeout_s: float) -> None:
    """Smoke test: /api/health through the gateway, then a canary file followed to its ACK."""
    from swaprep.deploy.envfile import load_env
    from swaprep.deploy.verify import verify as run_verify
    from swaprep.local.settings import state_dir

    try:
        env = load_env(env_name, root=root or _root(), state_dir=state_dir()).with_verify()
        result = run_verify(env, timeout_s=timeout_s,
                            log=lambda line: click.echo(env.mask(line)))
    except DeployEnvError as exc:
        raise click.ClickException(str(exc)) from exc
    except OSError as exc:
        raise click.ClickException(f"the gateway or Object Storage could not be reached: {exc}")\
            from exc
    if not result.ok:
        raise click.ClickException("verify failed: see the lines above")
    click.echo("verify: OK (the canary was acknowledged by the TR)")

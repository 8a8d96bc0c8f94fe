"""`swaprep verify`: verify what the TRs hold against our books now, whether due or not.

    swaprep verify --tenant demo-bank [--regime cftc-part45] [--json]

Logs each run in `verifications`, opens a correction clock per finding (and for breaks and
rejected items not yet clocked), recomputes the clocks and their alerts; audited as
`cli:<os user>` (shared/services/operations/verification.py). The monitor does the same on
schedule (check `verification`).
"""

from __future__ import annotations

import json

import click

from swaprep.commands.ops import _run, _Session


@click.command(name="verify")
@click.option("--database-url", envvar="DATABASE_URL", help="Defaults to the local stack's.")
@click.option("--tenant", "tenant_slug", required=True, help="The tenant to verify.")
@click.option("--regime", default=None, help="Only this regime (default: every one it has).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def command(database_url: str | None, tenant_slug: str, regime: str | None,
            as_json: bool) -> None:
    """Verify the TRs' open trades against our books; start the correction clocks."""
    from shared.services.operations.verification import run_now

    session = _Session(database_url, tenant_slug, as_json)
    with session.transaction() as (db, conn):
        tenant = session.tenant_id(db)
        result = _run(lambda: run_now(conn, tenant, regime, session.actor()))
    if as_json:
        click.echo(json.dumps(result, indent=2, default=str))
        return
    for run in result["runs"]:
        if run["status"] == "no_tr_view":
            click.echo(f"{run['regime']}: run {run['id']}: no open-trade report from the TR "
                       "yet, nothing compared")
        else:
            click.echo(f"{run['regime']}: run {run['id']}: {run['open_at_tr']} open at the TR "
                       f"({run['reference_date']}), {run['open_here']} open here, "
                       f"{run['findings']} finding(s)")
    clocks = ", ".join(f"{n} {state}" for state, n in sorted(result["clocks"].items()))
    click.echo(f"{result['clocks_opened']} correction clock(s) opened; open clocks: "
               f"{clocks or 'none'}")

"""`swaprep upi`: a trade's or a product's UPI, cache first; an end-of-day file into the cache.

    swaprep upi lookup --tenant demo-bank --uti 5299...T000001
    swaprep upi lookup --tenant demo-bank --attr asset_class=INTR --attr instrument_type=Swap \\
        --attr use_case=Fixed_Float --attr notional_currency=USD --attr reference_rate=SOFR \\
        --attr reference_rate_term=1DAIL
    swaprep upi lookup --tenant demo-bank --code QZ4TJ0H6XB0W
    swaprep upi eod-load upi-eod-2026-12-07.json

The DSB is the one the settings name (`DSB_URL`, `DSB_API_KEY`, `DSB_USER_TYPE` and the
switches of docs/UPI.md, from the environment); without `DSB_URL` only the cache answers.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from swaprep.commands.ops import _Session


def _dsb() -> Any:
    from shared.platform.config import Config
    from shared.services import bootstrap

    return bootstrap.product_identifiers(Config({}))


@click.group(name="upi")
@click.option("--database-url", envvar="DATABASE_URL", help="Defaults to the local stack's.")
@click.option("--json", "as_json", is_flag=True, help="Print results as JSON.")
@click.pass_context
def command(ctx: click.Context, database_url: str | None, as_json: bool) -> None:
    """UPIs from the ANNA DSB, through the cache (docs/UPI.md)."""
    ctx.obj = _Session(database_url, None, as_json)


pass_session = click.make_pass_decorator(_Session)


@command.command()
@click.option("--tenant", "tenant_slug", required=True, help="The tenant whose trade.")
@click.option("--uti", default=None, help="The trade's UTI: its latest event's product.")
@click.option("--attr", "attrs", multiple=True, metavar="NAME=VALUE",
              help="A product attribute (shared.domain.upi.ProductAttributes); repeatable.")
@click.option("--code", default=None, help="A UPI: its attributes.")
@pass_session
def lookup(session: _Session, tenant_slug: str, uti: str | None, attrs: tuple[str, ...],
           code: str | None) -> None:
    """The UPI of a trade or of a product (cache, then the DSB); exit 1 when there is none."""
    from shared.adapters.db import trade_events
    from shared.domain.identifiers import check_upi
    from shared.domain.model import TradeEvent
    from shared.domain.upi import MissingAttribute, ProductAttributes, product_attributes
    from shared.platform import clock
    from shared.services import upi as upi_service

    if sum(x is not None and x != () for x in (uti, attrs or None, code)) != 1:
        raise click.UsageError("give one of --uti, --attr ... or --code")
    session.tenant_slug = tenant_slug
    dsb = _dsb()
    with session.transaction() as (_, conn):
        if code is not None:
            problem = check_upi(code)
            if problem:
                raise click.BadParameter(problem, param_hint="--code")
            found = upi_service.lookup_code(conn, dsb, code, now=clock.now())
            _show(session, found or {"upi": code, "found": False},
                  json.dumps(found["attributes"]) if found else f"{code}: not known")
            if found is None:
                raise SystemExit(1)
            return
        try:
            if uti is not None:
                payload = trade_events.latest_payload(conn, uti)
                if payload is None:
                    raise click.ClickException(f"no trade {uti} in tenant {tenant_slug}")
                product = product_attributes(TradeEvent.model_validate(payload))
            else:
                pairs = [a.split("=", 1) for a in attrs]
                if any(len(p) != 2 for p in pairs):
                    raise click.BadParameter("each --attr is NAME=VALUE", param_hint="--attr")
                product = ProductAttributes.from_dict(dict(pairs))  # type: ignore[arg-type]
        except MissingAttribute as exc:
            raise click.ClickException(f"{exc} / {exc.message_ko}") from None
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
        answer = upi_service.resolve(conn, dsb, [product], now=clock.now()).get(product.key)
    found_upi = isinstance(answer, upi_service.Found)
    _show(session, {"attributes": product.as_dict(), "key": product.key,
                    "answer": upi_service.describe(answer)},
          f"{product.describe()}\n  {upi_service.describe(answer)}")
    if not found_upi:
        raise SystemExit(1)


@command.command(name="eod-load")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@pass_session
def eod_load(session: _Session, file: Path) -> None:
    """Load an ANNA DSB end-of-day UPI file into the cache; unreadable records are named."""
    from shared.adapters.dsb import dsb_from_config
    from shared.adapters.dsb.http import ApiShape, read_eod
    from shared.platform import clock
    from shared.platform.config import Config
    from shared.services import upi as upi_service

    dsb = dsb_from_config(Config({}))
    try:
        records, problems = read_eod(file.read_bytes(), dsb.shape if dsb else ApiShape())
    except (UnicodeDecodeError, ValueError) as exc:
        raise click.ClickException(f"{file}: not an EOD file ({exc})") from None
    with session.transaction() as (_, conn):
        loaded = upi_service.load_eod(conn, records, now=clock.now())
    for problem in problems:
        click.echo(f"{file}: {problem}", err=True)
    _show(session, {"loaded": loaded, "problems": problems},
          f"{loaded} UPI(s) loaded from {file}" + (f", {len(problems)} record(s) unreadable"
                                                   if problems else ""))


def _show(session: _Session, data: Any, text: str) -> None:
    click.echo(json.dumps(data, indent=2, default=str) if session.as_json else text)

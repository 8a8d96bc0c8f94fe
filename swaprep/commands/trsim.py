"""`swaprep trsim`: run the simulated TR on its own, switch its fault modes, list its codes.

    swaprep trsim serve                        # against the running local stack's S3 API
    swaprep trsim fault --down                 # connection refused until --up
    swaprep trsim fault --fail-next 3          # the next 3 submissions answer 503
    swaprep trsim fault --slow 20 --slow-requests 1
    swaprep trsim fault --malformed-feedback 1 --duplicate-feedback 1
    swaprep trsim fault --reset
    swaprep trsim state                        # faults, counters and received messages
    swaprep trsim codes                        # the code list (docs/TR-SIMULATOR.md)
    swaprep trsim eod [--date 2026-11-23]      # the day's end-of-day reports, once per day
    swaprep trsim counterparty --mirror --differ NtnlAmtFrstLeg="11000000 EUR"
    swaprep trsim counterparty --reports their-side.xml --regime emir

`swaprep up` already runs one simulator for every regime (admin URL in its endpoints);
`fault` and `state` talk to that one unless --admin is given.
"""

from __future__ import annotations

import json
import signal
import threading
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import click


def _stack_endpoints() -> dict[str, Any]:
    from swaprep.local.settings import endpoints_file

    path = endpoints_file()
    return json.loads(path.read_text()) if path.exists() else {}


def _admin_url(explicit: str | None) -> str:
    return (explicit or _stack_endpoints().get("trsim_admin") or "http://127.0.0.1:8785") \
        .rstrip("/")


def _call(url: str, body: dict[str, Any] | None = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method="GET" if data is None else "POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as err:
        raise click.ClickException(f"{url}: HTTP {err.code} {err.read().decode()}") from err
    except urllib.error.URLError as err:
        raise click.ClickException(f"no TR simulator admin API at {url}: {err.reason}") from err


@click.group(name="trsim")
def command() -> None:
    """The simulated trade repository (docs/TR-SIMULATOR.md)."""


@command.command()
@click.option("--port", default=8784, show_default=True, help="TR API port (0: any).")
@click.option("--admin-port", default=8785, show_default=True, help="Admin API port.")
@click.option("--s3-endpoint", help="S3 API for feedback (default: the local stack's).")
@click.option("--bucket", help="Feedback bucket (default: the local stack's).")
@click.option("--api-key", envvar="SWAPREP_TR_API_KEY",
              help="Bearer key clients must send (default: the local stack's tr_api_key).")
@click.option("--delay", "delay_s", default=2.0, show_default=True,
              help="Seconds between a submission and its feedback file.")
@click.option("--state-file", type=click.Path(dir_okay=False, path_type=Path),
              help="Keep ledger and UTI states here across restarts.")
@click.option("--known-leis", type=click.File("r"),
              help="File with one LEI per line: any other LEI NACKs as TR-ID-003.")
def serve(port: int, admin_port: int, s3_endpoint: str | None, bucket: str | None,
          api_key: str | None, delay_s: float, state_file: Path | None,
          known_leis: Any) -> None:
    """Run the simulator until Ctrl-C."""
    import os

    from swaprep.local import secrets
    from swaprep.local.httpd import pick_port
    from swaprep.trsim import TrSimulator

    stack = _stack_endpoints()
    config = stack.get("config") or {}
    endpoint = s3_endpoint or stack.get("s3")
    if not endpoint:
        raise click.ClickException("no S3 API: pass --s3-endpoint or start `swaprep up`")
    leis = None
    if known_leis is not None:
        leis = {line.strip() for line in known_leis if line.strip()}
    sim = TrSimulator(
        bucket or (stack.get("buckets") or {}).get("feedback") or "swaprep-feedback",
        api_keys=api_key or secrets.get("tr_api_key", nbytes=24),
        s3_endpoint_url=endpoint,
        s3_access_key_id=config.get("s3_access_key_id") or os.environ.get("AWS_ACCESS_KEY_ID"),
        s3_secret_access_key=config.get("s3_secret_access_key")
        or os.environ.get("AWS_SECRET_ACCESS_KEY"),
        port=pick_port(port) if port else 0, admin_port=pick_port(admin_port) if admin_port else 0,
        feedback_delay_s=delay_s, known_leis=leis, state_path=state_file,
    )
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    with sim:
        click.echo(f"TR simulator: {sim.url}   admin: {sim.admin_url}   "
                   f"feedback: s3://{sim.feedback_bucket} (after {delay_s:g} s)")
        click.echo("Ctrl-C to stop.")
        while not stop.wait(1.0):
            pass


@command.command()
@click.option("--admin", "admin", help="Admin URL (default: the local stack's simulator).")
@click.option("--down/--up", default=None, help="Close (or reopen) the TR API listener.")
@click.option("--slow", "slow_s", type=float, help="Seconds to stall each request (0: off).")
@click.option("--slow-requests", type=int, help="Only this many slow requests.")
@click.option("--fail-next", type=int, help="The next N submissions answer --fail-status.")
@click.option("--fail-status", type=int, help="HTTP status of those answers (default 503).")
@click.option("--retry-after", "retry_after_s", type=int, help="Retry-After on those answers.")
@click.option("--malformed-feedback", type=int, help="The next N feedback files are garbled.")
@click.option("--duplicate-feedback", type=int, help="The next N feedback files come twice.")
@click.option("--delay", "feedback_delay_s", type=float, help="Feedback delay in seconds.")
@click.option("--reset", is_flag=True, help="Clear every fault first.")
def fault(admin: str | None, reset: bool, **changes: Any) -> None:
    """Switch fault modes of a running simulator."""
    url = _admin_url(admin)
    if reset:
        _call(f"{url}/admin/reset", {})
    settings = {k: v for k, v in changes.items() if v is not None}
    if "slow_requests" in settings and "slow_s" not in settings:
        raise click.UsageError("--slow-requests needs --slow")
    state = _call(f"{url}/admin/faults", settings) if settings else _call(f"{url}/admin/state")
    click.echo(json.dumps(state, indent=2))


@command.command()
@click.option("--admin", "admin", help="Admin URL (default: the local stack's simulator).")
def state(admin: str | None) -> None:
    """Show faults, counters and the messages received."""
    url = _admin_url(admin)
    click.echo(json.dumps({**_call(f"{url}/admin/state"), **_call(f"{url}/admin/messages")},
                          indent=2))


@command.command()
def codes() -> None:
    """Print the simulator's code list."""
    from swaprep.trsim.codes import markdown_table

    click.echo(markdown_table())


@command.command()
@click.option("--admin", "admin", help="Admin URL (default: the local stack's simulator).")
@click.option("--date", "day", help="Reference date YYYY-MM-DD (default: the TR's today).")
@click.option("--again", is_flag=True, help="Write a day already written once more.")
def eod(admin: str | None, day: str | None, again: bool) -> None:
    """Write the end-of-day reports (trade state, reconciliation, warnings) of EMIR and UK
    EMIR into the feedback bucket under tr-reports/."""
    body: dict[str, Any] = {"again": again}
    if day:
        body["date"] = day
    written = _call(f"{_admin_url(admin)}/admin/eod", body)["written"]
    click.echo("\n".join(written) if written else "nothing to write (already written today, "
               "or no EMIR / UK EMIR trade held)")


@command.command()
@click.option("--admin", "admin", help="Admin URL (default: the local stack's simulator).")
@click.option("--mirror", "mode", flag_value="mirror",
              help="The other side reported each trade as we did (but --differ).")
@click.option("--none", "mode", flag_value="none",
              help="The other side reported nothing: two-sided trades stay unpaired.")
@click.option("--differ", multiple=True, metavar="FIELD=VALUE",
              help="A matching field the other side reports differently (FIELD= : not at all).")
@click.option("--uti", help="Apply --differ to this UTI only (default: every trade).")
@click.option("--unreported", multiple=True, metavar="UTI",
              help="A trade the other side has not reported.")
@click.option("--reports", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The other side's own auth.030 file to load.")
@click.option("--regime", help="The regime of --reports (emir, uk-emir).")
def counterparty(admin: str | None, mode: str | None, differ: tuple[str, ...], uti: str | None,
                 unreported: tuple[str, ...], reports: Path | None, regime: str | None) -> None:
    """Say what the other side reported, for pairing and matching (docs/TR-SIMULATOR.md)."""
    url = _admin_url(admin)
    if reports is not None:
        if not regime:
            raise click.UsageError("--reports needs --regime")
        request = urllib.request.Request(
            f"{url}/admin/counterparty/reports?regime={regime}", data=reports.read_bytes(),
            method="POST", headers={"Content-Type": "application/xml"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                click.echo(json.dumps(json.loads(response.read()), indent=2))
        except urllib.error.HTTPError as err:
            raise click.ClickException(f"HTTP {err.code} {err.read().decode()}") from err
        if mode is None and not differ and not unreported:
            return
    changes: dict[str, str | None] = {}
    for item in differ:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise click.UsageError(f"--differ {item!r}: expected FIELD=VALUE")
        changes[name] = value or None
    settings = {"mode": mode or ("mirror" if changes or unreported else "none"),
                "differences": {uti or "*": changes} if changes else {},
                "unreported": list(unreported)}
    click.echo(json.dumps(_call(f"{url}/admin/counterparty", settings), indent=2))

"""`swaprep dsbsim serve`: the local stand-in for the ANNA DSB's UPI service (docs/UPI.md).

    swaprep dsbsim serve --port 8786 --key free-key=registered --key power-key=power

Point the pipeline at it with DSB_URL=http://127.0.0.1:8786, DSB_API_KEY and DSB_USER_TYPE.
"""

from __future__ import annotations

import signal
import threading

import click


@click.group(name="dsbsim")
def command() -> None:
    """The simulated ANNA DSB (UPI search, creation, lookup, end-of-day file)."""


@command.command()
@click.option("--port", default=8786, show_default=True, type=int)
@click.option("--key", "keys", multiple=True, metavar="API_KEY=USER_TYPE", required=True,
              help="An API key and its user type (registered, infrequent, standard, "
                   "search_only_api, power); repeatable.")
def serve(port: int, keys: tuple[str, ...]) -> None:
    """Run until interrupted."""
    from swaprep.dsbsim import DsbSimulator

    pairs = [k.split("=", 1) for k in keys]
    if any(len(p) != 2 or not p[0] for p in pairs):
        raise click.BadParameter("each --key is API_KEY=USER_TYPE", param_hint="--key")
    try:
        sim = DsbSimulator(api_keys=dict(pairs), port=port)  # type: ignore[arg-type]
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--key") from None
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    with sim:
        click.echo(f"simulated ANNA DSB on {sim.url} ({len(pairs)} key(s))")
        while not stop.wait(1.0):  # wakes to see a signal's flag
            pass

"""The monitor (docs/MONITOR.md): the every-minute queue sweep, and the checks that turn the
pipeline's state into alerts (deadlines, expired leases, stuck files, TR silence,
reconciliation, anomalies), the lost-trigger sweep and webhook notifications.

One module per check; `run_checks` runs them, each bounded and isolated. Nothing is imported
here: every stage raises alerts through `monitoring.alerts`, and must not pay at cold start
for the sweep or the checks."""

from typing import Any


def sweep_queues(**kwargs: Any) -> dict[str, Any]:
    from shared.services.monitoring.sweep import sweep_queues as sweep

    return sweep(**kwargs)


def run_checks(**kwargs: Any) -> dict[str, Any]:
    from shared.services.monitoring.runner import run_checks as run

    return run(**kwargs)


__all__ = ["run_checks", "sweep_queues"]

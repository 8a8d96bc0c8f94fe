"""The monitor (docs/MONITOR.md): the every-minute queue sweep, and the checks that turn the
pipeline's state into alerts (deadlines, expired leases, stuck files, TR silence,
reconciliation, anomalies), the lost-trigger sweep and webhook notifications.

One module per check; `run_checks` runs them, each bounded and isolated. Only the sweep is
imported eagerly (the checks are imported when they run, for cold start)."""

from shared.services.monitoring.sweep import sweep_queues


def run_checks(**kwargs):
    from shared.services.monitoring.runner import run_checks as run

    return run(**kwargs)


__all__ = ["run_checks", "sweep_queues"]

"""Back-load jobs are worked off here, not in the API request that created them: each tick
advances every tenant's oldest ready job by a bounded slice (`backload_batches_per_tick`
batches, each its own transaction, throttled to the job's rate), so a job survives any
activation's end and resumes from its cursor (shared.services.operations.backload)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from shared.services.monitoring.common import Budget
from shared.services.monitoring.settings import MonitorSettings

if TYPE_CHECKING:
    from shared.services.ports import Database, Invoker, Queue

SLICE_S = 10.0  # kept free at the end of the activation: no batch starts, no pause runs into it


def run_backloads(db: Database, settings: MonitorSettings, queue: Queue | None = None,
                  invoker: Invoker | None = None, budget: Budget | None = None,
                  **_: Any) -> dict[str, Any]:
    from shared.services.operations.backload import run_due

    if queue is None:
        return {"skipped": "no queue"}
    left = budget or Budget()
    return run_due(db, queue, invoker or _NoWake(),
                   batches_per_job=settings.backload_batches_per_tick,
                   seconds_left=lambda: left.left() - SLICE_S)


class _NoWake:
    """Without an invoker the sweep of the next tick starts the validate consumer."""

    def invoke_async(self, name: str, body: dict[str, Any]) -> Any:
        return None

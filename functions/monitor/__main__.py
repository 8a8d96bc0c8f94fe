"""Cron: keep the pipeline moving (wake consumers for queued work), then run the monitor's
checks (docs/MONITOR.md). `task`: "tick" (both, the cron default), "sweep" or "checks"."""

from shared.platform.action import ActionContext, action
from shared.platform.triggers import cron_event_of
from shared.services import bootstrap

TASKS = ("tick", "sweep", "checks")


@action("monitor")
def main(args: dict, ctx: ActionContext) -> dict:
    # Imported here, not at module level: an action pays at cold start only for what it runs.
    from shared.services.monitoring import run_checks, sweep_queues
    from shared.services.monitoring.settings import MonitorSettings

    config, task = ctx.config, args.get("task") or "tick"
    if task not in TASKS:
        return {"error": f"unknown task {task!r}: expected one of {', '.join(TASKS)}"}
    fired = cron_event_of(args)
    db, queue = bootstrap.database(config), bootstrap.queue(config)
    invoker = bootstrap.invoker(config)
    result: dict = {"fired_at": fired.fired_at.isoformat()}
    if task in ("tick", "sweep"):
        result.update(sweep_queues(db=db, queue=queue, invoker=invoker))
    if task in ("tick", "checks"):
        settings = MonitorSettings.from_config(config)
        result["checks"] = run_checks(
            db=db, settings=settings, store=bootstrap.object_store(config), queue=queue,
            invoker=invoker, webhook=bootstrap.webhook(config),
            buckets={name: config.bucket(name) for name in ("inbound", "feedback")},
            deadline_epoch_s=ctx.deadline_epoch_s)
    return result

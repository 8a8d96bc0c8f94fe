"""Cron: keep the pipeline moving (wake consumers for queued work) and raise alerts."""

from shared.platform.action import ActionContext, action
from shared.platform.triggers import cron_event_of
from shared.services import wiring
from shared.services.monitor import sweep_queues


@action("monitor")
def main(args: dict, ctx: ActionContext) -> dict:
    config = ctx.config
    fired = cron_event_of(args)
    result = sweep_queues(db=wiring.database(config), queue=wiring.queue(config),
                          invoker=wiring.invoker(config))
    return {"fired_at": fired.fired_at.isoformat(), **result}

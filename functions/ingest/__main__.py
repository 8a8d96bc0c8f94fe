"""Ingest: record each uploaded file in the ledger, then read queued files into raw_rows.

Started by the inbound bucket's trigger (a bucket event) or as the `ingest` queue's consumer
(`{"queue": "ingest"}`: continuations of large files, re-checks). Either way it then drains
the `ingest` queue until it is empty or the activation's deadline is near.
"""

from shared.platform.action import ActionContext, action
from shared.platform.config import Config
from shared.platform.triggers import object_events
from shared.services import bootstrap
from shared.services.pipeline.ingest_ledger import ingest_object
from shared.services.pipeline.ingest_reading import VISIBILITY_S, drain_ingest_queue


@action("ingest")
def main(args: dict, ctx: ActionContext) -> dict:
    config = ctx.config
    adapters = {
        "db": bootstrap.database(config),
        "store": bootstrap.object_store(config),
        "queue": bootstrap.queue(config),
        "invoker": bootstrap.invoker(config),
    }
    files = [] if args.get("queue") else [
        ingest_object(event, **adapters).as_dict() for event in object_events(args)]
    read = drain_ingest_queue(
        **adapters, deadline_epoch_s=ctx.deadline_epoch_s,
        # the action's own parameter (action.toml), as for the queue stages
        visibility_timeout_s=Config(args, env={}).number("visibility_timeout_s", VISIBILITY_S,
                                                         minimum=1),
    )
    return {"files": files, "read": read}

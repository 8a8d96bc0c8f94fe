"""Object Storage trigger on the inbound bucket: record each uploaded file and queue it."""

from shared.platform.action import ActionContext, action
from shared.platform.triggers import object_events
from shared.services import wiring
from shared.services.ingest import ingest_object


@action("ingest")
def main(args: dict, ctx: ActionContext) -> dict:
    config = ctx.config
    adapters = {
        "db": wiring.database(config),
        "store": wiring.object_store(config),
        "queue": wiring.queue(config),
        "invoker": wiring.invoker(config),
    }
    outcomes = [ingest_object(event, **adapters).as_dict() for event in object_events(args)]
    return {"files": outcomes}

"""Object Storage trigger on the feedback bucket: apply the TR's ACK/NACK files."""

from shared.platform.action import ActionContext, action
from shared.platform.triggers import object_events
from shared.services import bootstrap
from shared.services.pipeline.feedback import apply_feedback_object


@action("feedback")
def main(args: dict, ctx: ActionContext) -> dict:
    db, store = bootstrap.database(ctx.config), bootstrap.object_store(ctx.config)
    outcomes = [apply_feedback_object(event, db=db, store=store).as_dict()
                for event in object_events(args)]
    return {"files": outcomes}

"""Queue consumer: trade events -> rules + lifecycle -> valid / invalid -> `generate` nudges."""

from shared.platform.action import ActionContext, action
from shared.services.pipeline.stage import run_stage
from shared.services.pipeline.validation import handle_validate


@action("validate")
def main(args: dict, ctx: ActionContext) -> dict:
    return run_stage("validate", args, ctx, handle_validate)

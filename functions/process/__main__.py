"""Queue consumer: chunks of raw rows (or online events) -> trade events -> `validate`."""

from shared.platform.action import ActionContext, action
from shared.services.pipeline.process import handle_process
from shared.services.pipeline.stage import run_stage


@action("process")
def main(args: dict, ctx: ActionContext) -> dict:
    return run_stage("process", args, ctx, handle_process)

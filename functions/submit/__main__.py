"""Queue consumer `submit`: deliver report files to their TR
(shared/services/pipeline/submit.py)."""

from shared.platform.action import ActionContext, action
from shared.services.pipeline.stage import run_stage
from shared.services.pipeline.submit import handle


@action("submit")
def main(args: dict, ctx: ActionContext) -> dict:
    return run_stage("submit", args, ctx, handle)

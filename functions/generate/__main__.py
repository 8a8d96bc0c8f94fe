"""Queue consumer and cron: valid events -> batch report files -> `submit` messages."""

from shared.platform.action import ActionContext, action
from shared.services import bootstrap
from shared.services.pipeline.generate import GenerateSettings, flush_all, generate_for_tenant
from shared.services.pipeline.stage import StageContext, run_stage


@action("generate")
def main(args: dict, ctx: ActionContext) -> dict:
    config = ctx.config
    settings = GenerateSettings.from_config(config)
    store, bucket = bootstrap.object_store(config), config.bucket("outbound")
    if args.get("task") == "flush":  # the cron trigger: batches that never filled go out now
        stage = StageContext(ctx)
        result = flush_all(db=stage.db, store=store, bucket=bucket, send=stage.send,
                           settings=settings)
        stage.wake_consumers()
        return result

    def handle(conn, message, stage: StageContext) -> None:
        body = message.body
        regime = body.get("regime")
        generate_for_tenant(conn, tenant_id=message.tenant_id,
                            regimes=[regime] if regime else None, store=store, bucket=bucket,
                            send=stage.send, settings=settings, flush=bool(body.get("flush")))

    return run_stage("generate", args, ctx, handle)

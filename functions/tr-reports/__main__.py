"""Object Storage trigger on the feedback bucket: load the TR's end-of-day reports
(`tr-reports/` keys). Every feedback file starts it too (the trigger has no key filter): those
are ignored before the stage, and the database driver and XML parser, are even imported."""

from shared.domain.reconciliation import OBJECT_PREFIX
from shared.platform.action import ActionContext, action
from shared.platform.triggers import object_events


@action("tr-reports")
def main(args: dict, ctx: ActionContext) -> dict:
    events = object_events(args)
    if not any(e.key.startswith(OBJECT_PREFIX) for e in events):
        return {"files": [{"key": e.key, "status": "ignored"} for e in events]}
    from shared.formats.tr_reports import OpenSwapsFields
    from shared.services import bootstrap
    from shared.services.pipeline.tr_reports import load_tr_report_object

    # a CFTC SDR's own names for its open swaps report's fields (docs/TR-SIMULATOR.md)
    names = OpenSwapsFields.from_setting(ctx.config.get("cftc_open_swaps_fields"))
    db, store = bootstrap.database(ctx.config), bootstrap.object_store(ctx.config)
    return {"files": [load_tr_report_object(event, db=db, store=store,
                                            open_swaps_fields=names).as_dict()
                      for event in events]}

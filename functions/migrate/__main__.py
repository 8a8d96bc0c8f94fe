"""Apply or report the schema migrations (shared/adapters/db/migrations.py) against the
package's `database_url`. `command`: "status" (the default: which are applied, changing
nothing) or "apply" (apply the pending ones, each in its own transaction, serialised by an
advisory lock, so a rerun or a concurrent run is safe)."""

from shared.platform.action import ActionContext, action

COMMANDS = ("status", "apply")


@action("migrate")
def main(args: dict, ctx: ActionContext) -> dict:
    from shared.adapters.db import migrations

    command = args.get("command") or "status"
    if command not in COMMANDS:
        return {"error": f"unknown command {command!r}: expected one of {', '.join(COMMANDS)}"}
    url = ctx.config.require("database_url")
    applied_now = [f"{m.version:04d}_{m.name}" for m in migrations.migrate(url)] \
        if command == "apply" else []
    versions = migrations.status(url)
    done = [f"{v['version']:04d}_{v['name']}" for v in versions if v["applied"]]
    return {"command": command, "applied_now": applied_now,
            "applied_through": done[-1] if done else None,
            "pending": [f"{v['version']:04d}_{v['name']}" for v in versions
                        if not v["applied"]]}

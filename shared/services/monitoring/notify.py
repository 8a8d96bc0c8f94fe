"""Webhook notifications: post an alert when it opens and when it escalates (severity up, or
occurrences crossing 10 / 100 / 1000), never twice in the same state.

The state last posted is recorded on the alert (`notified_state`, "<severity>:<tier>") after
the post succeeded: a failing webhook leaves it as it was, so the next tick posts again
(at-least-once; a post that succeeded but whose record failed is posted once more).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from shared.adapters.db import monitoring as monitor_db
from shared.platform.logging import get_logger
from shared.services.monitoring.alerts import SEVERITIES, mark_notified
from shared.services.monitoring.common import Budget
from shared.services.monitoring.settings import MonitorSettings

if TYPE_CHECKING:
    from shared.services.ports import Database, Webhook

log = get_logger("swaprep.monitor")

TIERS = (1, 10, 100, 1000)
ICONS = {"info": ":information_source:", "warning": ":warning:", "critical": ":rotating_light:"}


def state_of(severity: str, occurrences: int) -> str:
    tier = max(t for t in TIERS if occurrences >= t) if occurrences >= 1 else 1
    return f"{severity}:{tier}"


def escalation(state: str, posted: str | None) -> str | None:
    """Why `state` is worth a post after `posted` ("opened", "escalated to ...",
    "recurred N times"), or None."""
    if not posted:
        return "opened"
    severity, tier = state.split(":")
    old_severity, old_tier = posted.split(":")
    if SEVERITIES.index(severity) > SEVERITIES.index(old_severity):
        return f"escalated to {severity}"
    if int(tier) > int(old_tier):
        return f"recurred {tier}+ times"
    return None


def message(alert: dict[str, Any], reason: str) -> dict[str, Any]:
    """Slack-compatible JSON: `text` (notifications, plain clients) and `blocks`."""
    severity = alert["severity"]
    where = alert["slug"] or "platform"
    text = f"[{severity.upper()}] {where}: {alert['summary']}"
    return {
        "text": text[:3000],
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": _escape(
                f"{ICONS.get(severity, '')} *{severity.upper()}* {where} - {alert['kind']}\n"
                f"{alert['summary']}")[:3000]}},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": _escape(
                f"alert #{alert['id']} {reason}; {alert['occurrences']} occurrence(s) since "
                f"{alert['first_seen_at']:%Y-%m-%d %H:%M:%S} UTC")}]},
        ],
    }


def _escape(text: str) -> str:
    # Slack's mrkdwn control characters; `*` in our own markup is intended.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def notify(db: Database, webhook: Webhook | None, settings: MonitorSettings,
           budget: Budget | None = None, **_: Any) -> dict[str, Any]:
    if webhook is None:
        return {"posted": 0, "webhook": "not configured"}
    budget = budget or Budget()
    with db.system() as conn:
        rows = monitor_db.alerts_due_notification(conn, SEVERITIES)
    posted, failed, pending = 0, None, 0
    for alert in rows:
        state = state_of(alert["severity"], alert["occurrences"])
        reason = escalation(state, alert["notified_state"])
        if reason is None:
            continue
        if posted >= settings.webhook_max_posts or not budget.allows(webhook.timeout_s):
            pending += 1
            continue
        try:
            webhook.post(message(alert, reason))
        except Exception as exc:  # the webhook is down: retried next tick, the run goes on
            failed = str(exc)
            log.warning("webhook post failed", extra={"alert_id": alert["id"], "error": failed})
            break
        with db.system() as conn:
            mark_notified(conn, alert["id"], state)
        posted += 1
    return {"posted": posted, "pending": pending, **({"failed": failed} if failed else {})}

"""The monitor's limits and thresholds, from config (docs/CONFIG.md "monitor")."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from shared.platform.config import Config, ConfigError
from shared.services.monitoring.anomalies import RejectionThresholds, VolumeThresholds

CHECKS = ("lost_triggers", "deadlines", "leases", "stuck_files", "tr_silence",
          "reconciliation", "anomalies", "verification", "backloads", "notify")


@dataclass(frozen=True)
class MonitorSettings:
    at_risk_window_s: int = 7200  # an unacked event due within this is at risk
    lease_grace_s: int = 30  # an expired lease younger than this may just be acking late
    stuck_received_s: int = 600  # an ingest file queued this long and never read
    stuck_parse_heartbeat_s: int = 300  # a reader silent this long (ingest takes over at 120 s)
    stuck_report_s: int = 900  # a report file building / generated / submitting this long
    tr_silence_s: int = 1800  # submitted, no feedback after this
    reconcile_every_s: int = 900  # reconciliation runs at most this often
    anomaly_days: int = 5  # earlier business days the volume baseline is taken from
    rejection_trailing_days: int = 7  # the tenant's trailing rejection share
    volume: VolumeThresholds = field(default_factory=VolumeThresholds)
    rejections: RejectionThresholds = field(default_factory=RejectionThresholds)
    lost_trigger_grace_s: int = 300  # an object younger than this may still get its trigger
    lost_trigger_max_objects: int = 20  # objects handed on per bucket and run
    lost_trigger_max_listed: int = 10000  # keys listed per bucket and run
    check_timeout_s: int = 10  # statement timeout of each check's queries
    tick_interval_s: int = 50  # a check runs at most this often (cron fires every minute)
    examples: int = 5  # example UTIs / files in an alert
    webhook_timeout_s: float = 5.0
    webhook_max_posts: int = 20  # posts per tick (Slack accepts about one a second)
    backload_batches_per_tick: int = 5  # per tenant's back-load job and tick (the throttle)
    checks: tuple[str, ...] = CHECKS

    @classmethod
    def from_config(cls, config: Config) -> MonitorSettings:
        values: dict[str, Any] = {}
        for f in fields(cls):
            if f.name in ("volume", "rejections", "checks"):
                continue
            name = (f.name if f.name.startswith(("webhook_", "backload_"))
                    else f"monitor_{f.name}")
            default = getattr(cls, f.name)
            values[f.name] = (config.number(name, default) if isinstance(default, float)
                              else config.integer(name, default))
        volume, rejections = VolumeThresholds(), RejectionThresholds()
        values["volume"] = VolumeThresholds(
            drop_ratio=config.number("monitor_volume_drop_ratio", volume.drop_ratio),
            spike_ratio=config.number("monitor_volume_spike_ratio", volume.spike_ratio),
            min_baseline=config.number("monitor_volume_min_baseline", volume.min_baseline))
        values["rejections"] = RejectionThresholds(
            min_count=config.integer("monitor_rejection_min_count", rejections.min_count),
            min_rate=config.number("monitor_rejection_min_rate", rejections.min_rate),
            spike_ratio=config.number("monitor_rejection_spike_ratio", rejections.spike_ratio))
        wanted = config.get("monitor_checks")
        if wanted:
            names = tuple(n.strip() for n in str(wanted).split(",") if n.strip())
            unknown = sorted(set(names) - set(CHECKS))
            if unknown:
                raise ConfigError(f"setting 'monitor_checks' names unknown check(s) "
                                  f"{', '.join(unknown)}; known: {', '.join(CHECKS)}")
            values["checks"] = names
        return cls(**values)

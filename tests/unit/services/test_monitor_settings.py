"""Monitor settings come from config with clear errors; notification states order escalations."""

import pytest

from shared.platform.config import Config, ConfigError
from shared.services.monitoring.notify import escalation, state_of
from shared.services.monitoring.settings import CHECKS, MonitorSettings


def test_defaults_and_overrides_from_config():
    assert MonitorSettings.from_config(Config({}, env={})) == MonitorSettings()
    settings = MonitorSettings.from_config(Config({
        "monitor_at_risk_window_s": "3600", "monitor_volume_drop_ratio": "0.25",
        "monitor_rejection_min_count": 3, "webhook_timeout_s": "2.5",
        "monitor_checks": "deadlines, notify"}, env={}))
    assert settings.at_risk_window_s == 3600 and settings.volume.drop_ratio == 0.25
    assert settings.rejections.min_count == 3 and settings.webhook_timeout_s == 2.5
    assert settings.checks == ("deadlines", "notify")
    assert MonitorSettings().checks == CHECKS


@pytest.mark.parametrize(("args", "message"), [
    ({"monitor_tr_silence_s": "soon"}, "'monitor_tr_silence_s' must be an integer"),
    ({"monitor_volume_spike_ratio": "x"}, "'monitor_volume_spike_ratio' must be a number"),
    ({"monitor_checks": "deadlines,nap"}, "unknown check(s) nap"),
])
def test_bad_settings_name_the_setting(args, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        MonitorSettings.from_config(Config(args, env={}))


@pytest.mark.parametrize(("occurrences", "state"), [
    (1, "warning:1"), (9, "warning:1"), (10, "warning:10"), (999, "warning:100"),
    (5000, "warning:1000")])
def test_states_tier_occurrences(occurrences, state):
    assert state_of("warning", occurrences) == state


def test_only_an_escalation_is_worth_a_post():
    assert escalation("warning:1", None) == "opened"
    assert escalation("warning:1", "warning:1") is None
    assert escalation("warning:10", "warning:1") == "recurred 10+ times"
    assert escalation("critical:10", "warning:10") == "escalated to critical"
    assert escalation("warning:100", "critical:10") == "recurred 100+ times"
    assert escalation("warning:10", "critical:10") is None

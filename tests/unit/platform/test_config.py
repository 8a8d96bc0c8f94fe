"""Settings resolve as NCP merges parameters, then environment, then defaults; secrets masked."""

import pytest

from shared.platform.config import Config, ConfigError, merge_parameters


def test_ncp_precedence_invocation_over_trigger_over_action_over_package():
    merged = merge_parameters(
        {"a": "package", "b": "package", "c": "package", "d": "package"},
        {"b": "action", "c": "action", "d": "action"},
        {"c": "trigger", "d": "trigger"},
        {"d": "invocation"},
    )
    assert merged == {"a": "package", "b": "action", "c": "trigger", "d": "invocation"}


def test_parameters_win_over_environment_and_environment_over_defaults():
    env = {"DATABASE_URL": "postgresql://env", "S3_REGION": "us-standard"}
    assert Config({"database_url": "postgresql://param"}, env).get("database_url") == (
        "postgresql://param"
    )
    assert Config({}, env).get("database_url") == "postgresql://env"
    assert Config({}, env).get("s3_region") == "us-standard"
    assert Config({}, {}).get("s3_region") == "kr-standard"
    assert Config({}, {}).get("s3_endpoint_url") == "https://kr.object.ncloudstorage.com"


def test_missing_required_setting_names_the_parameter_and_the_variable():
    with pytest.raises(ConfigError, match=r"'database_url'.*DATABASE_URL"):
        Config({}, {}).require("database_url")


def test_typed_accessors_reject_garbage_clearly():
    assert Config({"batch_size": "25"}, {}).get_int("batch_size", 10) == 25
    with pytest.raises(ConfigError, match="must be an integer"):
        Config({"batch_size": "many"}, {}).get_int("batch_size", 10)
    assert Config({"flag": "yes"}, {}).get_bool("flag") is True


def test_describe_masks_secrets():
    shown = Config({"database_url": "postgresql://u:pw@h/db", "s3_secret_access_key": "s"}, {})
    described = shown.describe(["database_url", "s3_secret_access_key", "s3_region"])
    assert described == {"database_url": "***", "s3_secret_access_key": "***",
                         "s3_region": "kr-standard"}

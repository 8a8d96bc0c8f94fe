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
    assert Config({"batch_size": "25"}, {}).integer("batch_size", 10) == 25
    with pytest.raises(ConfigError, match="must be an integer"):
        Config({"batch_size": "many"}, {}).integer("batch_size", 10)
    assert Config({"flag": "yes"}, {}).get_bool("flag") is True


def test_integer_getter():
    assert Config({}, {}).integer("batch_size", 10) == 10  # missing: the default
    assert Config({}, {"BATCH_SIZE": " 25 "}).integer("batch_size", 10) == 25
    assert Config({"batch_size": 25.0}, {}).integer("batch_size", 10) == 25
    for bad in ("many", "2.5", 2.5, True):
        with pytest.raises(ConfigError, match=r"setting 'batch_size' must be an integer, got "):
            Config({"batch_size": bad}, {}).integer("batch_size", 10)
    assert Config({"batch_size": "1"}, {}).integer("batch_size", 10, minimum=1) == 1
    with pytest.raises(ConfigError, match=r"'batch_size' must be at least 1, got 0"):
        Config({"batch_size": "0"}, {}).integer("batch_size", 10, minimum=1)
    with pytest.raises(ConfigError, match=r"'sqs_wait_time_s' must be between 0 and 20, got 21"):
        Config({"sqs_wait_time_s": 21}, {}).integer("sqs_wait_time_s", 0, minimum=0, maximum=20)


def test_number_getter():
    assert Config({}, {}).number("webhook_timeout_s", 5.0) == 5.0
    assert Config({"webhook_timeout_s": "2.5"}, {}).number("webhook_timeout_s", 5.0) == 2.5
    assert Config({"webhook_timeout_s": 3}, {}).number("webhook_timeout_s", 5.0) == 3.0
    for bad in ("soon", "nan", "inf", False):
        with pytest.raises(ConfigError,
                           match=r"setting 'webhook_timeout_s' must be a number, got "):
            Config({"webhook_timeout_s": bad}, {}).number("webhook_timeout_s", 5.0)
    with pytest.raises(ConfigError, match=r"'jwt_jwks_cache_s' must be at least 0, got -1.0"):
        Config({"JWT_JWKS_CACHE_S": "-1"}, {}).number("jwt_jwks_cache_s", 300, minimum=0)
    with pytest.raises(ConfigError, match=r"'ratio' must be at most 1, got 1.5"):
        Config({"ratio": "1.5"}, {}).number("ratio", 0.5, maximum=1)


def test_describe_masks_secrets():
    shown = Config({"database_url": "postgresql://u:pw@h/db", "s3_secret_access_key": "s"}, {})
    described = shown.describe(["database_url", "s3_secret_access_key", "s3_region"])
    assert described == {"database_url": "***", "s3_secret_access_key": "***",
                         "s3_region": "kr-standard"}

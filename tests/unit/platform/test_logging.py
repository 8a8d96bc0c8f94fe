"""JSON log lines carry their context and never carry secrets."""

import json
import logging

from shared.platform import logging as slog


def test_context_fields_tag_every_line_inside_the_block(capsys):
    slog.configure("INFO")
    log = slog.get_logger("t")
    with slog.log_context(activation_id="a-1", tenant_id="t-1"):
        with slog.log_context(correlation_id="c-1"):
            log.info("inner", extra={"rows": 3})
        log.info("outer")
    log.info("after")
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    inner, outer, after = lines[-3:]
    assert inner["activation_id"] == "a-1" and inner["correlation_id"] == "c-1"
    assert inner["rows"] == 3 and inner["tenant_id"] == "t-1"
    assert "correlation_id" not in outer and outer["tenant_id"] == "t-1"
    assert "activation_id" not in after


def test_secrets_are_masked_by_name_and_inside_urls(capsys):
    slog.configure(logging.INFO)
    slog.get_logger("t").info(
        "config", extra={"s3_secret_access_key": "AKIA-SECRET",
                         "target": "postgresql://swaprep:pw123@10.0.0.1/db"}
    )
    line = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert line["s3_secret_access_key"] == "***"
    assert line["target"] == "postgresql://swaprep:***@10.0.0.1/db"

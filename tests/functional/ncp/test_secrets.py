"""Failures provoked with a known secret in the request body and as the key: the secret
appears in no exception text and no log record."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import pytest

from swaprep.ncp.client import NcpApiError, NcpClient
from swaprep.ncp.controlplane import ControlPlane
from tests.functional.ncp.conftest import ACCESS_KEY, SECRET_KEY, VPC, api, inject
from tests.unit.ncp.zips import action_body

DB_PASSWORD = "db-Pa55word-that-must-stay-hidden"


def provocations(plane: ControlPlane) -> dict[str, Callable[[], NcpClient]]:
    assert plane.url is not None
    url = plane.url

    def plain() -> NcpClient:
        return NcpClient(url, ACCESS_KEY, SECRET_KEY, max_attempts=2, sleep=lambda s: None)

    def wrong_secret() -> NcpClient:
        return NcpClient(url, ACCESS_KEY, DB_PASSWORD + "-as-key", max_attempts=2)

    def stale() -> NcpClient:
        return NcpClient(url, ACCESS_KEY, SECRET_KEY, clock=lambda: time.time() - 900)

    def burst() -> NcpClient:
        inject(plane, status=503, count=2)
        return plain()

    def dropped() -> NcpClient:
        inject(plane, drop=2)
        return plain()

    return {"bad memory": plain, "wrong secret": wrong_secret, "stale": stale,
            "503 burst": burst, "dropped": dropped}


@pytest.mark.parametrize("case", ["bad memory", "wrong secret", "stale", "503 burst",
                                  "dropped"])
def test_no_secret_leaks(plane: ControlPlane, caplog: pytest.LogCaptureFixture,
                         case: str) -> None:
    client = provocations(plane)[case]()
    body = action_body(memory=300 if case == "bad memory" else 256,
                       parameters={"db_password": DB_PASSWORD, "db_url":
                                   f"postgresql://app:{DB_PASSWORD}@10.0.0.5/swaprep"})
    with caplog.at_level(logging.DEBUG), pytest.raises(NcpApiError) as caught:
        client.request("PUT", api("/packages/-/actions/leaky"), query=VPC, body=body)
    error = caught.value
    texts = [str(error), repr(error), error.message, str(error.details),
             *map(str, error.args), *(r.getMessage() for r in caplog.records),
             *(str(r.args) for r in caplog.records)]
    for secret in (DB_PASSWORD, SECRET_KEY, DB_PASSWORD + "-as-key"):
        assert not [text for text in texts if secret in text], case
    assert error.__cause__ is None

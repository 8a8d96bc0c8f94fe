"""`swaprep deploy verify`: the smoke test after a deploy, through the same doors a bank uses.

1. `GET /api/health` through the gateway URL: the database, buckets and queues answer.
2. Sign in as the verify user (a viewer of a canary tenant is enough).
3. Upload a canary FEP file of one new KRW interest-rate swap to the inbound bucket, under the
   canary tenant's prefix, as an FEP would.
4. Follow its trade through the API until it is final: acknowledged by the TR is success;
   rejected (NACK) or refused by a rule is a failure, reported with the codes.

Point the canary tenant at a TR's test endpoint on a production deploy: its report is real.
The `[verify]` section of the deploy env names the URL, the tenant and LEIs, the user and its
password (a secret, by reference).
"""

from __future__ import annotations

import csv
import io
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import requests

from shared.platform import clock
from swaprep.deploy.envfile import DeployEnv, DeployEnvError

# not_reportable: the canary's routing owes no report (the tenant's entities do not include
# `tenant_lei`): a failure of the deploy's settings, not of the pipeline
FINAL = {"acked": True, "nacked": False, "invalid": False, "cancelled": False,
         "not_reportable": False}
Log = Callable[[str], None]


@dataclass
class VerifyResult:
    ok: bool
    lines: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class VerifySettings:
    api_url: str
    tenant: str
    tenant_lei: str
    counterparty_lei: str
    username: str
    password: str

    @classmethod
    def of(cls, env: DeployEnv) -> VerifySettings:
        section = env.verify
        missing = [k for k in ("api_url", "tenant", "tenant_lei", "counterparty_lei",
                               "username", "password") if not section.get(k)]
        if missing:
            raise DeployEnvError(f"{env.path}: [verify] needs {', '.join(missing)}")
        return cls(**{k: str(section[k]).rstrip("/") if k == "api_url" else str(section[k])
                      for k in ("api_url", "tenant", "tenant_lei", "counterparty_lei",
                                "username", "password")})


def canary_csv(settings: VerifySettings, uti: str) -> bytes:
    """One clean NEWT in the default FEP profile (docs/FEP-FORMATS.md), executed a minute ago."""
    executed = clock.now().replace(microsecond=0) - timedelta(minutes=1)
    effective = executed.date() + timedelta(days=2)
    row = {
        "trade_id": f"CANARY-{uti[-12:]}", "uti": uti, "action_type": "NEWT",
        "event_type": "TRAD", "execution_timestamp": executed.isoformat(),
        "event_timestamp": executed.isoformat(), "effective_date": effective.isoformat(),
        "expiration_date": effective.replace(year=effective.year + 1).isoformat(),
        "asset_class": "IR", "product": "InterestRate:IRSwap:FixedFloat",
        "counterparty_1_lei": settings.tenant_lei, "counterparty_2_lei": settings.counterparty_lei,
        "counterparty_2_name": "Canary counterparty", "direction": "PAY_FIXED",
        "notional_1": "1000000000", "notional_currency_1": "KRW", "fixed_rate": "3.1",
        "floating_index": "KRW-CD-KSDA-BLOOMBERG", "floating_tenor": "3M", "cleared": "N",
    }
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(row), lineterminator="\n")
    writer.writeheader()
    writer.writerow(row)
    return out.getvalue().encode()


def verify(env: DeployEnv, *, timeout_s: float = 300.0, poll_s: float = 2.0,
           log: Log | None = None, session: requests.Session | None = None) -> VerifyResult:
    log = log or (lambda _message: None)
    settings = VerifySettings.of(env)
    http = session or requests.Session()
    result = VerifyResult(ok=False)

    def say(line: str) -> None:
        result.lines.append(line)
        log(line)

    health = http.get(f"{settings.api_url}/api/health", timeout=30)
    body = _json(health)
    if health.status_code != 200 or body.get("status") != "ok":
        bad = {k: v.get("status") for k, v in (body.get("components") or {}).items()
               if isinstance(v, dict) and v.get("status") != "ok"}
        say(f"health: {health.status_code} {body.get('status')}; not ok: {bad or '?'}")
        return result
    say(f"health: ok ({', '.join(sorted(body.get('components') or {}))})")

    signed = http.post(f"{settings.api_url}/api/auth/token", timeout=30,
                       json={"username": settings.username, "password": settings.password})
    if signed.status_code != 200:
        say(f"sign-in as {settings.username}: {signed.status_code} "
            f"{_json(signed).get('detail', '')}".rstrip())
        return result
    headers = {"Authorization": f"Bearer {_json(signed)['access_token']}"}
    say(f"sign-in as {settings.username}: ok")

    uti = f"{settings.tenant_lei}CANARY{clock.now():%Y%m%d%H%M%S}{uuid.uuid4().hex[:6].upper()}"
    key = f"{settings.tenant}/{clock.now():%Y-%m-%d}/canary-{uti[-20:]}.csv"
    _upload(env, key, canary_csv(settings, uti))
    say(f"canary: uploaded {key} (UTI {uti})")

    started = time.monotonic()
    last_state = None
    while time.monotonic() - started < timeout_s:
        answer = http.get(f"{settings.api_url}/api/trades/{uti}", headers=headers, timeout=30)
        if answer.status_code == 200:
            detail = _json(answer)
            state = (detail.get("trade") or {}).get("state")
            if state != last_state:
                say(f"canary: {state} after {time.monotonic() - started:.0f} s")
                last_state = state
            if state in FINAL:
                result.ok = FINAL[state]
                if not result.ok:
                    say(f"canary: {state}: {', '.join(_codes(detail)) or 'no code given'}")
                return result
        elif answer.status_code != 404:
            say(f"canary: GET /api/trades/{uti}: {answer.status_code}")
            return result
        time.sleep(poll_s)
    say(f"canary: not final after {timeout_s:.0f} s (last state: {last_state or 'not seen'})")
    return result


def _upload(env: DeployEnv, key: str, data: bytes) -> None:
    from swaprep.deploy.buckets import BucketSettingsApi

    bucket = env.buckets.get("inbound")
    if not bucket:
        raise DeployEnvError(f"{env.path}: [buckets] inbound is needed for the canary")
    BucketSettingsApi.for_env(env).s3.put_object(Bucket=bucket, Key=key, Body=data,
                                                  ContentType="text/csv")


def _json(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _codes(detail: dict[str, Any]) -> list[str]:
    codes = []
    for event in detail.get("events") or []:
        codes += [i.get("rule_id") for i in event.get("issues") or [] if i.get("rule_id")]
        codes += [r.get("tr_code") for r in event.get("report_items") or [] if r.get("tr_code")]
    return sorted(set(codes))

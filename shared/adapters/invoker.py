"""Wake a consumer action without waiting for it: the producer's half of queue dispatch.

NCP has no queue trigger, so after enqueueing, a producer invokes the consumer action
non-blocking; a cron sweep (the `monitor` action) re-invokes consumers for anything left,
so a lost wake-up delays work but never loses it. Adapters:
- `NcpInvoker`: Cloud Functions REST API `POST /ncf/api/v2/packages/{pkg}/actions/{action}`
  with `timeout=0` (answers with the activation id at once) and the HMAC-SHA256
  `x-ncp-apigw-signature-v2` headers;
- `LocalHostInvoker`: the local stack's function host (`POST {url}/invoke/{action}`);
- `NullInvoker`: nothing, leaving it to the sweep.
Uses the standard library's HTTP client: nothing to package, nothing to import at cold start.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from typing import Any, Protocol
from urllib.parse import quote

from shared.platform.config import Config
from shared.platform.logging import get_logger

log = get_logger("swaprep.invoker")

NCP_FUNCTIONS_API = "https://cloudfunctions.apigw.ntruss.com"


class Invoker(Protocol):
    def invoke_async(self, action: str, params: dict[str, Any]) -> str | None:
        """Start `action` with `params`; return the activation id, or None if not started."""


class NullInvoker:
    def invoke_async(self, action: str, params: dict[str, Any]) -> str | None:
        return None


def _post(url: str, body: dict[str, Any], headers: dict[str, str], timeout_s: float) -> Any:
    data = json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method="POST", headers={
        "Content-Type": "application/json; charset=utf-8", **headers})
    with urllib.request.urlopen(request, timeout=timeout_s) as response:
        return json.loads(response.read() or b"null")


def ncp_signature(method: str, uri: str, timestamp_ms: str, access_key: str,
                  secret_key: str) -> str:
    """NCP API Gateway signature v2: base64(HMAC-SHA256(secret, "METHOD URI\\nts\\naccess"))."""
    message = f"{method} {uri}\n{timestamp_ms}\n{access_key}"
    digest = hmac.new(secret_key.encode(), message.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


class NcpInvoker:
    def __init__(
        self, access_key: str, secret_key: str, package: str = "-", *,
        base_url: str = NCP_FUNCTIONS_API, platform: str = "vpc", timeout_s: float = 5.0,
    ) -> None:
        self.access_key, self._secret = access_key, secret_key
        self.package, self.base_url, self.platform = package, base_url.rstrip("/"), platform
        self.timeout_s = timeout_s

    def request_for(self, action: str, now_ms: int | None = None) -> tuple[str, dict[str, str]]:
        uri = (
            f"/ncf/api/v2/packages/{quote(self.package, safe='-')}/actions/"
            f"{quote(action, safe='')}?platform={self.platform}&timeout=0"
        )
        timestamp = str(now_ms if now_ms is not None else int(time.time() * 1000))
        headers = {
            "x-ncp-apigw-timestamp": timestamp,
            "x-ncp-iam-access-key": self.access_key,
            "x-ncp-apigw-signature-v2": ncp_signature(
                "POST", uri, timestamp, self.access_key, self._secret
            ),
        }
        return self.base_url + uri, headers

    def invoke_async(self, action: str, params: dict[str, Any]) -> str | None:
        url, headers = self.request_for(action)
        try:
            answer = _post(url, params, headers, self.timeout_s)
        except (urllib.error.URLError, TimeoutError, ValueError) as exc:
            log.warning("wake-up failed; the cron sweep will retry",
                        extra={"target": action, "error": str(exc)})
            return None
        content = answer.get("content", answer) if isinstance(answer, dict) else {}
        return content.get("activationId") if isinstance(content, dict) else None


class LocalHostInvoker:
    def __init__(self, url: str, token: str, timeout_s: float = 5.0) -> None:
        self.url, self._token, self.timeout_s = url.rstrip("/"), token, timeout_s

    def invoke_async(self, action: str, params: dict[str, Any]) -> str | None:
        try:
            answer = _post(
                f"{self.url}/invoke/{quote(action, safe='')}?blocking=false", params,
                {"Authorization": f"Bearer {self._token}"}, self.timeout_s,
            )
        except (urllib.error.URLError, TimeoutError, ValueError) as exc:
            log.warning("wake-up failed; the dispatcher will pick the work up",
                        extra={"target": action, "error": str(exc)})
            return None
        return answer.get("activationId") if isinstance(answer, dict) else None


def invoker_from_config(config: Config) -> Invoker:
    """NCP when its API keys are configured, the local host when running locally, else none."""
    local_url = config.get("local_invoke_url")
    if local_url:
        return LocalHostInvoker(local_url, config.require("local_invoke_token"))
    access_key = config.get("ncp_access_key")
    if access_key:
        return NcpInvoker(
            access_key, config.require("ncp_secret_key"), config.get("ncp_functions_package", "-"),
            base_url=config.get("ncp_functions_api", NCP_FUNCTIONS_API),
        )
    return NullInvoker()

"""Chat webhook (Slack-compatible incoming webhook): POST a JSON message, with a timeout.

The URL is a secret (whoever has it can post to the channel): it is never logged, never in
an error message and not in `repr`. Standard library only (urllib): nothing to import at
cold start, nothing to ship.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any


class WebhookError(RuntimeError):
    """The post failed; the message says how, without the URL."""


class Webhook:
    def __init__(self, url: str, timeout_s: float = 5.0) -> None:
        scheme = urllib.parse.urlsplit(url).scheme
        if scheme not in ("http", "https"):
            raise ValueError(f"webhook_url must be an http(s) URL, got scheme {scheme!r}")
        self._url, self.timeout_s = url, timeout_s

    def __repr__(self) -> str:
        return f"Webhook(timeout_s={self.timeout_s})"

    def post(self, message: dict[str, Any]) -> None:
        body = json.dumps(message, ensure_ascii=False).encode()
        request = urllib.request.Request(
            self._url, data=body, method="POST",
            headers={"Content-Type": "application/json; charset=utf-8"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                response.read(1024)
        except urllib.error.HTTPError as exc:
            raise WebhookError(f"webhook answered HTTP {exc.code}") from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise WebhookError(f"webhook unreachable: {type(reason).__name__}: "
                               f"{_without(str(reason), self._url)}") from None


def _without(text: str, url: str) -> str:
    return text.replace(url, "<webhook_url>")


def webhook_from_config(config: Any) -> Webhook | None:
    """The configured webhook, or None when `webhook_url` is not set."""
    url = config.get("webhook_url")
    if not url:
        return None
    return Webhook(str(url), config.number("webhook_timeout_s", 5.0))

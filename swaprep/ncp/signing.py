"""NCP API Gateway request signing (signature v2), both sides.

A request carries three headers: `x-ncp-apigw-timestamp` (epoch milliseconds),
`x-ncp-iam-access-key` and `x-ncp-apigw-signature-v2` =
base64(HMAC-SHA256(secret, METHOD + " " + path-with-query + "\\n" + timestamp + "\\n" + key)).
The path is signed with its query exactly as sent; host and body are not signed. The gateway
refuses a timestamp 5 minutes or more away from its clock.
Source: https://api.ncloud-docs.com/docs/en/common-ncpapi (and api-call-lgc-requestresponse).
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping

from shared.adapters.invoker import ncp_signature

TIMESTAMP_HEADER = "x-ncp-apigw-timestamp"
ACCESS_KEY_HEADER = "x-ncp-iam-access-key"
SIGNATURE_HEADER = "x-ncp-apigw-signature-v2"
# "a difference of 5 minutes or more from the API Gateway server is an invalid request"
MAX_CLOCK_SKEW_MS = 5 * 60 * 1000


def string_to_sign(method: str, uri: str, timestamp_ms: str, access_key: str) -> str:
    """The exact message NCP signs (shown for diagnostics; `sign_headers` computes it too)."""
    return f"{method} {uri}\n{timestamp_ms}\n{access_key}"


def sign_headers(
    method: str, uri: str, access_key: str, secret_key: str, *, now_ms: int
) -> dict[str, str]:
    """The three authentication headers for `method uri` (uri = path + "?" + query as sent)."""
    timestamp = str(int(now_ms))
    return {
        TIMESTAMP_HEADER: timestamp,
        ACCESS_KEY_HEADER: access_key,
        SIGNATURE_HEADER: ncp_signature(method, uri, timestamp, access_key, secret_key),
    }


class SignatureRejected(Exception):
    """Why a request's authentication headers were refused, in plain words (no secrets)."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field, self.reason = field, reason


def _header(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    if value is None:  # a plain dict is case-sensitive; HTTP header names are not
        lowered = name.lower()
        value = next((v for k, v in headers.items() if k.lower() == lowered), None)
    return value


def verify_request(
    method: str,
    uri: str,
    headers: Mapping[str, str],
    *,
    access_key: str,
    secret_key: str,
    now_ms: int,
) -> None:
    """Raise SignatureRejected unless the headers authenticate `method uri` for this key pair
    with a timestamp less than 5 minutes from `now_ms` (either way)."""
    timestamp = _header(headers, TIMESTAMP_HEADER)
    key = _header(headers, ACCESS_KEY_HEADER)
    signature = _header(headers, SIGNATURE_HEADER)
    for name, value in ((TIMESTAMP_HEADER, timestamp), (ACCESS_KEY_HEADER, key),
                        (SIGNATURE_HEADER, signature)):
        if not value:
            raise SignatureRejected(name, "header missing")
    assert timestamp is not None and key is not None and signature is not None
    if not timestamp.isascii() or not timestamp.isdigit():
        raise SignatureRejected(TIMESTAMP_HEADER, "must be epoch milliseconds (digits only)")
    skew_ms = abs(now_ms - int(timestamp))
    if skew_ms >= MAX_CLOCK_SKEW_MS:
        raise SignatureRejected(
            TIMESTAMP_HEADER,
            f"{skew_ms / 60000:.1f} minutes away from the server clock (limit: under 5)",
        )
    if not hmac.compare_digest(key.encode(), access_key.encode()):
        raise SignatureRejected(ACCESS_KEY_HEADER, "unknown access key")
    expected = ncp_signature(method, uri, timestamp, access_key, secret_key)
    if not hmac.compare_digest(signature.encode(), expected.encode()):
        raise SignatureRejected(
            SIGNATURE_HEADER, "does not match the method, path with query and timestamp"
        )

"""The local invoke API: how producers wake consumers, as they would with NCP's
`POST /ncf/api/v2/packages/{pkg}/actions/{action}` (non-blocking invoke).

On 127.0.0.1 only, every request needs `Authorization: Bearer <local_invoke_token>` (a
random token per stack start, handed to actions as the package parameter
`local_invoke_token`; the base URL is `local_invoke_url`):

    POST {local_invoke_url}/invoke/<action>?blocking=false   body: JSON object of params
         -> 202 {"activationId": "..."}
    POST {local_invoke_url}/invoke/<action>?blocking=true
         -> 200 the activation record (status, result, logs, ...)
    GET  {local_invoke_url}/activations/<id>
         -> 200 the activation record, if this host ran it recently

Refusals: 401 (token), 404 (no such action), 400 (body not a JSON object),
413 (parameters above 1 MB), 503 (stack stopping); each as {"error": "..."}.
"""

from __future__ import annotations

import hmac
import json
from urllib.parse import parse_qs, unquote, urlsplit

from swaprep.local.host import PARAMS_LIMIT_BYTES, Host, HostError
from swaprep.local.httpd import BodyTooLarge, LoopbackServer, QuietHandler

BODY_LIMIT_BYTES = 4 * PARAMS_LIMIT_BYTES  # the host enforces the real 1 MB limit


class _InvokeHandler(QuietHandler):
    server: LoopbackServer

    def _authorised(self) -> bool:
        token: str = self.server.context["token"]
        given = self.headers.get("Authorization", "")
        scheme, _, value = given.partition(" ")
        ok = scheme.lower() == "bearer" and hmac.compare_digest(value.strip(), token)
        if not ok:
            self.send_json(
                401, {"error": "The supplied authentication is not authorized to access this "
                               "resource."},
                {"WWW-Authenticate": "Bearer"},
            )
        return ok

    def do_GET(self) -> None:
        parts = urlsplit(self.path).path.strip("/").split("/")
        if parts == ["health"]:
            self.send_json(200, {"ok": True})
            return
        if not self._authorised():
            return
        host: Host = self.server.context["host"]
        if len(parts) == 2 and parts[0] == "activations":
            activation = host.get(parts[1])
            if activation is not None:
                self.send_json(200, activation.to_json())
                return
        self.send_json(404, {"error": "The requested resource does not exist."})

    def do_POST(self) -> None:
        try:
            body = self.read_body(BODY_LIMIT_BYTES)
        except BodyTooLarge as exc:
            self.send_json(413, {"error": str(exc)})
            return
        if not self._authorised():
            return
        host: Host = self.server.context["host"]
        url = urlsplit(self.path)
        parts = url.path.strip("/").split("/")
        if len(parts) != 2 or parts[0] != "invoke" or not parts[1]:
            self.send_json(404, {"error": "The requested resource does not exist."})
            return
        action = unquote(parts[1])
        blocking = parse_qs(url.query).get("blocking", ["false"])[0].lower() == "true"
        try:
            params = json.loads(body or b"{}")
        except ValueError:
            params = None
        if not isinstance(params, dict):
            self.send_json(400, {"error": "The request body must be a JSON object."})
            return
        try:
            if blocking:
                self.send_json(200, host.run(action, params, trigger="invoke").to_json())
            else:
                self.send_json(202, {"activationId": host.submit(action, params, trigger="invoke")})
        except HostError as exc:
            self.send_json(exc.http_status, {"error": str(exc)})


class InvokeServer(LoopbackServer):
    """The invoke API for `host` on 127.0.0.1:`port` (0: any free port)."""

    def __init__(self, host: Host, token: str, port: int = 0) -> None:
        super().__init__(port, _InvokeHandler, host=host, token=token)

    def start(self, name: str = "invoke-api") -> InvokeServer:
        super().start(name)
        return self

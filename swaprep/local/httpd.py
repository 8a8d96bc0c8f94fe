"""Small pieces shared by the local HTTP servers (gateway, invoke API): the standard
library's threaded server, bound to loopback, run in a background thread."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

LOOPBACK = "127.0.0.1"
DRAIN_LIMIT_BYTES = 64 * 1_048_576  # beyond this, a too-large body is not read: we hang up


class LoopbackServer(ThreadingHTTPServer):
    daemon_threads = True
    # socketserver's default backlog is 5: a burst of new connections (a console opening
    # several, a load test) overflowed it and waited out a 1 s SYN retransmit.
    request_queue_size = 128
    # Restarting the stack must be able to take its usual port back at once.
    allow_reuse_address = True

    def __init__(self, port: int, handler: type[BaseHTTPRequestHandler], **context: Any):
        self.context = context
        super().__init__((LOOPBACK, port), handler)
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self.server_address[1]

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def start(self, name: str) -> LoopbackServer:
        self._thread = threading.Thread(
            target=self.serve_forever, kwargs={"poll_interval": 0.1}, name=name, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread:
            self.shutdown()
            self._thread.join(5.0)
        self.server_close()


def port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind((LOOPBACK, port))
        except OSError:
            return False
        return True


def pick_port(preferred: int | None) -> int:
    """`preferred` if it is free (stable URLs between runs), else any free port."""
    if preferred and port_is_free(preferred):
        return preferred
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


class BodyTooLarge(ValueError):
    def __init__(self, size: int) -> None:
        super().__init__(f"Request larger than allowed: {size} bytes or more.")
        self.size = size


class QuietHandler(BaseHTTPRequestHandler):
    """A handler that keeps the terminal quiet and answers JSON easily."""

    protocol_version = "HTTP/1.1"
    server_version = "swaprep-local"
    # Headers and body leave in separate writes; with Nagle on, the body waits for the
    # client's delayed ACK of the headers: +40 ms on every keep-alive answer.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def read_body(self, limit: int) -> bytes:
        """The raw request body (Content-Length or chunked); BodyTooLarge beyond `limit`."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks, total = [], 0
            while True:
                size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return b"".join(chunks)
                total += size
                if total > limit:
                    self.close_connection = True  # the rest of the body is never read
                    raise BodyTooLarge(total)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        if length > limit:
            if length <= DRAIN_LIMIT_BYTES:
                # Read the body away so that the client, still sending, gets our 413.
                remaining = length
                while remaining > 0:
                    chunk = self.rfile.read(min(remaining, 1 << 20))
                    if not chunk:
                        break
                    remaining -= len(chunk)
            else:
                self.close_connection = True
            raise BodyTooLarge(length)
        return self.rfile.read(length) if length else b""

    def send_json(
        self,
        status: int,
        payload: Any,
        headers: dict[str, str] | None = None,
        content_type: str = "application/json",
    ) -> None:
        body = json.dumps(payload, ensure_ascii=False, default=str).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)

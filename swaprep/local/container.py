"""Containers: worker processes that run one action's activations, one at a time.

A `Container` is a `runner.py` subprocess (see there for the protocol, which follows the
OpenWhisk Python launcher): an action folder of the checkout run by the host's interpreter
with the repo root on its path, or (`repo_root=None`) a deployed zip unpacked by the host,
run by a CPython 3.13 started with `-I` exactly as the launcher runs it (see `deployed.py`).
Activations go in as JSON lines on its stdin; results come back as JSON lines on a
dedicated pipe; stdout and stderr are read continuously and become the activation's log
lines, `<ISO time> stdout|stderr: <text>` as `wsk activation logs` shows
them. A `ContainerPool` keeps up to N warm containers per action, as NCP keeps and reuses
containers per action: module globals survive between activations of one container.
"""

from __future__ import annotations

import collections
import contextlib
import json
import os
import selectors
import signal
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from swaprep.local.manifest import ActionManifest

RUNNER = Path(__file__).with_name("runner.py")
SENTINEL = "XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX"
LOG_LIMIT_BYTES = 1_048_576  # NCP: stdout of an activation at most 1 MB
MAX_LINE_BYTES = 65_536


class ContainerError(RuntimeError):
    pass


class ContainerTimeout(ContainerError):
    pass


class ContainerCrashed(ContainerError):
    pass


class InitFailed(ContainerError):
    pass


class PoolClosed(ContainerError):
    pass


class PoolRetired(PoolClosed):
    """The pool was replaced (a new version of its action was deployed): run elsewhere."""


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Container:
    """One worker process for one action."""

    def __init__(
        self,
        action: ActionManifest,
        *,
        repo_root: Path | None,
        env: Mapping[str, str],
        python: str,
        main: str = "main",
    ) -> None:
        self.action = action
        self.id = uuid.uuid4().hex[:12]
        self.activations = 0
        self.last_used = time.monotonic()
        self._cond = threading.Condition()
        self._logs: list[str] = []
        self._log_bytes = 0
        self._logs_truncated = False
        self._sentinels = {"stdout": 0, "stderr": 0}
        self._eof = False
        self._buffer = b""
        read_fd, write_fd = os.pipe()
        if repo_root is None:
            # A deployed zip: an isolated interpreter (no PYTHON* variables, no user site, not
            # the runner's folder on sys.path), unbuffered as PYTHONUNBUFFERED would make it.
            command = [python, "-I", "-u", str(RUNNER), str(action.path), "", str(write_fd),
                       main]
        else:
            command = [python, str(RUNNER), str(action.path), str(repo_root), str(write_fd)]
        try:
            self.proc = subprocess.Popen(
                command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                pass_fds=(write_fd,),
                cwd=action.path,
                env=dict(env),
                # Own process group: Ctrl-C in the terminal reaches the stack, which then stops
                # containers in order; a timeout kills the whole group (children included).
                start_new_session=True,
            )
        except BaseException:
            os.close(read_fd)
            raise
        finally:
            os.close(write_fd)
        self._result_fd = read_fd
        self._pump_thread = threading.Thread(
            target=self._pump, name=f"container-{action.name}-{self.id}", daemon=True
        )
        self._pump_thread.start()

    # -- logs ------------------------------------------------------------------------------
    def _pump(self) -> None:
        assert self.proc.stdout is not None and self.proc.stderr is not None
        selector = selectors.DefaultSelector()
        streams = {self.proc.stdout.fileno(): "stdout", self.proc.stderr.fileno(): "stderr"}
        partial = {"stdout": b"", "stderr": b""}
        for fd, name in streams.items():
            selector.register(fd, selectors.EVENT_READ, name)
        try:
            while selector.get_map():
                for key, _ in selector.select():
                    name = key.data
                    chunk = os.read(key.fd, 65536)
                    if not chunk:
                        selector.unregister(key.fd)
                        if partial[name]:
                            self._add_line(name, partial[name])
                        continue
                    *lines, partial[name] = (partial[name] + chunk).split(b"\n")
                    if len(partial[name]) > MAX_LINE_BYTES:  # no newline in sight: cut here
                        lines.append(partial[name])
                        partial[name] = b""
                    for line in lines:
                        self._add_line(name, line)
        finally:
            selector.close()
            with self._cond:
                self._eof = True
                self._cond.notify_all()

    def _add_line(self, stream: str, raw: bytes) -> None:
        text = raw.decode("utf-8", "replace").rstrip("\r")
        end = text.endswith(SENTINEL)
        if end:
            text = text[: -len(SENTINEL)]
        with self._cond:
            if text or not end:
                self._append(f"{_stamp()} {stream}: {text}")
            if end:
                self._sentinels[stream] += 1
                self._cond.notify_all()

    def _append(self, line: str) -> None:
        if self._logs_truncated:
            return
        size = len(line.encode("utf-8")) + 1
        if self._log_bytes + size > LOG_LIMIT_BYTES:
            self._logs_truncated = True
            self._logs.append(
                f"{_stamp()} stderr: Logs were truncated because the total bytes size exceeds "
                f"the limit of {LOG_LIMIT_BYTES} bytes."
            )
            return
        self._log_bytes += size
        self._logs.append(line)

    def take_logs(self, settle_s: float = 0.0) -> list[str]:
        """The log lines gathered since the last call (init output goes to the first run)."""
        if settle_s:
            # After a kill or crash, let the pump drain what the process wrote before it died.
            with self._cond:
                self._cond.wait_for(lambda: self._eof, timeout=settle_s)
        with self._cond:
            logs, self._logs = self._logs, []
            self._log_bytes = 0
            self._logs_truncated = False
            return logs

    def _await_sentinels(self, expected: Mapping[str, int], timeout_s: float) -> None:
        with self._cond:
            self._cond.wait_for(
                lambda: self._eof or all(self._sentinels[s] >= n for s, n in expected.items()),
                timeout=timeout_s,
            )

    # -- results ---------------------------------------------------------------------------
    def _read_line(self, deadline: float, max_bytes: int) -> tuple[bytes | None, int]:
        """Next line from the result pipe: (line, length), or (None, length) when the line is
        longer than `max_bytes` (its content is dropped as it streams in, not buffered)."""
        length = len(self._buffer)
        overflow = False
        while True:
            newline = self._buffer.find(b"\n")
            if newline >= 0:
                line, self._buffer = self._buffer[:newline], self._buffer[newline + 1 :]
                if overflow:
                    return None, length - len(self._buffer) - 1
                return line, len(line)
            if len(self._buffer) > max_bytes:
                overflow = True
                self._buffer = b""
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ContainerTimeout()
            ready, _, _ = _select_read(self._result_fd, remaining)
            if not ready:
                raise ContainerTimeout()
            chunk = os.read(self._result_fd, 1 << 20)
            if not chunk:
                raise ContainerCrashed()
            length += len(chunk)
            self._buffer += chunk

    def init(self, timeout_s: float) -> None:
        """Wait for the cold start (import of the action's module) to finish."""
        line, _ = self._read_line(time.monotonic() + timeout_s, 65536)
        frame = json.loads(line or b"{}")
        if frame.get("init") != "ok":
            self._await_sentinels({"stdout": 1, "stderr": 1}, 1.0)
            raise InitFailed(frame.get("error") or "the action did not initialise")

    def run(
        self, message: Mapping[str, Any], timeout_s: float, max_result_bytes: int
    ) -> tuple[bytes | None, int]:
        """One activation: returns (result line, its length); line None if over the limit."""
        data = (json.dumps(message, ensure_ascii=False) + "\n").encode("utf-8")
        with self._cond:
            expected = {s: n + 1 for s, n in self._sentinels.items()}
        self.activations += 1
        deadline = time.monotonic() + timeout_s
        try:
            assert self.proc.stdin is not None
            self.proc.stdin.write(data)
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError, ValueError) as exc:
            raise ContainerCrashed() from exc
        result = self._read_line(deadline, max_result_bytes)
        # The runner ends its logs before it writes the result; wait for the pump to catch up.
        self._await_sentinels(expected, 1.0)
        self.last_used = time.monotonic()
        return result

    # -- lifecycle -------------------------------------------------------------------------
    @property
    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        """Kill the process group now. Safe while another thread waits on this container:
        that thread then sees the pipes close and reports the activation."""
        if self.alive:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(2.0)

    def close(self, grace_s: float = 0.0) -> None:
        """Stop the process (gracefully within `grace_s`: closing stdin ends the runner's
        loop) and release its pipes. Only the container's current user may call this."""
        if self.alive and grace_s > 0:
            with contextlib.suppress(OSError, ValueError):
                assert self.proc.stdin is not None
                self.proc.stdin.close()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(grace_s)
        self.kill()
        self._pump_thread.join(2.0)
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            with contextlib.suppress(OSError, ValueError):
                if stream:
                    stream.close()
        if self._result_fd >= 0:
            with contextlib.suppress(OSError):
                os.close(self._result_fd)
            self._result_fd = -1


def _select_read(fd: int, timeout_s: float):
    selector = selectors.DefaultSelector()
    try:
        selector.register(fd, selectors.EVENT_READ)
        events = selector.select(timeout_s)
        return [e for e, _ in events], [], []
    finally:
        selector.close()


class _Waiter:
    """An activation queued for a container: handed one (or the right to start one)."""

    __slots__ = ("container", "event", "may_start")

    def __init__(self) -> None:
        self.event = threading.Event()
        self.container: Container | None = None
        self.may_start = False


class ContainerPool:
    """Up to `size` containers of one action; the most recently used warm one goes first.

    When every container is busy, activations queue first come, first served: a released
    container goes straight to the oldest waiter. (Without the queue a newcomer could take
    it before the woken waiter, and an unlucky activation waited seconds under load.)
    """

    def __init__(self, action: ActionManifest, factory: Callable[[], Container], size: int,
                 *, code: Any = None):
        self.action = action
        self.code = code  # the deployed code its containers run (host.DeployedCode), if any
        self.size = max(1, size)
        self._factory = factory
        self._idle: list[Container] = []
        self._busy: set[Container] = set()
        self._starting = 0
        self._closed = False
        self._retired = False
        self._waiters: collections.deque[_Waiter] = collections.deque()
        self._cond = threading.Condition()

    def acquire(self) -> tuple[Container, bool]:
        """A container for one activation and whether it is new (a cold start)."""
        with self._cond:
            if self._closed:
                raise self._closed_error()
            container = self._take_idle() if not self._waiters else None
            if container is not None:
                return container, False
            if not self._waiters and len(self._busy) + self._starting < self.size:
                self._starting += 1
                waiter = None
            else:
                waiter = _Waiter()
                self._waiters.append(waiter)
        if waiter is not None:
            waiter.event.wait()
            if waiter.container is not None:
                return waiter.container, False
            if not waiter.may_start:
                raise self._closed_error()
        return self._start(), True

    def _closed_error(self) -> PoolClosed:
        if self._retired:
            return PoolRetired(f"a newer version of {self.action.name} replaced this one")
        return PoolClosed("the function host is stopping")

    def _take_idle(self) -> Container | None:
        while self._idle:
            container = self._idle.pop()
            if container.alive:
                self._busy.add(container)
                return container
            container.close()
        return None

    def _start(self) -> Container:
        """Start a container (the caller holds a `_starting` slot)."""
        try:
            container = self._factory()
        except BaseException:
            with self._cond:
                self._starting -= 1
                self._hand_on()
            raise
        with self._cond:
            self._starting -= 1
            self._busy.add(container)
            if self._closed:
                self._busy.discard(container)
                container.close()
                raise self._closed_error()
        return container

    def _hand_on(self) -> None:
        """Serve the oldest waiters from idle containers or free slots (lock held)."""
        while self._waiters:
            container = self._take_idle()
            if container is not None:
                waiter = self._waiters.popleft()
                waiter.container = container
            elif len(self._busy) + self._starting < self.size:
                waiter = self._waiters.popleft()
                waiter.may_start = True
                self._starting += 1
            else:
                return
            waiter.event.set()

    def release(self, container: Container, reusable: bool) -> None:
        with self._cond:
            self._busy.discard(container)
            if reusable and container.alive and not self._closed:
                self._idle.append(container)
                container = None  # type: ignore[assignment]
            self._hand_on()
        if container is not None:
            container.close()

    def reap_idle(self, idle_s: float) -> int:
        """Stop containers idle for longer than `idle_s` (NCP also retires idle containers)."""
        now = time.monotonic()
        with self._cond:
            old = [c for c in self._idle if now - c.last_used > idle_s]
            self._idle = [c for c in self._idle if c not in old]
        for container in old:
            container.close(grace_s=1.0)
        return len(old)

    def busy_pids(self) -> list[int]:
        with self._cond:
            return [c.proc.pid for c in self._busy if c.alive]

    def pids(self) -> list[int]:
        """Process ids of every live container, idle or busy."""
        with self._cond:
            return [c.proc.pid for c in (*self._idle, *self._busy) if c.alive]

    def retire(self) -> None:
        """Take no more activations (a new version of the action replaced this pool): idle
        containers stop now, busy ones finish their activation and stop when released, and
        queued activations are told to go to the new pool (`PoolRetired`)."""
        with self._cond:
            self._closed = self._retired = True
            idle = list(self._idle)
            self._idle.clear()
            waiters, self._waiters = list(self._waiters), collections.deque()
        for waiter in waiters:
            waiter.event.set()
        for container in idle:
            container.close(grace_s=0.5)

    @property
    def drained(self) -> bool:
        """Closed, and no container of it runs or starts any more."""
        with self._cond:
            return self._closed and not self._busy and not self._starting

    @property
    def counts(self) -> dict[str, int]:
        with self._cond:
            return {"idle": len(self._idle), "busy": len(self._busy)}

    def close(self) -> None:
        """Stop every container: idle ones now; busy ones are killed, and their activation's
        thread, seeing the crash, releases (and so closes) them."""
        with self._cond:
            self._closed = True
            idle, busy = list(self._idle), list(self._busy)
            self._idle.clear()
            waiters, self._waiters = list(self._waiters), collections.deque()
        for waiter in waiters:
            waiter.event.set()  # neither a container nor a start: PoolClosed
        for container in idle:
            container.close(grace_s=0.5)
        for container in busy:
            container.kill()

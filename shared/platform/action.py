"""The action contract: `main(args) -> dict`, wrapped once for every action.

`@action("ingest")` gives a handler an `ActionContext` (activation id, deadline, config),
runs it inside a logging context, and turns an exception into an `{"error": ...}` result
with the traceback in the log, never a silent success. `@web_action("api")` does the same
for HTTP: the handler gets a `WebRequest`, and an exception becomes a problem+json response
(4xx for `HttpError`, 500 with the request id otherwise).

The platform passes activation metadata as environment variables (`__OW_ACTIVATION_ID`,
`__OW_ACTION_NAME`, `__OW_DEADLINE` in epoch ms, ...), set afresh for every activation.
"""

from __future__ import annotations

import functools
import gc
import os
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from shared.platform import logging as slog
from shared.platform.config import Config
from shared.platform.cost import Meter
from shared.platform.web import HttpError, WebRequest, problem

log = slog.get_logger("swaprep.action")


@dataclass
class ActionContext:
    action: str
    activation_id: str
    deadline_epoch_s: float | None
    config: Config
    cold_start: bool

    def remaining_s(self) -> float | None:
        return None if self.deadline_epoch_s is None else self.deadline_epoch_s - time.time()


_warm: set[str] = set()


def _context(name: str, args: Mapping[str, Any]) -> ActionContext:
    deadline_ms = os.environ.get("__OW_DEADLINE")
    cold = name not in _warm
    _warm.add(name)
    return ActionContext(
        action=os.environ.get("__OW_ACTION_NAME", name).rsplit("/", 1)[-1] or name,
        activation_id=os.environ.get("__OW_ACTIVATION_ID") or uuid.uuid4().hex,
        deadline_epoch_s=int(deadline_ms) / 1000 if deadline_ms else None,
        config=Config(args),
        cold_start=cold,
    )


def _correlation(args: Mapping[str, Any]) -> str | None:
    value = args.get("correlation_id") or args.get("__correlation_id")
    return str(value) if value else None


# An action's parameters and its result: JSON objects. `Main` is what the platform invokes.
Payload = dict[str, Any]
Main = Callable[[Payload], Payload]


def _profiled(handler: Callable[[Payload, ActionContext], Payload], args: Payload,
              ctx: ActionContext) -> Payload:
    """`handler(args, ctx)`, under cProfile when SWAPREP_PROFILE_DIR names a folder (the
    benchmarks set it: `bench/e2e_pipeline.py --profile`): one stats file per activation,
    `<action>-<activation id>.prof`. Off, it costs one environment lookup."""
    folder = os.environ.get("SWAPREP_PROFILE_DIR")
    if not folder:
        return handler(args, ctx)
    import cProfile

    profile = cProfile.Profile()
    try:
        return profile.runcall(handler, args, ctx)
    finally:
        profile.dump_stats(os.path.join(folder, f"{ctx.action}-{ctx.activation_id}.prof"))


_frozen = False


def _freeze_once() -> None:
    """After a container's first activation, what survives it (modules, compiled plans and
    caches, the pool) stays for the container's life: moved out of the garbage collector's
    sight (gc.freeze), its full passes no longer walk it on every later activation (the
    domain bench: 8 % of the chain). Collected first, so no garbage is kept."""
    global _frozen
    if not _frozen:
        _frozen = True
        gc.collect()
        gc.freeze()


def action(name: str) -> Callable[[Callable[[Payload, ActionContext], Payload]], Main]:
    """Wrap a basic (trigger/queue/cron) action handler `handler(args, ctx) -> dict`."""

    def wrap(handler: Callable[[Payload, ActionContext], Payload]) -> Main:
        @functools.wraps(handler)
        def main(args: Payload) -> Payload:
            ctx = _context(name, args)
            slog.configure(ctx.config.get("log_level", "INFO"))
            started, meter = time.perf_counter(), Meter.start()
            with slog.log_context(
                action=ctx.action, activation_id=ctx.activation_id,
                correlation_id=_correlation(args),
            ):
                try:
                    result = _profiled(handler, args, ctx)
                except Exception as exc:
                    log.exception("action failed", extra={"error_type": type(exc).__name__})
                    return {"error": slog.redact_text(f"{type(exc).__name__}: {exc}")}
                finally:
                    _freeze_once()
                cost = meter.since()
                log.info(
                    "action finished",
                    extra={"duration_ms": round((time.perf_counter() - started) * 1000, 1),
                           "cold_start": ctx.cold_start, **cost},
                )
                # What this activation used, in its record (the cost model reads it there); an
                # HTTP-shaped answer (the authorizer's) goes back to the gateway as it is.
                if isinstance(result, dict) and "statusCode" not in result:
                    return {**result, "cost": cost}
                return result

        return main

    return wrap


def web_action(
    name: str,
) -> Callable[[Callable[[WebRequest, ActionContext], Payload]], Main]:
    """Wrap a web action handler `handler(request, ctx) -> {statusCode, headers, body}`."""

    def wrap(handler: Callable[[WebRequest, ActionContext], Payload]) -> Main:
        @functools.wraps(handler)
        def main(args: Payload) -> Payload:
            ctx = _context(name, args)
            slog.configure(ctx.config.get("log_level", "INFO"))
            request = WebRequest.from_args(args)
            with slog.log_context(
                action=ctx.action, activation_id=ctx.activation_id,
                request_id=request.request_id,
            ):
                try:
                    result = handler(request, ctx)
                except HttpError as err:
                    # Every answer is logged (an access log): 4xx are what attackers and
                    # broken clients produce, and an operator must be able to find them.
                    (log.error if err.status >= 500 else log.info)(
                        "request failed" if err.status >= 500 else "request refused",
                        extra={"method": request.method, "path": request.path,
                               "status": err.status})
                    return problem(err, request.request_id, request.path)
                except Exception as exc:
                    log.exception("request crashed", extra={"error_type": type(exc).__name__})
                    return problem(
                        HttpError(500, "Internal error", "the request failed; quote the "
                                  "request id when reporting it"),
                        request.request_id, request.path,
                    )
                result.setdefault("headers", {}).setdefault("X-Request-Id", request.request_id)
                log.info(
                    "request",
                    extra={"method": request.method, "path": request.path,
                           "status": result.get("statusCode")},
                )
                return result

        return main

    return wrap

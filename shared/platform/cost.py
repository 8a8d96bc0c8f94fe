"""What an activation cost: CPU seconds of its process and statements sent to PostgreSQL.

The action wrapper reads both before and after each activation and puts the difference in the
result (`cost`) and the "action finished" log line, so that the activation records say where
the CPU and the round trips went (the cost model of docs/BENCHMARKS.md). The database adapter
counts statements here: the platform floor cannot import an adapter.
"""

from __future__ import annotations

import time
from dataclasses import dataclass


class Statements:
    """Statements this process sent (an `executemany` counts each parameter set)."""

    sent = 0

    @classmethod
    def add(cls, n: int = 1) -> None:
        cls.sent += n


@dataclass(frozen=True)
class Meter:
    """A reading at the start of an activation; `since()` is what it used up to now."""

    cpu_s: float
    statements: int

    @classmethod
    def start(cls) -> Meter:
        return cls(time.process_time(), Statements.sent)

    def since(self) -> dict[str, float | int]:
        return {"cpu_ms": round((time.process_time() - self.cpu_s) * 1000, 1),
                "statements": Statements.sent - self.statements}

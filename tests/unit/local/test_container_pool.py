"""The container pool's queue: first come, first served once every container is busy."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from swaprep.local.container import ContainerPool, PoolClosed


class _FakeContainer:
    """Stands in for a worker process: the pool only needs `alive` and `close()`."""

    started = 0

    def __init__(self) -> None:
        _FakeContainer.started += 1
        self.name = f"c{_FakeContainer.started}"
        self.alive = True
        self.closed = False
        self.last_used = time.monotonic()

    def close(self, grace_s: float = 0.0) -> None:
        self.closed, self.alive = True, False

    def kill(self) -> None:
        self.close()


def _pool(size: int) -> ContainerPool:
    return ContainerPool(action=None, factory=_FakeContainer, size=size)  # type: ignore[arg-type]


def _acquire_in_thread(pool: ContainerPool, got: list[Any], ready: threading.Event
                       ) -> threading.Thread:
    def run() -> None:
        ready.set()
        try:
            got.append(pool.acquire())
        except PoolClosed as exc:
            got.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    ready.wait(2)
    return thread


def _until_waiting(pool: ContainerPool, n: int) -> None:
    deadline = time.monotonic() + 2
    while len(pool._waiters) < n:
        assert time.monotonic() < deadline, "the acquire never queued"
        time.sleep(0.005)


def test_cold_then_warm_and_never_more_than_size():
    pool = _pool(2)
    first, cold = pool.acquire()
    second, cold2 = pool.acquire()
    assert cold and cold2 and first is not second
    pool.release(first, reusable=True)
    again, cold3 = pool.acquire()
    assert again is first and not cold3  # the warm one, no third process
    assert pool.counts == {"idle": 0, "busy": 2}


def test_waiters_are_served_in_arrival_order():
    pool = _pool(1)
    held, _ = pool.acquire()
    results: list[list[Any]] = [[], [], []]
    threads = []
    for n, got in enumerate(results):
        threads.append(_acquire_in_thread(pool, got, threading.Event()))
        _until_waiting(pool, n + 1)

    order = []
    current = held
    for _ in results:
        pool.release(current, reusable=True)
        deadline = time.monotonic() + 2
        while True:  # exactly one waiter, the oldest still waiting, gets the container
            served = [i for i, got in enumerate(results) if got and i not in order]
            if served:
                break
            assert time.monotonic() < deadline
            time.sleep(0.005)
        assert len(served) == 1
        order.append(served[0])
        current = results[served[0]][0][0]
        assert pool.counts == {"idle": 0, "busy": 1}  # handed over, never parked idle
    assert order == [0, 1, 2]
    for thread in threads:
        thread.join(2)


def test_a_dead_container_lets_the_oldest_waiter_start_a_new_one():
    pool = _pool(1)
    held, _ = pool.acquire()
    got: list[Any] = []
    thread = _acquire_in_thread(pool, got, threading.Event())
    _until_waiting(pool, 1)
    held.alive = False
    pool.release(held, reusable=False)
    thread.join(2)
    container, cold = got[0]
    assert cold and container is not held and held.closed


def test_closing_the_pool_releases_waiters_with_an_error():
    pool = _pool(1)
    pool.acquire()
    got: list[Any] = []
    thread = _acquire_in_thread(pool, got, threading.Event())
    _until_waiting(pool, 1)
    pool.close()
    thread.join(2)
    assert isinstance(got[0], PoolClosed)
    with pytest.raises(PoolClosed):
        pool.acquire()


def test_a_newcomer_queues_behind_waiters_instead_of_taking_a_released_container():
    pool = _pool(1)
    held, _ = pool.acquire()
    early: list[Any] = []
    early_thread = _acquire_in_thread(pool, early, threading.Event())
    _until_waiting(pool, 1)
    pool.release(held, reusable=True)  # goes to the waiter, not to the idle list
    early_thread.join(2)
    late: list[Any] = []
    late_thread = _acquire_in_thread(pool, late, threading.Event())
    _until_waiting(pool, 1)
    assert early and early[0][0] is held and not late
    pool.release(held, reusable=True)
    late_thread.join(2)
    assert late[0][0] is held

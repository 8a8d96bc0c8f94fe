"""Fixtures of the simulator tests: the buckets and a running simulator."""

import pytest

from tests.functional.trsim.factory import make_sim, make_store


@pytest.fixture
def store(s3_clean):
    return make_store(s3_clean)


@pytest.fixture
def sim(s3_clean, store):
    with make_sim(s3_clean) as simulator:
        yield simulator

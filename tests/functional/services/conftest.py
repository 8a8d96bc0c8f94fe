"""Fixtures shared by the submit and feedback tests: buckets, a running TR simulator and a
tenant with an LEI. (Modules that define their own `store` or `tenant` keep theirs.)"""

import pytest

from tests.functional.trsim.factory import make_sim, make_store, set_tenant_lei


@pytest.fixture
def store(s3_clean):
    return make_store(s3_clean)


@pytest.fixture
def sim(s3_clean, store):
    with make_sim(s3_clean) as simulator:
        yield simulator


@pytest.fixture
def tenant(db, two_tenants):
    set_tenant_lei(db, two_tenants[0])
    return two_tenants[0]

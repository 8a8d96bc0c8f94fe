"""What the host adds to an activation: a consumer's lease settings as action parameters,
and whom the run is recorded for (only a web request's verified tenant)."""

from __future__ import annotations

import uuid

from shared.platform.config import merge_parameters
from swaprep.local.host import REPO_ROOT, _consumer_defaults, _requested_for
from swaprep.local.manifest import load_actions


def test_a_woken_consumer_leases_for_its_manifests_time_not_the_codes_default():
    actions = load_actions(REPO_ROOT / "functions")
    submit = actions["submit"]
    assert submit.queue is not None
    defaults = _consumer_defaults(submit)
    assert defaults == {"batch_size": submit.queue.batch_size,
                        "visibility_timeout_s": submit.queue.visibility_timeout_s}
    # A wake-up names only the queue; the dispatcher's (or a caller's) values still win.
    woken = merge_parameters({}, defaults, submit.params, None, {"queue": "submit"})
    assert woken["visibility_timeout_s"] == submit.queue.visibility_timeout_s
    assert merge_parameters({}, defaults, submit.params, None, {"visibility_timeout_s": 8}
                            )["visibility_timeout_s"] == 8
    assert _consumer_defaults(actions["api"]) == {}  # no queue, nothing added


def test_a_web_request_is_for_the_tenant_its_authorizer_verified():
    tenant = uuid.uuid4()
    assert _requested_for({"__authorizer": {"tenant_id": str(tenant).upper(), "role": "viewer"}}
                          ) == str(tenant)


def test_runs_without_a_verified_tenant_are_for_nobody():
    assert _requested_for({}) is None  # triggers, queue consumers, cron
    assert _requested_for({"__authorizer": None}) is None  # a public route
    assert _requested_for({"__authorizer": {"tenant_id": "alpha-bank"}}) is None  # not an id
    assert _requested_for({"tenant_id": str(uuid.uuid4())}) is None  # a caller's own claim

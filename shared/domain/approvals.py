"""Four-eyes approval: which operator actions need a second person, and who may be it.

A tenant sets, per kind of action, the number of events at which the action stops being one
person's call (`FourEyesPolicy`, stored as `tenants.four_eyes`): `{"cancel": 1}` makes every
cancellation wait for approval, `{"bulk_repair": 50}` a bulk repair of fifty events or more.
A kind the policy does not name never waits (the behaviour before the policy existed). The
approver must be another user than the requester, and must hold the role the action itself
needs; the action then runs as the approver, and both are audited.

The threshold applies to what one user did of that kind within the policy's rolling `window`
plus the request at hand, so a bulk action split into requests under the threshold is still
held once their sum reaches it (`needs_approval(..., recent=...)`; the adapter counts `recent`
from the audit log, `AUDITED_AS` names the rows that count).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import MappingProxyType

# kind -> the permission (shared.domain.roles.PERMISSIONS) the action itself needs
APPROVAL_KINDS: Mapping[str, str] = MappingProxyType({
    "repair": "repair", "bulk_repair": "repair", "cancel": "cancel", "resubmit": "resubmit",
    "backload": "manage_backloads",
})
# the most events one request of each kind can carry (the API's limits): a threshold above it
# could never be reached by one request, so it is refused rather than silently never holding
MAX_EVENTS_PER_REQUEST: Mapping[str, int] = MappingProxyType({
    "repair": 1, "bulk_repair": 500, "cancel": 1000, "resubmit": 1000,
    "backload": 10_000_000,  # a back-load's events are the open trades: no request limit
})
# kind -> the audit actions whose rows are one user's earlier events of that kind (a back-load
# job's row counts its `total`); a repair made one at a time is part of a bulk repair's sum
AUDITED_AS: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "repair": ("event.repair",), "bulk_repair": ("event.repair",),
    "cancel": ("event.cancel",), "resubmit": ("event.resubmit",),
    "backload": ("backload.create",),
})
STATUSES = ("pending", "approved", "rejected", "expired")
DEFAULT_VALIDITY = timedelta(days=3)  # a request nobody decides lapses: the data moved on
DEFAULT_WINDOW = timedelta(hours=24)  # one user's events of a kind summed over this
MAX_WINDOW_HOURS = 24 * 30


class PolicyError(ValueError):
    """A four-eyes setting that cannot be saved; names the field."""

    def __init__(self, field_name: str, message: str) -> None:
        self.field = field_name
        super().__init__(f"{field_name}: {message}")


class SameApprover(ValueError):
    """The requester tried to approve their own request."""


@dataclass(frozen=True)
class FourEyesPolicy:
    thresholds: Mapping[str, int] = field(default_factory=dict)  # kind -> events (>= 1)
    validity: timedelta = DEFAULT_VALIDITY
    window: timedelta = DEFAULT_WINDOW  # zero: each request is judged on its own

    def __post_init__(self) -> None:
        checked: dict[str, int] = {}
        for kind, value in self.thresholds.items():
            if kind not in APPROVAL_KINDS:
                raise PolicyError(kind, f"not an action that can need approval "
                                        f"({', '.join(APPROVAL_KINDS)})")
            most = MAX_EVENTS_PER_REQUEST[kind]
            if isinstance(value, bool) or not isinstance(value, int) or not (
                    1 <= value <= most):
                raise PolicyError(kind, f"{value!r} is not a number of events from 1 to "
                                        f"{most}, the most one request can carry")
            checked[kind] = value
        object.__setattr__(self, "thresholds", MappingProxyType(checked))
        if self.validity <= timedelta(0):
            raise PolicyError("validity", "must be positive")
        if not timedelta(0) <= self.window <= timedelta(hours=MAX_WINDOW_HOURS):
            raise PolicyError("window_hours", f"from 0 to {MAX_WINDOW_HOURS} hours")

    @classmethod
    def from_settings(cls, settings: Mapping[str, object] | None) -> FourEyesPolicy:
        """From `tenants.four_eyes`: `{"thresholds": {...}, "validity_hours": 72,
        "window_hours": 24}`."""
        settings = settings or {}
        thresholds = settings.get("thresholds") or {}
        if not isinstance(thresholds, Mapping):
            raise PolicyError("thresholds", "is an object of action -> number of events")
        hours = settings.get("validity_hours", DEFAULT_VALIDITY.total_seconds() / 3600)
        if isinstance(hours, bool) or not isinstance(hours, int | float) or not (
                1 <= hours <= 24 * 30):
            raise PolicyError("validity_hours", f"{hours!r} is not from 1 to 720 hours")
        window = settings.get("window_hours", DEFAULT_WINDOW.total_seconds() / 3600)
        if isinstance(window, bool) or not isinstance(window, int | float) or not (
                0 <= window <= MAX_WINDOW_HOURS):
            raise PolicyError("window_hours", f"{window!r} is not from 0 to "
                                              f"{MAX_WINDOW_HOURS} hours")
        return cls({str(k): v for k, v in thresholds.items()},
                   timedelta(hours=float(hours)), timedelta(hours=float(window)))

    def as_settings(self) -> dict[str, object]:
        return {"thresholds": dict(self.thresholds),
                "validity_hours": self.validity.total_seconds() / 3600,
                "window_hours": self.window.total_seconds() / 3600}

    def needs_approval(self, kind: str, events: int, recent: int = 0) -> bool:
        """Whether an action of `kind` over `events` events waits for a second person, when
        the same user already acted on `recent` events of that kind within `window` (ignored
        when the window is zero). An action over no events has nothing to approve."""
        if kind not in APPROVAL_KINDS:
            raise KeyError(kind)  # a caller's bug, not a refusal
        threshold = self.thresholds.get(kind)
        if threshold is None or events <= 0:
            return False
        counted = max(recent, 0) if self.window > timedelta(0) else 0
        return events + counted >= threshold

    def window_start(self, now: datetime) -> datetime:
        """Where the rolling count of one user's earlier events begins."""
        return now - self.window

    def expires_at(self, requested_at: datetime) -> datetime:
        return requested_at + self.validity


def check_approver(requested_by: str, approver: str) -> None:
    """Four eyes are two people: the requester never approves their own request."""
    if requested_by == approver:
        raise SameApprover("the request was made by the same user: another user must "
                           "approve it (four-eyes)")

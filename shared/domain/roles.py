"""Users' roles and what each may do: the one table the API, the services and the token code
read, so a route, the service behind it and the OpenAPI document cannot disagree.

Roles are ordered by power, strongest first; a role may do what its permission's minimum role
may and everything a weaker role may. API keys have no role: they only ingest (their scope,
`shared.services.identity.apikeys.SCOPES`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

# strongest first; a client_viewer sees only what was reported for its one client (its
# users.client_lei): none of the tenant's other reads, only `read_client`
ROLES = ("admin", "operator", "viewer", "client_viewer")

# Every action the code checks -> the weakest role that may perform it.
PERMISSIONS: dict[str, str] = {
    "read": "viewer",  # the tenant's files, trades, errors, reports, figures; repair previews
    "repair": "operator",
    "resubmit": "operator",
    "cancel": "operator",
    "revalidate": "operator",
    "redrive": "operator",  # dead letters
    "triage": "operator",  # assign and resolve issues
    "acknowledge": "operator",  # alerts
    "reconcile": "operator",  # assign and resolve breaks with the TR's reports
    "upload": "operator",
    "export": "operator",
    "manage_users": "admin",
    "manage_api_keys": "admin",
    "manage_approvals": "admin",  # the four-eyes policy (shared.domain.approvals)
    "manage_entities": "admin",  # legal entities and delegation agreements (routing)
    "verify": "operator",  # run verifications, resolve correction clocks
    "manage_backloads": "admin",  # back-load jobs: plan, create, pause, resume, cancel
    "read_client": "client_viewer",  # a client's reports and daily file (a client_viewer: its own)
}


def may(role: Any, permission: str) -> bool:
    """Whether `role` may do `permission`; an unknown or missing role may nothing. An unknown
    permission is a bug in the caller, not a refusal: KeyError."""
    minimum = ROLES.index(PERMISSIONS[permission])
    return role in ROLES and ROLES.index(role) <= minimum


def roles_that_may(permission: str) -> tuple[str, ...]:
    """The roles allowed `permission`, strongest first (for messages and the API document)."""
    return tuple(role for role in ROLES if may(role, permission))


def strongest(names: Iterable[Any]) -> str | None:
    """The most powerful known role among `names` (an identity provider's groups), or None."""
    held = list(names)  # a claim's items need not be hashable
    return next((role for role in ROLES if role in held), None)

"""Operator actions (issue #4): repair, preview a repair, resubmit, cancel, re-validate,
redrive dead letters, triage issues and acknowledge alerts.

Every action takes an `Actor` and enforces its role (a viewer gets `Forbidden`), works in the
caller's transaction (`db.tenant(id)`, where RLS makes another tenant's rows `NotFound`, or
`db.system()`), and writes one `audit_log` row per entity it changes, with who, when, before
and after, in that same transaction. Refusals are `OperationError`s with an HTTP `status`:
`Forbidden` 403, `NotFound` 404, `Conflict` 409 (the state, and what to do instead),
`InvalidRequest` / `InvalidRepair` 422 (every field error). Bulk actions return one
`ItemOutcome` per id. Messages go out through a `Sender` (`QueueSender`, or a stage's
`StageContext`) in the same transaction; wake the consumers after commit.
"""

from shared.services.operations.base import (
    Actor,
    Conflict,
    FieldError,
    Forbidden,
    InvalidRepair,
    InvalidRequest,
    ItemOutcome,
    NotFound,
    OperationError,
    QueueSender,
    Sender,
)
from shared.services.operations.bulk_repair import (
    BulkPreview,
    Change,
    bulk_repair,
    preview_bulk_repair,
)
from shared.services.operations.events import cancel, resubmit, revalidate
from shared.services.operations.redrive import RedriveOutcome, redrive
from shared.services.operations.repair import (
    RepairOutcome,
    RepairPreview,
    preview_repair,
    repair,
)
from shared.services.operations.triage import (
    ack_alert,
    assign_issues,
    list_issues,
    resolve_issues,
)

__all__ = [
    "Actor", "BulkPreview", "Change", "Conflict", "FieldError", "Forbidden", "InvalidRepair",
    "InvalidRequest", "ItemOutcome", "NotFound", "OperationError", "QueueSender",
    "RedriveOutcome", "RepairOutcome", "RepairPreview", "Sender", "ack_alert", "assign_issues",
    "bulk_repair", "cancel", "list_issues", "preview_bulk_repair", "preview_repair", "redrive",
    "repair", "resolve_issues", "resubmit", "revalidate",
]

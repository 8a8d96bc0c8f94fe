"""The API's router: every resource's routes, in one table."""

from shared.api.routes import (
    admin,
    approvals,
    auth,
    backloads,
    clients,
    entities,
    errors,
    files,
    health,
    ingest,
    ingest_files,
    metrics,
    openapi,
    operations,
    ops_views,
    reconciliation,
    reports,
    rules,
    stats,
    trades,
    verification,
)
from shared.platform.web import Router

router = Router()
for module in (health, openapi, ingest, auth, admin, approvals, operations, files, metrics,
               ingest_files, trades, errors, reports, stats, ops_views, rules, entities,
               reconciliation, verification, backloads, clients):
    router.include(module.router)

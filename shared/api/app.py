"""The API's router: every resource's routes, in one table."""

from shared.api.routes import admin, auth, health, ingest
from shared.platform.web import Router

router = Router()
for module in (health, ingest, auth, admin):
    router.include(module.router)

"""nameko entrypoints of the catalog service."""
from __future__ import annotations

from services.common.caller import Caller, CallerProvider
from services.common.database import Database
from services.common.health import HealthMixin
from services.common.outbox import Outbox as OutboxRelay
from services.catalog.models import Outbox


class CatalogService(HealthMixin):
    name = "catalog"

    db = Database()
    outbox = OutboxRelay(Outbox)
    caller: Caller = CallerProvider()


SERVICE_CLASS = CatalogService

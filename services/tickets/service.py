"""nameko entrypoints of the tickets service."""
from __future__ import annotations

from services.common.caller import Caller, CallerProvider
from services.common.database import Database
from services.common.health import HealthMixin
from services.common.outbox import Outbox as OutboxRelay
from services.tickets.models import Outbox


class TicketsService(HealthMixin):
    name = "tickets"

    db = Database()
    outbox = OutboxRelay(Outbox)
    caller: Caller = CallerProvider()


SERVICE_CLASS = TicketsService

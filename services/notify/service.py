"""nameko entrypoints of the notify service."""
from __future__ import annotations

from services.common.caller import Caller, CallerProvider
from services.common.database import Database
from services.common.health import HealthMixin
from services.common.outbox import Outbox as OutboxRelay
from services.notify.models import Outbox


class NotifyService(HealthMixin):
    name = "notify"

    db = Database()
    outbox = OutboxRelay(Outbox)
    caller: Caller = CallerProvider()


SERVICE_CLASS = NotifyService

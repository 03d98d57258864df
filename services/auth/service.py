"""nameko entrypoints of the auth service."""
from __future__ import annotations

from services.common.caller import Caller, CallerProvider
from services.common.database import Database
from services.common.health import HealthMixin
from services.common.outbox import Outbox as OutboxRelay
from services.auth.models import Outbox


class AuthService(HealthMixin):
    name = "auth"

    db = Database()
    outbox = OutboxRelay(Outbox)
    caller: Caller = CallerProvider()


SERVICE_CLASS = AuthService

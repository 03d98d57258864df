"""The envelope every event travels in.

An envelope carries `event_id` (UUID), `event_type`, `version`, `occurred_at` (UTC, ISO 8601),
`actor` (the user who caused it, or `{"type": "system"}`) and `data`. Consumers ignore fields they do
not know and handle each `event_id` once, because RabbitMQ delivers at least once.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any

SYSTEM_ACTOR: dict[str, Any] = {"type": "system"}


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def isoformat(moment: datetime) -> str:
    """Format a UTC instant; naive values (as SQLite returns them) are taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat()


def make_envelope(event_type: str, data: dict[str, Any], actor: dict[str, Any] | None = None,
                  version: int = 1) -> dict[str, Any]:
    return {
        "event_id": str(uuid.uuid4()),
        "event_type": event_type,
        "version": version,
        "occurred_at": isoformat(utc_now()),
        "actor": actor or SYSTEM_ACTOR,
        "data": data,
    }

"""Progressive throttling of sign-ins, second-factor codes and reset requests, per account and per address.

Each failed sign-in is counted under two keys, the e-mail typed and the client address. Past a number of
free failures within `WINDOW`, the next attempt must wait a delay that doubles with each further
failure, up to `MAX_DELAY`. A successful sign-in clears the account's counter but not the address's, so
that one valid account cannot reset the counter of an address that guesses at others.
"""
from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from services.auth.exceptions import TooManyAttempts
from services.auth.models import ThrottleAttempt
from services.common.errors import text
from services.common.events import utc_now

WINDOW = timedelta(hours=1)
BASE_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(minutes=15)


@dataclass(frozen=True)
class Limit:
    operation: str
    kind: str
    free_attempts: int


LOGIN_PER_ACCOUNT = Limit("login", "account", 5)
# Higher than per account: several people of one organisation may share an address.
LOGIN_PER_ADDRESS = Limit("login", "address", 50)
RESET_PER_ACCOUNT = Limit("reset", "account", 3)
RESET_PER_ADDRESS = Limit("reset", "address", 20)
# Wrong second-factor codes, counted per account id (not per e-mail) and per address.
SECOND_FACTOR_PER_ACCOUNT = Limit("second_factor", "account", 5)
SECOND_FACTOR_PER_ADDRESS = Limit("second_factor", "address", 50)


def throttle_key(limit: Limit, value: str) -> str:
    return hashlib.sha256(f"{limit.operation}:{limit.kind}:{value}".encode()).hexdigest()


def delay_after(failures: int, free_attempts: int) -> timedelta:
    """Return how long to wait after `failures` counted failures; zero while some are still free."""
    if failures < free_attempts:
        return timedelta(0)
    factor = 2 ** min(failures - free_attempts, 16)
    return min(BASE_DELAY * factor, MAX_DELAY)


def retry_after(session: Session, limit: Limit, value: str | None, now: datetime | None = None) -> timedelta:
    """Return how long the next attempt under (`limit`, `value`) must still wait; zero when allowed."""
    if not value:
        return timedelta(0)
    now = now or utc_now()
    key = throttle_key(limit, value)
    count, last = session.execute(
        select(func.count(), func.max(ThrottleAttempt.occurred_at))
        .where(ThrottleAttempt.key == key, ThrottleAttempt.occurred_at > now - WINDOW)
    ).one()
    if not count:
        return timedelta(0)
    if last.tzinfo is None:
        last = last.replace(tzinfo=timezone.utc)
    remaining = last + delay_after(count, limit.free_attempts) - now
    return max(remaining, timedelta(0))


def check(session: Session, limits: list[tuple[Limit, str | None]]) -> None:
    """Raise TooManyAttempts, saying how long to wait, when any of the limits is reached."""
    wait = max((retry_after(session, limit, value) for limit, value in limits), default=timedelta(0))
    if wait > timedelta(0):
        minutes = max(1, math.ceil(wait.total_seconds() / 60))
        raise TooManyAttempts(text(
            f"Trop de tentatives ; réessayez dans {minutes} minute{'s' if minutes > 1 else ''}.",
            f"Too many attempts; try again in {minutes} minute{'s' if minutes > 1 else ''}."))


def record(session: Session, limits: list[tuple[Limit, str | None]]) -> None:
    """Count one attempt under each key; written with the caller's commit."""
    session.add_all([ThrottleAttempt(key=throttle_key(limit, value)) for limit, value in limits if value])


def clear(session: Session, limit: Limit, value: str) -> None:
    session.execute(delete(ThrottleAttempt).where(ThrottleAttempt.key == throttle_key(limit, value)))

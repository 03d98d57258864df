"""Human-readable ticket numbers: the year in Paris and a counter, `2026-000123`.

The counter row of the year is created if missing, then incremented by one UPDATE that returns the
new value. The UPDATE holds the row's lock (PostgreSQL) or the database's write lock (SQLite) until
the caller's transaction ends, so two creations never get the same number; the unique index on
`ticket.number` is the last guard.
"""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from services.tickets.models import TicketCounter

PARIS = ZoneInfo("Europe/Paris")
NUMBER_DIGITS = 6


def format_number(year: int, value: int) -> str:
    return f"{year}-{value:0{NUMBER_DIGITS}d}"


def next_number(session: Session, now: datetime) -> str:
    """Return the next number of `now`'s year, inside the caller's transaction."""
    year = now.astimezone(PARIS).year
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(dialect.insert(TicketCounter).values(year=year, last_value=0).on_conflict_do_nothing())
    value = session.execute(
        update(TicketCounter).where(TicketCounter.year == year)
        .values(last_value=TicketCounter.last_value + 1).returning(TicketCounter.last_value)
    ).scalar_one()
    return format_number(year, value)

"""Follow up suspended tickets: remind the customer after a delay, close the ticket after a later one.

The reminder announces the closing date, and a ticket is closed automatically only once its reminder
has gone out. Each ticket is claimed by a conditional UPDATE, so several instances of the service
running the same check never remind twice or close twice.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from services.common import config
from services.common.caller import Caller
from services.common.errors import Forbidden
from services.common.events import SYSTEM_ACTOR, isoformat, utc_now
from services.common.outbox import stage_event
from services.tickets.exceptions import TicketChanged
from services.tickets.lifecycle import RULES, TicketStatus, Transition
from services.tickets.models import Outbox, Ticket, TicketFollower, TicketHistory
from services.tickets.reading import as_utc
from services.tickets.serializers import event_data
from services.tickets.transitions import write_if_unchanged

logger = logging.getLogger(__name__)

REMINDER_DAYS_KEY = "TICKETS_SUSPENSION_REMINDER_DAYS"
AUTO_CLOSE_DAYS_KEY = "TICKETS_SUSPENSION_AUTO_CLOSE_DAYS"
CHECK_BATCH = 200


@dataclass(frozen=True)
class SuspensionPolicy:
    """Delays counted from the suspension; `auto_close_after` None keeps suspended tickets open."""

    remind_after: timedelta
    auto_close_after: timedelta | None

    @classmethod
    def from_environment(cls) -> "SuspensionPolicy":
        auto_close_days = config.optional_int(AUTO_CLOSE_DAYS_KEY, 30)
        return cls(remind_after=timedelta(days=config.optional_int(REMINDER_DAYS_KEY, 7)),
                   auto_close_after=timedelta(days=auto_close_days) if auto_close_days > 0 else None)

    def auto_close_at(self, suspended_at: datetime) -> datetime | None:
        return suspended_at + self.auto_close_after if self.auto_close_after else None

    @property
    def notice(self) -> timedelta:
        """Return the least time between the reminder and the closing it announces."""
        if self.auto_close_after is None:
            return timedelta(0)
        return max(self.auto_close_after - self.remind_after, timedelta(0))


def _follower_ids(session: Session, ticket_id: str) -> list[str]:
    return list(session.scalars(select(TicketFollower.user_id).where(TicketFollower.ticket_id == ticket_id)))


def _remind(session: Session, ticket: Ticket, policy: SuspensionPolicy, now: datetime) -> bool:
    claimed = session.execute(
        update(Ticket).where(Ticket.id == ticket.id, Ticket.status == TicketStatus.SUSPENDED,
                             Ticket.suspension_reminded_at.is_(None))
        .values(suspension_reminded_at=now).execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        session.rollback()
        return False
    suspended_at = as_utc(ticket.suspended_at)
    assert suspended_at is not None  # selected on it
    closing = policy.auto_close_at(suspended_at)
    data = event_data(ticket, _follower_ids(session, ticket.id), None)
    data.update({"suspension_reason": ticket.suspension_reason, "suspended_at": isoformat(suspended_at),
                 "auto_close_at": isoformat(closing) if closing else None})
    stage_event(session, Outbox, "ticket_suspension_reminded", data, actor=SYSTEM_ACTOR)
    session.commit()
    logger.info("reminder staged for suspended ticket %s", ticket.id)
    return True


def _auto_close(session: Session, ticket: Ticket, policy: SuspensionPolicy, now: datetime) -> bool:
    rule = RULES[Transition.CLOSE]
    days = policy.auto_close_after.days if policy.auto_close_after else 0
    reason = (f"Clôture automatique : informations non reçues {days} jours après la suspension. / "
              f"Closed automatically: information not received {days} days after the suspension.")
    try:
        write_if_unchanged(session, ticket, {
            "status": rule.to_status, "state": rule.to_state, "version": ticket.version + 1, "updated_at": now,
            "closed_at": now, "suspension_reason": None, "suspended_at": None, "suspension_reminded_at": None})
    except TicketChanged:
        return False
    session.add(TicketHistory(ticket_id=ticket.id, actor_id=None, action="auto_close",
                              from_status=TicketStatus.SUSPENDED, to_status=rule.to_status, reason=reason,
                              occurred_at=now))
    session.flush()
    session.refresh(ticket)
    data = event_data(ticket, _follower_ids(session, ticket.id), None)
    data.update({"transition": Transition.CLOSE.value, "from_status": TicketStatus.SUSPENDED.value,
                 "reason": reason, "automatic": True})
    stage_event(session, Outbox, "ticket_status_changed", data, actor=SYSTEM_ACTOR)
    session.commit()
    logger.info("suspended ticket %s closed automatically", ticket.id)
    return True


def process_suspended(session: Session, policy: SuspensionPolicy, now: datetime | None = None) -> dict[str, int]:
    """Remind and close the suspended tickets that are due; return `{reminded, closed}`."""
    now = now or utc_now()
    reminded = closed = 0
    if policy.auto_close_after is not None:
        due = session.scalars(select(Ticket).where(
            Ticket.status == TicketStatus.SUSPENDED, Ticket.suspension_reminded_at.is_not(None),
            Ticket.suspended_at <= now - policy.auto_close_after,
            Ticket.suspension_reminded_at <= now - policy.notice).limit(CHECK_BATCH)).all()
        closed = sum(_auto_close(session, ticket, policy, now) for ticket in due)
    due = session.scalars(select(Ticket).where(
        Ticket.status == TicketStatus.SUSPENDED, Ticket.suspension_reminded_at.is_(None),
        Ticket.suspended_at <= now - policy.remind_after).limit(CHECK_BATCH)).all()
    reminded = sum(_remind(session, ticket, policy, now) for ticket in due)
    session.rollback()
    return {"reminded": reminded, "closed": closed}


def run_checks(session: Session, caller: Caller, policy: SuspensionPolicy) -> dict[str, Any]:
    """Run the follow-up now, for an administrator; the service's timer runs it on its own."""
    caller.require_authenticated()
    if not caller.is_admin:
        raise Forbidden()
    return process_suspended(session, policy)

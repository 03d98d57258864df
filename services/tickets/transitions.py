"""Apply one life-cycle transition to a stored ticket, atomically and with its history and event.

The change is one conditional UPDATE on the version read: when someone changed the ticket in the
meantime, no row matches and the caller gets TicketChanged (a conflict), never a lost update.
"""
from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from services.common.caller import Caller
from services.common.errors import field_error, text
from services.common.events import utc_now
from services.common.outbox import stage_event
from services.tickets.access import visible_ticket
from services.tickets.exceptions import InvalidTicket, TicketChanged, TransitionNotAllowed
from services.tickets.lifecycle import (
    FIRST_TIME_ONLY, STATUS_LABELS, Rule, TicketStatus, Transition, TransitionRejected, plan, reopen_window_open,
)
from services.tickets.models import Outbox, Ticket, TicketFollower, TicketHistory
from services.tickets.reading import as_utc, serialize_many
from services.tickets.serializers import event_data

logger = logging.getLogger(__name__)

REASON_MAX = 5_000


def _rejection(exc: TransitionRejected, status: TicketStatus) -> TransitionNotAllowed:
    label = STATUS_LABELS[status]
    if exc.reason == "role":
        return TransitionNotAllowed(text("Votre rôle ne permet pas cette action sur la demande.",
                                         "Your role does not allow this action on the ticket."))
    return TransitionNotAllowed(text(f"Cette action n'est pas possible sur une demande « {label['fr']} ».",
                                     f"This action is not possible on a ticket that is '{label['en']}'."))


def _checked_reason(rule: Rule, reason: str | None) -> str:
    reason = (reason or "").strip()
    if rule.reason_required and not reason:
        raise InvalidTicket(fields=[field_error("reason", "REQUIRED", "Indiquez le motif de cette action.",
                                                "Give the reason for this action.")])
    if len(reason) > REASON_MAX:
        raise InvalidTicket(fields=[field_error("reason", "TOO_LONG", f"Le motif dépasse {REASON_MAX} caractères.",
                                                f"The reason exceeds {REASON_MAX} characters.")])
    return reason


def _changes(ticket: Ticket, rule: Rule, transition: Transition, reason: str) -> dict[str, Any]:
    now = utc_now()
    changes: dict[str, Any] = {"status": rule.to_status, "state": rule.to_state, "version": ticket.version + 1,
                               "updated_at": now}
    for tracking_date in rule.sets:
        if tracking_date in FIRST_TIME_ONLY and getattr(ticket, tracking_date.value) is not None:
            continue
        changes[tracking_date.value] = now
    for tracking_date in rule.clears:
        changes[tracking_date.value] = None
    # The suspension reason is the information the support asked for; it stays shown until resumed.
    suspending = transition == Transition.SUSPEND
    changes["suspension_reason"] = reason if suspending else None
    changes["suspended_at"] = now if suspending else None
    changes["suspension_reminded_at"] = None
    return changes


def write_if_unchanged(session: Session, ticket: Ticket, changes: dict[str, Any]) -> None:
    """Write `changes` only if the ticket still has the version read; raise TicketChanged otherwise."""
    result = session.execute(update(Ticket).where(Ticket.id == ticket.id, Ticket.version == ticket.version)
                             .values(**changes).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        session.rollback()
        logger.warning("change of ticket %s lost a race at version %s", ticket.id, ticket.version)
        raise TicketChanged()


def apply_transition(session: Session, caller: Caller, ticket_id: str, transition: Transition,
                     reason: str | None = None, expected_version: int | None = None,
                     reopen_window: timedelta = timedelta(days=15)) -> dict[str, Any]:
    """Apply `transition` and stage `ticket_status_changed`; return the changed ticket.

    Raises TicketNotFound (not visible), TransitionNotAllowed (role or status), InvalidTicket (reason
    missing) and TicketChanged when `expected_version` is stale or another change won the race.
    """
    caller.require_scope("tickets:write")
    ticket = visible_ticket(session, caller, ticket_id)
    if expected_version is not None and ticket.version != expected_version:
        raise TicketChanged()
    try:
        rule = plan(transition, caller.role, ticket.status)
    except TransitionRejected as exc:
        logger.warning("transition %s of ticket %s by user %s rejected: %s",
                       transition.value, ticket_id, caller.user_id, exc.reason)
        raise _rejection(exc, ticket.status) from None
    reason = _checked_reason(rule, reason)
    if transition == Transition.REOPEN and not reopen_window_open(as_utc(ticket.resolved_at), utc_now(), reopen_window):
        raise TransitionNotAllowed(text(
            f"Le délai de réouverture ({reopen_window.days} jours après la résolution) est dépassé : "
            "dupliquez la demande pour la rouvrir.",
            f"The reopening window ({reopen_window.days} days after resolution) has passed: "
            "duplicate the ticket to reopen it."))

    from_status = ticket.status
    changes = _changes(ticket, rule, transition, reason)
    write_if_unchanged(session, ticket, changes)

    session.add(TicketHistory(ticket_id=ticket.id, actor_id=caller.user_id, action=transition.value,
                              from_status=from_status, to_status=rule.to_status, reason=reason,
                              occurred_at=changes["updated_at"]))
    session.flush()
    session.refresh(ticket)
    follower_ids = list(session.scalars(select(TicketFollower.user_id).where(TicketFollower.ticket_id == ticket.id)))
    data = event_data(ticket, follower_ids, caller.user_id)
    data.update({"transition": transition.value, "from_status": from_status.value, "reason": reason})
    stage_event(session, Outbox, "ticket_status_changed", data, actor={"type": "user", "user_id": caller.user_id})
    session.commit()
    logger.info("ticket %s moved from %s to %s by user %s", ticket.id, from_status.value, rule.to_status.value,
                caller.user_id)
    return serialize_many(session, caller, [ticket])[0]

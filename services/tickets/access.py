"""Who sees which ticket.

A customer sees the tickets they requested or follow, a customer manager every ticket of their
organisation, agents and admins every ticket. Anyone else sees none. A ticket the caller may not see
is reported as not found, so that its existence does not leak.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, exists, false, or_, select, true
from sqlalchemy.orm import Session

from services.common.caller import Caller
from services.tickets.exceptions import TicketNotFound
from services.tickets.models import Ticket, TicketFollower


def visibility_clause(caller: Caller) -> ColumnElement[bool]:
    """Return the WHERE clause that keeps the tickets `caller` may see."""
    if not caller.is_authenticated:
        return false()
    if caller.is_agent:
        return true()
    if caller.role == "customer_manager" and caller.organisation_id:
        return Ticket.organisation_id == caller.organisation_id
    if caller.role == "customer" and caller.organisation_id:
        follows = exists().where(TicketFollower.ticket_id == Ticket.id, TicketFollower.user_id == caller.user_id)
        return (Ticket.organisation_id == caller.organisation_id) & or_(Ticket.requester_id == caller.user_id,
                                                                          follows)
    return false()


def visible_ticket(session: Session, caller: Caller, ticket_id: str, **options: Any) -> Ticket:
    """Load one ticket the caller may see; raise TicketNotFound otherwise."""
    ticket = session.scalar(select(Ticket).where(Ticket.id == ticket_id, visibility_clause(caller)), **options)
    if ticket is None:
        raise TicketNotFound()
    return ticket

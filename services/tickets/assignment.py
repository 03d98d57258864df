"""Assign a ticket to the agent in charge of it, or remove the assignment."""
from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.common.caller import AGENT_ROLES, Caller
from services.common.errors import field_error
from services.common.events import utc_now
from services.common.outbox import stage_event
from services.tickets.access import visible_ticket
from services.tickets.creation import AuthClient
from services.tickets.exceptions import InvalidTicket, TicketChanged
from services.tickets.models import Outbox, TicketFollower, TicketHistory
from services.tickets.reading import serialize_many
from services.tickets.serializers import event_data
from services.tickets.transitions import write_if_unchanged

logger = logging.getLogger(__name__)


def _check_assignee(auth: AuthClient, assignee_id: str) -> dict[str, Any]:
    user = auth.get_users(ids=[assignee_id])[0]
    if user is None or user.get("role") not in AGENT_ROLES:
        raise InvalidTicket(fields=[field_error(
            "assigneeId", "NOT_AN_AGENT", f"« {assignee_id} » n'est pas un agent du support.",
            f"'{assignee_id}' is not a support agent.")])
    return user


def assign_ticket(session: Session, caller: Caller, ticket_id: str, assignee_id: str | None, auth: AuthClient,
                  expected_version: int | None = None) -> dict[str, Any]:
    """Set the agent in charge (None removes it) and stage `ticket_assigned`; agents only.

    Raises Forbidden for customers, TicketNotFound, InvalidTicket when the assignee is not an agent,
    and TicketChanged when `expected_version` is stale or a concurrent change won.
    """
    caller.require_scope("tickets:write")
    caller.require_agent()
    # The auth service is asked before the ticket is read, so no transaction is open during the call.
    assignee = _check_assignee(auth, assignee_id) if assignee_id else None

    ticket = visible_ticket(session, caller, ticket_id)
    if expected_version is not None and ticket.version != expected_version:
        raise TicketChanged()
    previous_assignee_id = ticket.assignee_id
    now = utc_now()
    write_if_unchanged(session, ticket, {"assignee_id": assignee_id, "version": ticket.version + 1, "updated_at": now})
    session.add(TicketHistory(ticket_id=ticket.id, actor_id=caller.user_id, action="assign",
                              from_status=ticket.status, to_status=ticket.status,
                              reason=(assignee or {}).get("display_name") or "", occurred_at=now))
    session.flush()
    session.refresh(ticket)

    follower_ids = list(session.scalars(select(TicketFollower.user_id).where(TicketFollower.ticket_id == ticket.id)))
    data = event_data(ticket, follower_ids, caller.user_id)
    data.update({"previous_assignee_id": previous_assignee_id,
                 "assignee": ({"id": assignee_id, "email": assignee.get("email"),
                               "display_name": assignee.get("display_name"), "language": assignee.get("language")}
                              if assignee else None)})
    stage_event(session, Outbox, "ticket_assigned", data, actor={"type": "user", "user_id": caller.user_id})
    session.commit()
    logger.info("ticket %s assigned to %s by user %s", ticket.id, assignee_id, caller.user_id)
    return serialize_many(session, caller, [ticket])[0]

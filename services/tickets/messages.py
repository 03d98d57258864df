"""A ticket's thread: messages between the customer side and agents, internal notes, read markers.

Internal notes are written by agents for agents: customers never receive them, in a reply or in the
unread flag. Posting never changes the ticket's version, so a message cannot make a concurrent
status change fail.
"""
from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from services.common.caller import Caller
from services.common.errors import field_error, text
from services.common.events import utc_now
from services.common.outbox import stage_event
from services.common.pagination import paginate
from services.tickets.access import visible_ticket
from services.tickets.attachments import attachments_by_message
from services.tickets.exceptions import InvalidMessage, MessageNotAllowed
from services.tickets.lifecycle import TicketStatus
from services.tickets.models import Outbox, Ticket, TicketFollower, TicketMessage, TicketReadMarker
from services.tickets.reading import serialize_many
from services.tickets.serializers import event_data, serialize_message

logger = logging.getLogger(__name__)

BODY_MAX = 20_000


def _check_body(body: str | None) -> str:
    body = (body or "").strip()
    if not body:
        raise InvalidMessage(fields=[field_error("body", "REQUIRED", "Le message est vide.", "The message is empty.")])
    if len(body) > BODY_MAX:
        raise InvalidMessage(fields=[field_error("body", "TOO_LONG", f"Le message dépasse {BODY_MAX} caractères.",
                                                 f"The message exceeds {BODY_MAX} characters.")])
    return body


def _mark_read(session: Session, user_id: str, ticket_id: str) -> None:
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    now = utc_now()
    statement = dialect.insert(TicketReadMarker).values(user_id=user_id, ticket_id=ticket_id, read_at=now)
    session.execute(statement.on_conflict_do_update(index_elements=["user_id", "ticket_id"],
                                                    set_={"read_at": now}))


def post_message(session: Session, caller: Caller, ticket_id: str, body: str | None,
                 internal: bool = False) -> dict[str, Any]:
    """Add a message and stage `ticket_message_posted`; return the message.

    Raises TicketNotFound, MessageNotAllowed (an internal note by a customer, or a closed ticket) and
    InvalidMessage (empty or too long body).
    """
    caller.require_scope("tickets:write")
    ticket = visible_ticket(session, caller, ticket_id)
    if internal and not caller.is_agent:
        raise MessageNotAllowed(text("Seuls les agents du support écrivent des notes internes.",
                                     "Only support agents write internal notes."))
    if ticket.status == TicketStatus.CLOSED:
        raise MessageNotAllowed(text("La demande est clôturée : dupliquez-la pour poursuivre l'échange.",
                                     "The ticket is closed: duplicate it to go on with the conversation."))
    body = _check_body(body)

    now = utc_now()
    message = TicketMessage(ticket_id=ticket.id, author_id=caller.user_id, author_is_agent=caller.is_agent,
                            internal=internal, body=body, created_at=now)
    session.add(message)
    ticket_changes: dict[str, Any] = {"last_message_at": now, "updated_at": now}
    if not internal:
        ticket_changes["last_public_message_at"] = now
    session.execute(update(Ticket).where(Ticket.id == ticket.id).values(**ticket_changes)
                    .execution_options(synchronize_session=False))
    # The author has read their own message.
    _mark_read(session, str(caller.user_id), ticket.id)
    session.flush()
    session.refresh(ticket)

    follower_ids = list(session.scalars(select(TicketFollower.user_id).where(TicketFollower.ticket_id == ticket.id)))
    data = event_data(ticket, follower_ids, caller.user_id)
    # An internal note's text stays out of the event, so that no consumer can mail it to a customer.
    data.update({"message_id": message.id, "internal": internal, "author_id": caller.user_id,
                 "author_is_agent": caller.is_agent, "body": None if internal else body})
    stage_event(session, Outbox, "ticket_message_posted", data, actor={"type": "user", "user_id": caller.user_id})
    session.commit()
    logger.info("message %s posted on ticket %s by user %s (internal: %s)", message.id, ticket.id,
                caller.user_id, internal)
    return dict(serialize_message(message), attachments=[])


def list_messages(session: Session, caller: Caller, ticket_id: str, first: int | None,
                  after: str | None) -> dict[str, Any]:
    """Return a page of the thread, oldest first; customers never receive internal notes."""
    caller.require_scope("tickets:read")
    visible_ticket(session, caller, ticket_id)
    query = select(TicketMessage).where(TicketMessage.ticket_id == ticket_id)
    if not caller.is_agent:
        query = query.where(TicketMessage.internal.is_(False))
    query = query.order_by(TicketMessage.created_at, TicketMessage.id)
    page = paginate(session, query, first, after, serialize_message)
    attached = attachments_by_message(session, [message["id"] for message in page["items"]])
    for message in page["items"]:
        message["attachments"] = attached[message["id"]]
    return page


def mark_ticket_read(session: Session, caller: Caller, ticket_id: str) -> dict[str, Any]:
    """Record that the caller has read the thread up to now; return the ticket, no longer unread."""
    caller.require_scope("tickets:read")
    ticket = visible_ticket(session, caller, ticket_id)
    _mark_read(session, str(caller.user_id), ticket.id)
    session.commit()
    return serialize_many(session, caller, [ticket])[0]

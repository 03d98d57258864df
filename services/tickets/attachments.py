"""Metadata of the files attached to tickets; the gateway streams the files themselves."""
from __future__ import annotations

import logging
import re
import unicodedata
from typing import Any

from sqlalchemy import or_, select, true
from sqlalchemy.orm import Session

from services.common import config
from services.common.caller import Caller
from services.common.errors import field_error, text
from services.common.events import isoformat, utc_now
from services.common.sizes import size_text
from services.tickets.access import visibility_clause, visible_ticket
from services.tickets.exceptions import InvalidTicket, MessageNotAllowed, TicketNotFound
from services.tickets.lifecycle import TicketStatus
from services.tickets.models import Ticket, TicketAttachment, TicketHistory, TicketMessage

logger = logging.getLogger(__name__)

MAX_BYTES_KEY = "PORTAIL_ATTACHMENT_MAX_BYTES"
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
FILENAME_MAX = 255
CONTENT_TYPE_PATTERN = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*$")
SHA256_PATTERN = re.compile(r"^[0-9a-f]{64}$")


def max_bytes() -> int:
    return config.optional_int(MAX_BYTES_KEY, DEFAULT_MAX_BYTES)


def clean_filename(raw: str | None) -> str:
    """Return the name without folders or control characters, Unicode kept (NFC); empty when nothing is left."""
    name = unicodedata.normalize("NFC", str(raw or "")).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(char for char in name if unicodedata.category(char)[0] != "C").strip().lstrip(".")
    return name[:FILENAME_MAX]


def clean_content_type(raw: str | None) -> str:
    value = str(raw or "").split(";")[0].strip().lower()
    return value if CONTENT_TYPE_PATTERN.match(value) else "application/octet-stream"


def serialize_attachment(attachment: TicketAttachment) -> dict[str, Any]:
    return {
        "id": attachment.id, "ticket_id": attachment.ticket_id, "message_id": attachment.message_id,
        "storage_key": attachment.storage_key,
        "filename": attachment.filename, "content_type": attachment.content_type, "size": attachment.size,
        "sha256": attachment.sha256, "uploaded_by_id": attachment.uploaded_by_id,
        "created_at": isoformat(attachment.created_at),
    }


def check_upload(session: Session, caller: Caller, ticket_id: str) -> dict[str, Any]:
    """Return `{max_bytes}` when the caller may attach a file to the ticket now; raise otherwise."""
    caller.require_scope("tickets:write")
    ticket = visible_ticket(session, caller, ticket_id)
    if ticket.status == TicketStatus.CLOSED:
        raise MessageNotAllowed(text("La demande est clôturée : dupliquez-la pour joindre un fichier.",
                                     "The ticket is closed: duplicate it to attach a file."))
    return {"max_bytes": max_bytes()}


def _visible_to(caller: Caller) -> Any:
    """Return the clause hiding attachments of internal notes from customers."""
    if caller.is_agent:
        return true()
    return or_(TicketAttachment.message_id.is_(None), TicketMessage.internal.is_(False))


def _with_message(query: Any) -> Any:
    return query.outerjoin(TicketMessage, TicketMessage.id == TicketAttachment.message_id)


def _check_message(session: Session, caller: Caller, ticket_id: str, message_id: str) -> list[dict[str, Any]]:
    # A file joins only a message of the same ticket that the caller wrote.
    message = session.get(TicketMessage, message_id)
    if message is None or message.ticket_id != ticket_id or message.author_id != caller.user_id:
        return [field_error("messageId", "NOT_FOUND", "Message introuvable parmi les vôtres sur cette demande.",
                            "Message not found among yours on this ticket.")]
    return []


def add_attachment(session: Session, caller: Caller, ticket_id: str, storage_key: str, filename: str,
                   content_type: str, size: int, sha256: str, message_id: str | None = None) -> dict[str, Any]:
    """Record a file the gateway has stored; raise InvalidTicket when its metadata is unacceptable."""
    check_upload(session, caller, ticket_id)
    name = clean_filename(filename)
    errors = _check_message(session, caller, ticket_id, message_id) if message_id else []
    if not name:
        errors.append(field_error("filename", "REQUIRED", "Le nom du fichier est vide.", "The file name is empty."))
    if not isinstance(size, int) or size <= 0 or size > max_bytes():
        limit = size_text(max_bytes())
        errors.append(field_error("file", "INVALID_SIZE",
                                  f"Le fichier doit faire entre 1 octet et {limit['fr']}.",
                                  f"The file must be between 1 byte and {limit['en']}."))
    if not SHA256_PATTERN.match(str(sha256)) or not str(storage_key).isalnum():
        errors.append(field_error("file", "INVALID", "Fichier invalide.", "Invalid file."))
    if errors:
        raise InvalidTicket(fields=errors)

    now = utc_now()
    attachment = TicketAttachment(ticket_id=ticket_id, message_id=message_id, storage_key=storage_key, filename=name,
                                  content_type=clean_content_type(content_type), size=size, sha256=sha256,
                                  uploaded_by_id=caller.user_id, created_at=now)
    session.add(attachment)
    ticket = session.get(Ticket, ticket_id)
    assert ticket is not None  # checked visible above
    session.add(TicketHistory(ticket_id=ticket_id, actor_id=caller.user_id, action="attach",
                              from_status=ticket.status, to_status=ticket.status, reason=name, occurred_at=now))
    session.commit()
    logger.info("attachment %s (%s bytes) added to ticket %s by user %s", attachment.id, size, ticket_id,
                caller.user_id)
    return serialize_attachment(attachment)


def list_attachments(session: Session, caller: Caller, ticket_id: str) -> list[dict[str, Any]]:
    caller.require_scope("tickets:read")
    visible_ticket(session, caller, ticket_id)
    query = _with_message(select(TicketAttachment)).where(TicketAttachment.ticket_id == ticket_id, _visible_to(caller))
    rows = session.scalars(query.order_by(TicketAttachment.created_at, TicketAttachment.id))
    return [serialize_attachment(row) for row in rows]


def attachments_by_message(session: Session, message_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    """Return the attachments of each message, in one query; the caller has already filtered the messages."""
    found: dict[str, list[dict[str, Any]]] = {message_id: [] for message_id in message_ids}
    if not message_ids:
        return found
    rows = session.scalars(select(TicketAttachment).where(TicketAttachment.message_id.in_(message_ids))
                           .order_by(TicketAttachment.created_at, TicketAttachment.id))
    for row in rows:
        found[str(row.message_id)].append(serialize_attachment(row))
    return found


def get_attachment(session: Session, caller: Caller, attachment_id: str) -> dict[str, Any]:
    """Return one attachment of a ticket the caller may see; raise TicketNotFound otherwise."""
    caller.require_scope("tickets:read")
    query = _with_message(select(TicketAttachment).join(Ticket, Ticket.id == TicketAttachment.ticket_id))
    attachment = session.scalar(query.where(TicketAttachment.id == attachment_id, visibility_clause(caller),
                                            _visible_to(caller)))
    if attachment is None:
        raise TicketNotFound()
    return serialize_attachment(attachment)

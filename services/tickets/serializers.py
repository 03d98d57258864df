"""Plain dicts of tickets for RPC replies and event payloads (ids as strings, times ISO 8601 UTC)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from services.common.caller import Caller
from services.common.events import isoformat
from services.common.markdown import render_markdown
from services.tickets.lifecycle import STATE_LABELS, STATUS_LABELS, allowed_transition_values
from services.tickets.models import Ticket, TicketHistory, TicketMessage
from services.tickets.vocabulary import NATURE_LABELS, SEVERITY_LABELS


def _time(moment: datetime | None) -> str | None:
    return isoformat(moment) if moment is not None else None


def serialize_ticket(ticket: Ticket, follower_ids: list[str], caller: Caller, unread: bool,
                     with_html: bool = True, keys: frozenset[str] | None = None) -> dict[str, Any]:
    """Describe a ticket as `caller` sees it, with the transitions they may apply now.

    Lists pass `with_html=False`: rendering every description would cost more than the rest of the
    page, and `description_html` is then None. They also pass `keys`, the keys their reader uses
    (a subset of TICKET_KEYS), so that the reply carries only those.
    """
    described = {
        "id": ticket.id,
        "number": ticket.number,
        "organisation_id": ticket.organisation_id,
        "version": ticket.version,
        "contract": {"id": ticket.contract_id, "number": ticket.contract_number},
        "services": ticket.services or [],
        "product_id": ticket.product_id,
        "product": {"id": ticket.product_id, "name": ticket.product_name},
        "site": {"id": ticket.site_id, "name": ticket.site_name},
        "version_id": ticket.version_id,
        "product_version": ({"id": ticket.version_id, "name": ticket.version_name}
                            if ticket.version_id else None),
        "nature": ticket.nature.value,
        "nature_label": NATURE_LABELS[ticket.nature],
        "severity": ticket.severity.value,
        "severity_label": SEVERITY_LABELS[ticket.severity],
        "desired_delivery_date": (ticket.desired_delivery_date.isoformat()
                                  if ticket.desired_delivery_date else None),
        "reference_1": ticket.reference_1,
        "reference_2": ticket.reference_2,
        "title": ticket.title,
        "requester_id": ticket.requester_id,
        "follower_ids": follower_ids,
        "created_by_id": ticket.created_by_id,
        "assignee_id": ticket.assignee_id,
        "status": ticket.status.value,
        "status_label": STATUS_LABELS[ticket.status],
        "state": ticket.state.value,
        "state_label": STATE_LABELS[ticket.state],
        "suspension_reason": ticket.suspension_reason,
        "suspended_at": _time(ticket.suspended_at),
        "duplicated_from_id": ticket.duplicated_from_id,
        "entered_at": _time(ticket.entered_at),
        "received_at": _time(ticket.received_at),
        "intervention_at": _time(ticket.intervention_at),
        "resolved_at": _time(ticket.resolved_at),
        "closed_at": _time(ticket.closed_at),
        "updated_at": _time(ticket.updated_at),
        "unread": unread,
        "allowed_transitions": list(allowed_transition_values(caller.role, ticket.status)),
    }
    # The description is read only when requested. A list that needs none leaves it deferred, and
    # reading it would cost one query per ticket.
    if keys is None or keys & {"description", "description_html"}:
        described["description"] = ticket.description
        described["description_html"] = render_markdown(ticket.description) if with_html else None
    if keys is None:
        return described
    return {key: described[key] for key in keys}


# Every key of `serialize_ticket`'s result; a list may ask for any subset of them.
TICKET_KEYS = frozenset({
    "id", "number", "organisation_id", "version", "contract", "services", "product_id", "product", "site",
    "version_id", "product_version", "nature", "nature_label", "severity", "severity_label",
    "desired_delivery_date", "reference_1", "reference_2", "title", "description", "description_html",
    "requester_id", "follower_ids", "created_by_id", "assignee_id", "status", "status_label", "state",
    "state_label", "suspension_reason", "suspended_at", "duplicated_from_id", "entered_at", "received_at",
    "intervention_at", "resolved_at", "closed_at", "updated_at", "unread", "allowed_transitions",
})


def event_data(ticket: Ticket, follower_ids: list[str], actor_id: str | None) -> dict[str, Any]:
    """Return what every ticket event carries, enough for an e-mail without calling back.

    `contacts` copies the requester's and followers' names, e-mail addresses and languages as the
    auth service gave them when the ticket was created.
    """
    return {
        "ticket_id": ticket.id,
        "number": ticket.number,
        "title": ticket.title,
        "organisation_id": ticket.organisation_id,
        "requester_id": ticket.requester_id,
        "follower_ids": follower_ids,
        "assignee_id": ticket.assignee_id,
        "contacts": ticket.contacts or [],
        "status": ticket.status.value,
        "status_label": STATUS_LABELS[ticket.status],
        "state": ticket.state.value,
        "state_label": STATE_LABELS[ticket.state],
        "severity": ticket.severity.value,
        "product_id": ticket.product_id,
        "product_name": ticket.product_name,
        "actor_id": actor_id,
    }


def serialize_history(entry: TicketHistory) -> dict[str, Any]:
    return {
        "id": entry.id,
        "ticket_id": entry.ticket_id,
        "actor_id": entry.actor_id,
        "action": entry.action,
        "from_status": entry.from_status.value if entry.from_status else None,
        "to_status": entry.to_status.value,
        "reason": entry.reason,
        "occurred_at": _time(entry.occurred_at),
    }


def serialize_message(message: TicketMessage) -> dict[str, Any]:
    return {
        "id": message.id,
        "ticket_id": message.ticket_id,
        "author_id": message.author_id,
        "author_is_agent": message.author_is_agent,
        "internal": message.internal,
        "body": message.body,
        "body_html": render_markdown(message.body),
        "created_at": _time(message.created_at),
    }

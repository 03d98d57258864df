"""Change a ticket's context, description or followers after creation, recorded in its history.

The contract group is not editable, because its choices were checked against the catalog at
creation; a ticket filed under the wrong contract is duplicated instead.
"""
from __future__ import annotations

import logging
from datetime import date
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from services.common.caller import Caller
from services.common.errors import field_error, text
from services.common.events import utc_now
from services.tickets.access import visible_ticket
from services.tickets.creation import AuthClient
from services.tickets.exceptions import InvalidTicket, TicketChanged, TransitionNotAllowed
from services.tickets.form import (
    TicketForm, check_contacts, check_contacts_group, check_context_group, check_description_group, in_form_order,
)
from services.tickets.lifecycle import TicketStatus
from services.tickets.models import Ticket, TicketFollower, TicketHistory
from services.tickets.numbering import PARIS
from services.tickets.reading import serialize_many
from services.tickets.search import ticket_search_text
from services.tickets.transitions import write_if_unchanged

logger = logging.getLogger(__name__)

EDITABLE = ("nature", "severity", "desired_delivery_date", "reference_1", "reference_2", "title", "description",
            "follower_ids")


def _current_values(ticket: Ticket, follower_ids: list[str]) -> dict[str, Any]:
    return {
        "nature": ticket.nature.value, "severity": ticket.severity.value,
        "desired_delivery_date": ticket.desired_delivery_date.isoformat() if ticket.desired_delivery_date else None,
        "reference_1": ticket.reference_1, "reference_2": ticket.reference_2,
        "title": ticket.title, "description": ticket.description,
        "requester_id": ticket.requester_id, "follower_ids": follower_ids,
    }


def _checked(values: dict[str, Any], kept_date: date | None, organisation_id: str, auth: AuthClient) -> TicketForm:
    """Check the edited form; a delivery date left unchanged is kept even once it has passed."""
    today = utc_now().astimezone(PARIS).date()
    form = TicketForm()
    errors = check_context_group(values, form, today) + check_description_group(values, form)
    if "desired_delivery_date" not in values:
        form.desired_delivery_date = kept_date
    errors += check_contacts_group(values, form)
    if form.follower_ids and not errors:
        users = dict(zip(form.follower_ids, auth.get_users(ids=form.follower_ids)))
        users[form.requester_id or ""] = {"organisation_id": organisation_id}
        errors += check_contacts(form, users, organisation_id)
    if errors:
        raise InvalidTicket(fields=in_form_order(errors))
    return form


def update_ticket(session: Session, caller: Caller, ticket_id: str, changes: dict[str, Any], auth: AuthClient,
                  expected_version: int | None = None) -> dict[str, Any]:
    """Apply `changes` (keys of EDITABLE) to an open ticket; return it.

    Raises TicketNotFound, TransitionNotAllowed on a closed ticket, InvalidTicket for an invalid or
    unknown field, and TicketChanged when `expected_version` is stale or a concurrent change won.
    """
    caller.require_scope("tickets:write")
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise InvalidTicket(fields=[field_error(name, "NOT_EDITABLE", f"Le champ « {name} » n'est pas modifiable.",
                                                f"The field '{name}' cannot be changed.") for name in unknown])
    ticket = visible_ticket(session, caller, ticket_id)
    if ticket.status == TicketStatus.CLOSED:
        raise TransitionNotAllowed(text("Une demande clôturée ne se modifie plus : dupliquez-la.",
                                        "A closed ticket cannot be changed: duplicate it."))
    follower_ids = list(session.scalars(select(TicketFollower.user_id).where(TicketFollower.ticket_id == ticket_id)))
    before = _current_values(ticket, follower_ids)
    read_version, organisation_id, kept_date = ticket.version, ticket.organisation_id, ticket.desired_delivery_date
    # End the read before the auth service is called; the version read guards the write below.
    session.rollback()
    values = dict(before, **changes)
    if "desired_delivery_date" not in changes:
        del values["desired_delivery_date"]
    form = _checked(values, kept_date, organisation_id, auth)

    ticket = visible_ticket(session, caller, ticket_id)
    if ticket.version != read_version or (expected_version is not None and expected_version != read_version):
        raise TicketChanged()
    now = utc_now()
    columns = {"nature": form.nature, "severity": form.severity, "desired_delivery_date": form.desired_delivery_date,
               "reference_1": form.reference_1, "reference_2": form.reference_2, "title": form.title,
               "description": form.description,
               # An UPDATE statement runs no ORM event, so the search column is written here.
               "search_text": ticket_search_text(form.title, form.reference_1, form.reference_2)}
    changed = [name for name in EDITABLE if name in changes and before[name] != _current_form_value(form, name)]
    write_if_unchanged(session, ticket, dict(columns, version=ticket.version + 1, updated_at=now))
    if "follower_ids" in changes:
        session.execute(delete(TicketFollower).where(TicketFollower.ticket_id == ticket_id))
        session.add_all([TicketFollower(ticket_id=ticket_id, user_id=user_id) for user_id in form.follower_ids])
    session.add(TicketHistory(ticket_id=ticket_id, actor_id=caller.user_id, action="edit",
                              from_status=ticket.status, to_status=ticket.status, reason=", ".join(changed),
                              occurred_at=now))
    session.commit()
    session.refresh(ticket)
    logger.info("ticket %s edited by user %s: %s", ticket_id, caller.user_id, changed)
    return serialize_many(session, caller, [ticket])[0]


def _current_form_value(form: TicketForm, name: str) -> Any:
    value = getattr(form, name)
    if name in ("nature", "severity") and value is not None:
        return value.value
    if name == "desired_delivery_date":
        return value.isoformat() if value else None
    return value

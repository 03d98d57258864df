"""Create a ticket from the form, or duplicate one (« Dupliquer »).

Nothing is stored unless every field is valid. The catalog and the auth service are called before
the write transaction begins, because a worker that waits on the broker while holding SQLite's
write lock would block every other writer.
"""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.common.caller import Caller
from services.common.errors import NotFound, ValidationFailed, field_error
from services.common.events import isoformat, utc_now
from services.common.outbox import stage_event
from services.tickets.access import visible_ticket
from services.tickets.exceptions import InvalidTicket, TransitionNotAllowed
from services.tickets.form import TicketForm, check_contacts, check_form, form_field, in_form_order
from services.tickets.lifecycle import Side, TicketState, TicketStatus, side_of
from services.tickets.models import Outbox, Ticket, TicketFollower, TicketHistory
from services.tickets.numbering import PARIS, next_number
from services.tickets.serializers import event_data, serialize_ticket

logger = logging.getLogger(__name__)


class PendingReply(Protocol):
    def result(self) -> Any: ...


class RemoteMethod(Protocol):
    """A method of another service. A call waits for the reply, but `call_async` returns at once."""

    def __call__(self, **kwargs: Any) -> Any: ...

    def call_async(self, **kwargs: Any) -> PendingReply: ...


class CatalogClient(Protocol):
    check_ticket_entitlement: RemoteMethod


class AuthClient(Protocol):
    get_users: RemoteMethod


def _organisation_of(caller: Caller, values: dict[str, Any], errors: list[dict[str, Any]]) -> str | None:
    # Customers always write for their own organisation; agents name the organisation they write for.
    if not caller.is_agent:
        return caller.organisation_id
    organisation_id = values.get("organisation_id")
    if not isinstance(organisation_id, str) or not organisation_id.strip():
        errors.append(field_error("organisationId", "REQUIRED",
                                  "Choisissez l'organisation pour laquelle la demande est créée.",
                                  "Choose the organisation the ticket is created for."))
        return None
    return organisation_id.strip()


def _check_entitlement(reply: PendingReply, form: TicketForm, errors: list[dict[str, Any]]) -> dict[str, Any] | None:
    try:
        return reply.result()
    except ValidationFailed as exc:
        fields = [dict(item, field=form_field(str(item.get("field")))) for item in exc.fields]
        errors.extend(fields or [field_error("contractId", "NOT_COVERED", exc.message["fr"], exc.message["en"])])
        return None
    except NotFound:
        # The catalog does not know the organisation (or hides it from the caller).
        errors.append(field_error("organisationId", "NOT_FOUND", "Organisation introuvable.",
                                  "Organisation not found."))
        return None


def _contact_ids(form: TicketForm) -> list[str]:
    return [form.requester_id or ""] + form.follower_ids


def _fetch_contacts(reply: PendingReply, form: TicketForm, organisation_id: str,
                    errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    ids = _contact_ids(form)
    users = dict(zip(ids, reply.result()))
    errors.extend(check_contacts(form, users, organisation_id))
    contacts = []
    for index, user_id in enumerate(ids):
        user = users.get(user_id) or {}
        contacts.append({
            "id": user_id,
            "relation": "requester" if index == 0 else "follower",
            "email": user.get("email"),
            "display_name": user.get("display_name"),
            "language": user.get("language") or "fr",
        })
    return contacts


def validate(caller: Caller, values: dict[str, Any], catalog: CatalogClient, auth: AuthClient,
             now: datetime) -> tuple[str, TicketForm, dict[str, Any], list[dict[str, Any]]]:
    """Check the whole form; return organisation, form, entitlement and contacts, or raise InvalidTicket."""
    errors: list[dict[str, Any]] = []
    organisation_id = _organisation_of(caller, values, errors)
    form, form_errors = check_form(values, now.astimezone(PARIS).date())
    errors.extend(form_errors)
    if form.requester_id is None and not caller.is_agent:
        form.requester_id = caller.user_id
    if form.requester_id is None:
        errors.append(field_error("requesterId", "REQUIRED", "Indiquez le demandeur.", "Choose the requester."))

    # Both calls are sent before either reply is awaited, because each is a round trip through the
    # broker and neither depends on the other.
    entitlement_reply = contacts_reply = None
    if organisation_id and form.contract_complete:
        entitlement_reply = catalog.check_ticket_entitlement.call_async(
            organisation_id=organisation_id, contract_id=form.contract_id, service_ids=form.service_ids,
            product_id=form.product_id, site_id=form.site_id, version_id=form.version_id)
    if organisation_id and form.requester_id:
        contacts_reply = auth.get_users.call_async(ids=_contact_ids(form))
    entitlement: dict[str, Any] = {}
    if entitlement_reply is not None:
        entitlement = _check_entitlement(entitlement_reply, form, errors) or {}
    contacts: list[dict[str, Any]] = []
    if contacts_reply is not None and organisation_id:
        contacts = _fetch_contacts(contacts_reply, form, organisation_id, errors)

    if errors or organisation_id is None:
        raise InvalidTicket(fields=in_form_order(errors))
    return organisation_id, form, entitlement, contacts


def create_ticket(session: Session, caller: Caller, values: dict[str, Any], catalog: CatalogClient,
                  auth: AuthClient, duplicated_from_id: str | None = None) -> dict[str, Any]:
    """Validate and store a ticket, stage `ticket_created`; raise InvalidTicket with every failing field."""
    caller.require_scope("tickets:write")
    if side_of(caller.role) is None:
        raise TransitionNotAllowed()
    now = utc_now()
    organisation_id, form, entitlement, contacts = validate(caller, values, catalog, auth, now)

    # A customer who writes for a colleague follows the ticket, or they could not see it afterwards.
    follower_ids = list(form.follower_ids)
    if side_of(caller.role) == Side.CUSTOMER and caller.user_id not in [form.requester_id, *follower_ids]:
        follower_ids.append(str(caller.user_id))

    ticket = _new_ticket(organisation_id, form, entitlement, contacts, caller, now, duplicated_from_id)
    ticket.number = next_number(session, now)
    session.add(ticket)
    session.flush()
    session.add_all([TicketFollower(ticket_id=ticket.id, user_id=user_id) for user_id in follower_ids])
    session.add(TicketHistory(ticket_id=ticket.id, actor_id=caller.user_id,
                              action="duplicate" if duplicated_from_id else "create",
                              from_status=None, to_status=TicketStatus.NEW, occurred_at=now))
    data = event_data(ticket, follower_ids, caller.user_id)
    data.update({
        "nature": ticket.nature.value, "site_name": ticket.site_name, "contract_number": ticket.contract_number,
        "duplicated_from_id": duplicated_from_id, "entered_at": isoformat(now),
    })
    stage_event(session, Outbox, "ticket_created", data, actor={"type": "user", "user_id": caller.user_id})
    session.commit()
    logger.info("ticket %s (%s) created by user %s for organisation %s",
                ticket.id, ticket.number, caller.user_id, organisation_id)
    return serialize_ticket(ticket, follower_ids, caller, unread=False)


def _new_ticket(organisation_id: str, form: TicketForm, entitlement: dict[str, Any], contacts: list[dict[str, Any]],
                caller: Caller, now: datetime, duplicated_from_id: str | None) -> Ticket:
    contract = entitlement.get("contract") or {}
    product = entitlement.get("product") or {}
    site = entitlement.get("site") or {}
    version = entitlement.get("version") or {}
    services = entitlement.get("services") or [{"id": service_id, "name": ""} for service_id in form.service_ids]
    return Ticket(
        organisation_id=organisation_id, version=1,
        contract_id=form.contract_id, contract_number=str(contract.get("number") or ""),
        services=[{"id": item.get("id"), "name": item.get("name") or ""} for item in services],
        product_id=form.product_id, product_name=str(product.get("name") or ""),
        site_id=form.site_id, site_name=str(site.get("name") or ""),
        version_id=form.version_id, version_name=version.get("name") if form.version_id else None,
        nature=form.nature, severity=form.severity, desired_delivery_date=form.desired_delivery_date,
        reference_1=form.reference_1, reference_2=form.reference_2,
        title=form.title, description=form.description,
        requester_id=form.requester_id, contacts=contacts, created_by_id=caller.user_id,
        status=TicketStatus.NEW, state=TicketState.AWAITING_SUPPORT,
        duplicated_from_id=duplicated_from_id, entered_at=now, updated_at=now,
    )


def duplicate_ticket(session: Session, caller: Caller, ticket_id: str, catalog: CatalogClient,
                     auth: AuthClient) -> dict[str, Any]:
    """Create a new ticket prefilled from a visible one and linked to it (« Dupliquer »).

    The copy is checked like a new form: a contract that no longer covers the product is rejected.
    """
    caller.require_scope("tickets:write")
    original = visible_ticket(session, caller, ticket_id)
    follower_ids = list(session.scalars(select(TicketFollower.user_id).where(TicketFollower.ticket_id == ticket_id)))
    today = utc_now().astimezone(PARIS).date()
    values = {
        "organisation_id": original.organisation_id,
        "contract_id": original.contract_id,
        "service_ids": [item["id"] for item in original.services or []],
        "product_id": original.product_id, "site_id": original.site_id, "version_id": original.version_id,
        "nature": original.nature.value, "severity": original.severity.value,
        "desired_delivery_date": (original.desired_delivery_date.isoformat()
                                  if original.desired_delivery_date and original.desired_delivery_date >= today
                                  else None),
        "reference_1": original.reference_1, "reference_2": original.reference_2,
        "title": original.title, "description": original.description,
        # A customer who duplicates becomes the requester; an agent keeps the original requester.
        "requester_id": original.requester_id if caller.is_agent else caller.user_id,
        "follower_ids": [user_id for user_id in [original.requester_id, *follower_ids] if user_id != caller.user_id],
    }
    # End the read transaction before calling the catalog and the auth service.
    session.rollback()
    return create_ticket(session, caller, values, catalog, auth, duplicated_from_id=ticket_id)

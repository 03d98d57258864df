"""« Modifier la demande »: the customer changes an open ticket's context, description or followers.

The contract group is not editable (the service rejects it): a ticket filed under the wrong
contract is duplicated instead. Every change is recorded in the ticket's history by the service.
"""
from __future__ import annotations

from typing import Any

from graphql_relay import from_global_id
from starlette.requests import Request
from starlette.responses import Response

from gateway.portal.i18n import translations
from gateway.portal.operations import PageSession
from gateway.portal.pages import csrf_expired, failure, signed_in
from gateway.portal.rendering import csrf_valid, redirect, render
from gateway.portal.support_views import COLLEAGUES, find_ticket, not_found, support_closed

EDIT_DETAIL = """
query Ticket($id: ID!) { ticket(id: $id) {
  id number version status title description nature severity desiredDeliveryDate reference1 reference2
  contract { number } product { name } site { name } requester { id displayName } followers { id }
} }"""
UPDATE = """
mutation Update($input: UpdateTicketInput!) { updateTicket(input: $input) { ticket { number } } }"""
TEXT_FIELDS = ("nature", "severity", "desiredDeliveryDate", "reference1", "reference2", "title", "description")


def form_values(ticket: dict[str, Any]) -> dict[str, Any]:
    """Return the edit form's values from the ticket as it is now."""
    values = {key: ticket.get(key) or "" for key in TEXT_FIELDS}
    values["followerIds"] = [person["id"] for person in ticket["followers"]]
    return values


def shown_values(form: Any, ticket: dict[str, Any]) -> dict[str, Any]:
    """Return the values the form was shown with (its hidden `shown-*` fields), or the ticket's when absent."""
    current = form_values(ticket)
    shown = {key: str(form.get(f"shown-{key}", current[key])).strip() for key in TEXT_FIELDS}
    followers = form.get("shown-followerIds")
    shown["followerIds"] = [item for item in str(followers).split(",") if item] if followers is not None \
        else current["followerIds"]
    return shown


def changed_values(values: dict[str, Any], shown: dict[str, Any]) -> dict[str, Any]:
    """Return the fields whose submitted value differs from the one shown; followers compare as a set."""
    changes = {key: value for key, value in values.items() if key != "followerIds" and value != shown[key]}
    if set(values["followerIds"]) != set(shown["followerIds"]):
        changes["followerIds"] = values["followerIds"]
    return changes


async def editable_ticket(page: PageSession, number: str) -> tuple[dict[str, Any] | None, Response | None]:
    """Return the ticket to edit, or the page to show instead (support closed, not found, closed ticket)."""
    closed = await support_closed(page)
    if closed:
        return None, closed
    ticket = await find_ticket(page, number, EDIT_DETAIL)
    if ticket is None:
        return None, not_found(page)
    if ticket["status"] == "CLOSED":
        _ = translations(page.language).gettext
        return None, render(page, "message.html", status=409, title=_("This request is closed"),
                            lines=[_("A closed request can no longer be changed: duplicate it instead.")],
                            back_url=f"/support/tickets/{number}", back_label=_("Back to the request"))
    return ticket, None


async def render_edit(page: PageSession, ticket: dict[str, Any], values: dict[str, Any],
                      field_errors: dict[str, str] | None = None, errors: list[str] | None = None,
                      status: int = 200, shown: dict[str, Any] | None = None,
                      ticket_conflict: dict[str, str] | None = None) -> Response:
    listed = await page.run(COLLEAGUES)
    # A ticket names its contacts by the auth service's raw ids, the colleagues query by global ids.
    colleagues = [dict(person, id=from_global_id(person["id"]).id)
                  for person in (listed.data["colleagues"] if listed.ok and listed.data else [])]
    # Followers are chosen among colleagues other than the requester, who follows by definition.
    colleagues = [person for person in colleagues if person["id"] != ticket["requester"]["id"]]
    return render(page, "support_edit.html", status=status, ticket=ticket, values=values, colleagues=colleagues,
                  shown=shown or form_values(ticket), ticket_conflict=ticket_conflict,
                  field_errors=field_errors or {}, errors=errors or [], support_enabled=True)


@signed_in
async def edit_page(request: Request, page: PageSession) -> Response:
    ticket, other = await editable_ticket(page, request.path_params["number"])
    if other:
        return other
    return await render_edit(page, ticket, form_values(ticket))


@signed_in
async def edit_submit(request: Request, page: PageSession) -> Response:
    if not await csrf_valid(request, page):
        return csrf_expired(page)
    ticket, other = await editable_ticket(page, request.path_params["number"])
    if other:
        return other
    form = await request.form()
    values: dict[str, Any] = {key: str(form.get(key, "")).strip() for key in TEXT_FIELDS}
    values["followerIds"] = [str(item) for item in form.getlist("followerIds")]

    # Send only what the user changed from the values the form was shown with, so that a change
    # someone else made meanwhile is never reverted and an untouched past delivery date is kept.
    shown = shown_values(form, ticket)
    changes = changed_values(values, shown)
    if not changes:
        return redirect(page, f"/support/tickets/{ticket['number']}")
    update_input: dict[str, Any] = dict(changes, ticketId=ticket["id"])
    try:
        update_input["expectedVersion"] = int(str(form.get("version", "")))
    except ValueError:
        pass
    # An emptied date is sent as null, which removes it; emptied references are sent as empty text.
    if update_input.get("desiredDeliveryDate") == "":
        update_input["desiredDeliveryDate"] = None
    result = await page.run(UPDATE, {"input": update_input})
    if not result.ok:
        if result.first_code() in ("SERVICE_UNAVAILABLE", "TIMEOUT", "INTERNAL", "NOT_FOUND"):
            return failure(page, result)
        if result.first_code() == "CONFLICT":
            # Someone changed the ticket meanwhile: show it as it is now with the user's own changes
            # on top, so that they check and save again on purpose.
            fresh = await find_ticket(page, ticket["number"], EDIT_DETAIL) or ticket
            values = dict(form_values(fresh), **changes)
            _ = translations(page.language).gettext
            # Its reload link shows the form again with the ticket's current values, without the user's entries.
            conflict = {"message": _("Someone changed this request while you were editing it. Your entries are "
                                     "kept below: check the request's current state, then save again."),
                        "reload_url": f"/support/tickets/{ticket['number']}/modifier"}
            return await render_edit(page, fresh, values, status=409, ticket_conflict=conflict)
        return await render_edit(page, ticket, values, result.field_errors(), result.messages(), status=400,
                                 shown=shown)
    return redirect(page, f"/support/tickets/{ticket['number']}?modifiee=1")

"""The support desk in the portal: lists by tab, the creation form, the ticket page and its actions."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from gateway.portal.home_views import nodes
from gateway.portal.i18n import translations
from gateway.portal.operations import OperationResult, PageSession
from gateway.portal.pages import csrf_expired, failure, signed_in
from gateway.portal.rendering import PARIS, csrf_valid, redirect, render

# Sub-tab slug in the URL -> GraphQL TicketTab value.
TABS = {"en-cours": "IN_PROGRESS", "resolues": "RESOLVED", "cloturees": "CLOSED", "toutes": "ALL"}
COUNT_KEYS = {"en-cours": "inProgress", "resolues": "resolved", "cloturees": "closed", "toutes": "all"}
SORTS = ("RECENTLY_UPDATED", "NEWEST_FIRST", "OLDEST_FIRST", "NUMBER_DESC", "NUMBER_ASC", "SEVERITY", "TITLE")
PAGE_SIZE = 25

SUPPORT_STATE = "{ me { user { id } support { state blockers { code message } } } }"
TICKET_ROW = """
  id number title statusLabel status stateLabel state severity severityLabel natureLabel unread
  product { name } productVersion { name } site { name } contract { number } services { name }
  requester { displayName } reference1 reference2 desiredDeliveryDate
  enteredAt receivedAt interventionAt resolvedAt closedAt updatedAt
"""
LIST = """
query List($tab: TicketTab, $filter: TicketFilter, $sort: TicketSortOrder, $after: String) {
  tickets(tab: $tab, filter: $filter, sort: $sort, first: %d, after: $after) {
    totalCount unreadCount pageInfo { hasNextPage endCursor } edges { node { %s } }
  }
  ticketCounts(filter: $filter) { inProgress resolved closed all unread }
  ticketColumns { columns { key label } }
}""" % (PAGE_SIZE, TICKET_ROW)
COLUMNS = "{ ticketColumns { columns { key label } available { key label } } }"
SAVE_COLUMNS = """
mutation Save($input: SaveTicketColumnsInput!) { saveTicketColumns(input: $input) { columns { columns { key } } } }"""
# List sort -> the export route's `sort` parameter, so the file lists rows in the screen's order.
EXPORT_SORTS = {"RECENTLY_UPDATED": "-updated_at", "NEWEST_FIRST": "-entered_at", "OLDEST_FIRST": "entered_at",
                "NUMBER_DESC": "-number", "NUMBER_ASC": "number", "SEVERITY": "severity", "TITLE": "title"}
# Tab slug -> the export route's `tab` parameter.
EXPORT_TABS = {"en-cours": "in_progress", "resolues": "resolved", "cloturees": "closed", "toutes": "all"}
# Column key -> how the list shows it: a dotted path into the ticket, and whether it is a time or a date.
COLUMN_VALUES = {
    "NUMBER": ("number", None), "TITLE": ("title", None), "PRODUCT": ("product.name", None),
    "PRODUCT_VERSION": ("productVersion.name", None), "SITE": ("site.name", None),
    "CONTRACT": ("contract.number", None), "SERVICES": ("services", "names"), "NATURE": ("natureLabel", None),
    "SEVERITY": ("severityLabel", None), "STATUS": ("statusLabel", None), "STATE": ("stateLabel", None),
    "REQUESTER": ("requester.displayName", None), "REFERENCE_1": ("reference1", None),
    "REFERENCE_2": ("reference2", None), "DESIRED_DELIVERY_DATE": ("desiredDeliveryDate", "date"),
    "ENTERED_AT": ("enteredAt", "time"), "RECEIVED_AT": ("receivedAt", "time"),
    "INTERVENTION_AT": ("interventionAt", "time"), "RESOLVED_AT": ("resolvedAt", "time"),
    "CLOSED_AT": ("closedAt", "time"), "UPDATED_AT": ("updatedAt", "time"),
}
COLLEAGUES = "{ colleagues { id displayName email } }"
FORM_OPTIONS = """
{
  me { user { id displayName email } }
  ticketFormOptions {
    supportEnabled reason
    contracts { id number endDate services { id name } sites { id name }
                products { id name versions { id name } } }
  }
}"""
CREATE = """
mutation Create($input: CreateTicketInput!) { createTicket(input: $input) { ticket { id number } } }"""
TICKET_FIELDS = """
  id number version title description descriptionHtml natureLabel severityLabel desiredDeliveryDate
  reference1 reference2 statusLabel status stateLabel state suspensionReason unread allowedTransitions
  contract { number } services { name } product { name } site { name } productVersion { name }
  requester { displayName email } followers { displayName }
  enteredAt receivedAt interventionAt resolvedAt closedAt updatedAt
  duplicatedFrom { number }
  history { action actor { displayName } fromStatus toStatus reason occurredAt }
  messages(first: 100) { edges { node { id author { displayName } authorIsAgent body bodyHtml createdAt } } }
  attachments { id filename contentType size createdAt downloadUrl uploadedBy { displayName } }
  attachmentUploadUrl
"""
FIND = """
query Find($text: String) {
  tickets(tab: ALL, filter: {text: $text}, first: 10) { edges { node { id number } } }
}"""
DETAIL = "query Ticket($id: ID!) { ticket(id: $id) { %s } }" % TICKET_FIELDS
ACTIONS = {
    "cloturer": ("closeTicket", "CloseTicketInput", "reason"),
    "reprise": ("resumeTicket", "ResumeTicketInput", "comment"),
    "rouvrir": ("reopenTicket", "ReopenTicketInput", "reason"),
}
# Fields of the duplicate confirmation page, which are those the tickets service copies into the new ticket.
DUPLICATE_DETAIL = """
query Ticket($id: ID!) { ticket(id: $id) {
  id number title descriptionHtml natureLabel severityLabel desiredDeliveryDate reference1 reference2
  contract { number } services { name } product { name } productVersion { name } site { name }
  requester { id displayName } followers { id displayName }
} }"""
DUPLICATE = """
mutation Duplicate($input: DuplicateTicketInput!) { duplicateTicket(input: $input) { ticket { number } } }"""
POST_MESSAGE = """
mutation Post($input: PostTicketMessageInput!) { postTicketMessage(input: $input) { message { id } } }"""
MARK_READ = "mutation Read($input: MarkTicketReadInput!) { markTicketRead(input: $input) { ticket { id } } }"


async def support_closed(page: PageSession) -> Response | None:
    """Return the page explaining why support is closed, or None when the visitor may use it."""
    result = await page.run(SUPPORT_STATE)
    if not result.ok:
        return failure(page, result)
    support = result.data["me"]["support"]
    if support["state"] == "ENABLED":
        return None
    _ = translations(page.language).gettext
    lines = [blocker["message"] for blocker in support["blockers"]] or [
        _("Support access cannot be checked right now; try again shortly.")]
    return render(page, "message.html", status=403, title=_("The support desk is not available to you"),
                  lines=lines)


def cell(ticket: dict[str, Any], key: str) -> tuple[str | None, Any]:
    """Return how to show one column of a ticket: its kind (None, time, date, names) and value."""
    path, kind = COLUMN_VALUES[key]
    value: Any = ticket
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return kind, value


def list_filter(request: Request) -> dict[str, Any]:
    params = request.query_params
    result: dict[str, Any] = {}
    if params.get("texte"):
        result["text"] = params["texte"]
    if params.get("gravite"):
        result["severities"] = [params["gravite"]]
    if params.get("non-lues") == "1":
        result["unreadOnly"] = True
    return result


@signed_in
async def support_home(request: Request, page: PageSession) -> Response:
    return redirect(page, "/support/en-cours")


@signed_in
async def ticket_list(request: Request, page: PageSession) -> Response:
    closed = await support_closed(page)
    if closed:
        return closed

    tab = request.path_params["tab"]
    if tab not in TABS:
        return failure(page, OperationResult(None, [{"message": "", "extensions": {"code": "NOT_FOUND"}}]))
    sort = request.query_params.get("tri") or "RECENTLY_UPDATED"
    if sort not in SORTS:
        sort = "RECENTLY_UPDATED"
    filters = list_filter(request)

    result = await page.run(LIST, {"tab": TABS[tab], "filter": filters, "sort": sort,
                                   "after": request.query_params.get("apres")})
    if not result.ok:
        return failure(page, result)
    connection = result.data["tickets"]

    next_query = None
    if connection["pageInfo"]["hasNextPage"]:
        params = dict(request.query_params)
        params["apres"] = connection["pageInfo"]["endCursor"]
        next_query = urlencode(params)

    export_params = {"tab": EXPORT_TABS[tab], "sort": EXPORT_SORTS[sort]}
    if filters.get("text"):
        export_params["text"] = filters["text"]
    if filters.get("severities"):
        export_params["severity"] = filters["severities"][0].lower()
    if filters.get("unreadOnly"):
        export_params["unread"] = "1"
    columns = [column for column in result.data["ticketColumns"]["columns"] if column["key"] in COLUMN_VALUES]
    tickets = nodes(connection)
    for ticket in tickets:
        ticket["cells"] = [(column["key"], *cell(ticket, column["key"])) for column in columns]
    return render(page, "support_list.html", tab=tab, tabs=list(TABS), tickets=tickets, columns=columns,
                  export_url="/tickets/export.xlsx?" + urlencode(export_params),
                  total=connection["totalCount"], unread=connection["unreadCount"],
                  counts=result.data["ticketCounts"], count_keys=COUNT_KEYS,
                  sort=sort, sorts=SORTS, filters=request.query_params, next_query=next_query,
                  support_enabled=True)


@signed_in
async def create_form(request: Request, page: PageSession) -> Response:
    closed = await support_closed(page)
    if closed:
        return closed
    return await render_form(page, {}, {}, [])


async def render_form(page: PageSession, values: dict[str, Any], field_errors: dict[str, str],
                      errors: list[str], status: int = 200) -> Response:
    options = await page.run(FORM_OPTIONS)
    if not options.ok:
        return failure(page, options)
    me = options.data["me"]["user"]
    # Without the list (auth unavailable) the form still works: the user can name themself.
    listed = await page.run(COLLEAGUES)
    colleagues = listed.data["colleagues"] if listed.ok and listed.data and listed.data["colleagues"] else [me]
    values.setdefault("requesterId", me["id"])
    return render(page, "support_create.html", status=status, options=options.data["ticketFormOptions"],
                  colleagues=colleagues,
                  values=values, field_errors=field_errors, errors=errors, tab="creation", tabs=list(TABS),
                  counts=None, count_keys=COUNT_KEYS, support_enabled=True)


@signed_in
async def create_submit(request: Request, page: PageSession) -> Response:
    if not await csrf_valid(request, page):
        return csrf_expired(page)
    closed = await support_closed(page)
    if closed:
        return closed
    form = await request.form()
    values = {key: str(form.get(key, "")).strip() for key in (
        "contractId", "productId", "siteId", "versionId", "nature", "severity", "desiredDeliveryDate",
        "reference1", "reference2", "title", "description", "requesterId")}
    values["serviceIds"] = [str(item) for item in form.getlist("serviceIds")]
    values["followerIds"] = [str(item) for item in form.getlist("followerIds")]
    ticket_input = {key: value for key, value in values.items() if value not in ("", [])}
    result = await page.run(CREATE, {"input": ticket_input})
    if not result.ok:
        if result.first_code() in ("SERVICE_UNAVAILABLE", "TIMEOUT", "INTERNAL"):
            return failure(page, result)
        return await render_form(page, values, result.field_errors(), result.messages(), status=400)
    number = result.data["createTicket"]["ticket"]["number"]
    return redirect(page, f"/support/tickets/{number}?creee=1")


async def find_ticket(page: PageSession, number: str, detail_query: str = DETAIL) -> dict[str, Any] | None:
    """Return the visible ticket whose number is exactly `number`, read with `detail_query`."""
    found = await page.run(FIND, {"text": number})
    if not found.ok:
        return None
    match = next((item for item in nodes(found.data["tickets"]) if item["number"] == number), None)
    if match is None:
        return None
    detail = await page.run(detail_query, {"id": match["id"]})
    return detail.data["ticket"] if detail.ok and detail.data else None


def not_found(page: PageSession) -> Response:
    """Return a ticket's 404 page with the « Support » menu entry, so call it only after `support_closed`."""
    _ = translations(page.language).gettext
    return render(page, "message.html", status=404, title=_("Request not found"),
                  lines=[_("This request does not exist or is not visible to you.")],
                  back_url="/support/toutes", back_label=_("Back to my requests"), support_enabled=True)


@signed_in
async def ticket_detail(request: Request, page: PageSession) -> Response:
    if page.context.caller.is_agent:
        # E-mail links name the portal's page; agents handle the ticket from the console.
        return redirect(page, f"/console/tickets/{request.path_params['number']}")
    closed = await support_closed(page)
    if closed:
        return closed
    ticket = await find_ticket(page, request.path_params["number"])
    if ticket is None:
        return not_found(page)
    if ticket["unread"]:
        await page.run(MARK_READ, {"input": {"ticketId": ticket["id"]}})
    _ = translations(page.language).gettext
    flash = None
    if request.query_params.get("creee"):
        flash = _("Your request has been created.")
    elif request.query_params.get("modifiee"):
        flash = _("Your changes have been saved.")
    elif request.query_params.get("dupliquee"):
        flash = _("This request was created as a copy; complete it if needed.")
    return render(page, "support_ticket.html", ticket=ticket, messages=nodes(ticket["messages"]), flash=flash,
                  field_errors={}, support_enabled=True)


@signed_in
async def duplicate_page(request: Request, page: PageSession) -> Response:
    """Show what « Dupliquer » copies into a new ticket. Its form posts to `ticket_action`, which makes the copy."""
    closed = await support_closed(page)
    if closed:
        return closed
    ticket = await find_ticket(page, request.path_params["number"], DUPLICATE_DETAIL)
    if ticket is None:
        return not_found(page)

    # The tickets service drops a desired delivery date that has passed (a new ticket may not have one).
    desired_date = ticket["desiredDeliveryDate"]
    keeps_desired_date = bool(desired_date) and date.fromisoformat(desired_date) >= datetime.now(PARIS).date()
    # The customer who duplicates becomes the requester, and the original's requester and followers follow the copy.
    followers: list[dict[str, Any]] = []
    for person in [ticket["requester"], *ticket["followers"]]:
        if person["id"] != page.context.caller.user_id and person["id"] not in {item["id"] for item in followers}:
            followers.append(person)
    return render(page, "support_duplicate.html", ticket=ticket, keeps_desired_date=keeps_desired_date,
                  followers=followers, support_enabled=True)


@signed_in
async def close_page(request: Request, page: PageSession) -> Response:
    """Ask to confirm « Clôturer », which cannot be undone. Its form posts to `ticket_action`."""
    closed = await support_closed(page)
    if closed:
        return closed
    ticket = await find_ticket(page, request.path_params["number"])
    if ticket is None:
        return not_found(page)
    if "CLOSE" not in ticket["allowedTransitions"]:
        # Already closed, or closed in another tab since: the ticket page shows its state.
        return redirect(page, f"/support/tickets/{ticket['number']}")
    return render(page, "support_close.html", ticket=ticket, support_enabled=True)


@signed_in
async def ticket_action(request: Request, page: PageSession) -> Response:
    if not await csrf_valid(request, page):
        return csrf_expired(page)
    closed = await support_closed(page)
    if closed:
        return closed
    ticket = await find_ticket(page, request.path_params["number"])
    if ticket is None:
        return not_found(page)
    action = request.path_params["action"]
    form = await request.form()
    if action == "dupliquer":
        result = await page.run(DUPLICATE, {"input": {"ticketId": ticket["id"]}})
        if result.ok:
            return redirect(page, f"/support/tickets/{result.data['duplicateTicket']['ticket']['number']}?dupliquee=1")
    elif action == "message":
        body = str(form.get("body", "")).strip()
        result = await page.run(POST_MESSAGE, {"input": {"ticketId": ticket["id"], "body": body}})
    elif action in ACTIONS:
        mutation, input_type, text_field = ACTIONS[action]
        action_input: dict[str, Any] = {"ticketId": ticket["id"], "expectedVersion": int(form.get("version", 0))}
        if text_field:
            text_value = str(form.get(text_field, "")).strip()
            if text_value:
                action_input[text_field] = text_value
        result = await page.run(
            f"mutation Act($input: {input_type}!) {{ {mutation}(input: $input) {{ ticket {{ id }} }} }}",
            {"input": action_input})
    else:
        return not_found(page)
    if not result.ok:
        if result.first_code() in ("SERVICE_UNAVAILABLE", "TIMEOUT", "INTERNAL", "NOT_FOUND"):
            return failure(page, result)
        fresh = await find_ticket(page, ticket["number"]) or ticket
        if result.first_code() == "CONFLICT":
            _ = translations(page.language).gettext
            conflict = {"message": _("Someone else changed this request before your action, so it was not applied. "
                                     "The page shows the request as it is now: check it, then try again."),
                        "reload_url": f"/support/tickets/{ticket['number']}"}
            return render(page, "support_ticket.html", status=409, ticket=fresh, messages=nodes(fresh["messages"]),
                          ticket_conflict=conflict, field_errors={}, support_enabled=True)
        return render(page, "support_ticket.html", status=400, ticket=fresh, messages=nodes(fresh["messages"]),
                      errors=result.messages(), field_errors=result.field_errors(), support_enabled=True)
    return redirect(page, f"/support/tickets/{ticket['number']}")


@signed_in
async def columns_page(request: Request, page: PageSession) -> Response:
    closed = await support_closed(page)
    if closed:
        return closed
    result = await page.run(COLUMNS)
    if not result.ok:
        return failure(page, result)
    return render(page, "support_columns.html", chosen=result.data["ticketColumns"]["columns"],
                  available=result.data["ticketColumns"]["available"], tab="colonnes", tabs=list(TABS),
                  counts=None, count_keys=COUNT_KEYS, support_enabled=True)


@signed_in
async def columns_submit(request: Request, page: PageSession) -> Response:
    if not await csrf_valid(request, page):
        return csrf_expired(page)
    form = await request.form()
    # Each offered column has a checkbox and a position; the chosen ones are saved in position order.
    chosen = []
    for key in form.getlist("columns"):
        try:
            position = int(str(form.get(f"position-{key}", "99")))
        except ValueError:
            position = 99
        chosen.append((position, str(key)))
    result = await page.run(SAVE_COLUMNS, {"input": {"columns": [key for _position, key in sorted(chosen)]}})
    if not result.ok:
        if result.first_code() in ("SERVICE_UNAVAILABLE", "TIMEOUT", "INTERNAL"):
            return failure(page, result)
        current = await page.run(COLUMNS)
        return render(page, "support_columns.html", status=400, errors=result.messages(),
                      chosen=current.data["ticketColumns"]["columns"] if current.ok else [],
                      available=current.data["ticketColumns"]["available"] if current.ok else [],
                      tab="colonnes", tabs=list(TABS), counts=None, count_keys=COUNT_KEYS, support_enabled=True)
    return redirect(page, "/support/toutes")

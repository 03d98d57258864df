"""The console's queue: filters read from the URL, saved views, and how long each ticket has waited.

The queue's state is in the URL, with French parameter names, so agents can share it. A saved view
stores the same criteria through the tickets service and opens as such a URL.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Mapping
from urllib.parse import urlencode

from graphql_relay import from_global_id
from starlette.requests import Request
from starlette.responses import Response

from gateway.portal.console_views import PRODUCTS, staff_only
from gateway.portal.home_views import nodes
from gateway.portal.operations import PageSession
from gateway.portal.pages import csrf_expired, failure, signed_in
from gateway.portal.i18n import translations
from gateway.portal.rendering import csrf_valid, redirect, render

QUEUE = """
query Queue($tab: TicketTab, $filter: TicketFilter, $sort: TicketSortOrder, $after: String) {
  tickets(tab: $tab, filter: $filter, sort: $sort, first: 50, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id number title statusLabel status stateLabel state severity severityLabel unread
                   organisationId product { name } site { name } requester { displayName }
                   assignee { displayName } enteredAt updatedAt } }
  }
  ticketCounts(filter: $filter) { inProgress resolved closed all unread }
}"""
QUEUE_CHOICES = """
{ supportAgents { id displayName }
  organisations(kind: CUSTOMER, first: 100) { edges { node { id name } } }
  ticketQueueViews { id name tab sort filter { productIds severities statuses states organisationIds
                                               assigneeIds unassigned text } } }"""
SAVE_VIEW = """
mutation Save($input: SaveTicketQueueViewInput!) { saveTicketQueueView(input: $input) { view { id } } }"""
DELETE_VIEW = """
mutation Delete($input: DeleteTicketQueueViewInput!) { deleteTicketQueueView(input: $input) { deletedViewId } }"""
QUEUE_TABS = {"en-cours": "IN_PROGRESS", "resolues": "RESOLVED", "cloturees": "CLOSED", "toutes": "ALL"}
SORTS = ("SEVERITY", "RECENTLY_UPDATED", "OLDEST_FIRST", "NEWEST_FIRST", "NUMBER_DESC", "NUMBER_ASC", "TITLE")
DEFAULT_SORT = "SEVERITY"
# URL parameters a queue is made of, in the order a view's URL lists them.
QUEUE_PARAMS = ("onglet", "texte", "statut", "etat", "gravite", "produit", "organisation", "attribuee", "tri")


def raw_user_id(value: str) -> str:
    """Return the service id of a user id given as a global id or as the service's own id."""
    try:
        type_name, raw_id = from_global_id(value)
    except Exception:
        return value
    return raw_id if type_name == "User" else value


def queue_filter(params: Mapping[str, str], me: str | None) -> dict[str, Any]:
    """Return the TicketFilter input the queue's URL parameters describe."""
    filters: dict[str, Any] = {}
    if params.get("texte"):
        filters["text"] = params["texte"]
    for param, key in (("statut", "statuses"), ("etat", "states"), ("gravite", "severities"),
                       ("produit", "productIds"), ("organisation", "organisationIds")):
        if params.get(param):
            filters[key] = [params[param]]
    # `mes-demandes=1` is the parameter of the earlier « Qui me sont attribuées » checkbox.
    assigned = params.get("attribuee") or ("moi" if params.get("mes-demandes") == "1" else "")
    if assigned == "personne":
        filters["unassigned"] = True
    elif assigned == "moi" and me:
        filters["assigneeIds"] = [me]
    elif assigned:
        filters["assigneeIds"] = [raw_user_id(assigned)]
    return filters


def view_params(view: dict[str, Any], me: str | None) -> dict[str, str]:
    """Return the queue's URL parameters of a saved view (the inverse of `queue_filter`)."""
    criteria = view["filter"]
    tabs = {value: slug for slug, value in QUEUE_TABS.items()}
    params = {"onglet": tabs.get(view["tab"], "en-cours")}
    if criteria.get("text"):
        params["texte"] = criteria["text"]
    for param, key in (("statut", "statuses"), ("etat", "states"), ("gravite", "severities"),
                       ("produit", "productIds"), ("organisation", "organisationIds")):
        if criteria.get(key):
            params[param] = criteria[key][0]
    if criteria.get("unassigned"):
        params["attribuee"] = "personne"
    elif criteria.get("assigneeIds"):
        assignee = criteria["assigneeIds"][0]
        params["attribuee"] = "moi" if me and assignee == me else assignee
    if view.get("sort") and view["sort"] != DEFAULT_SORT:
        params["tri"] = view["sort"]
    return params


def waiting_since(ticket: dict[str, Any], language: str, now: datetime | None = None) -> str:
    """Return how long the ticket has waited since its last change, as hours or days in `language`."""
    _ = translations(language).gettext
    updated = datetime.fromisoformat(ticket["updatedAt"])
    hours = int(((now or datetime.now(timezone.utc)) - updated).total_seconds() // 3600)
    if hours >= 48:
        return _("%(days)d d") % {"days": hours // 24}
    return _("%(hours)d h") % {"hours": hours}


@signed_in
async def queue(request: Request, page: PageSession) -> Response:
    refused = await staff_only(page)
    if refused:
        return refused
    return await render_queue(page, request.query_params)


async def render_queue(page: PageSession, params: Mapping[str, str], status: int = 200,
                       errors: list[str] | None = None, field_errors: dict[str, str] | None = None) -> Response:
    me = page.context.caller.user_id
    tab = params.get("onglet") or "en-cours"
    sort = params.get("tri") if params.get("tri") in SORTS else DEFAULT_SORT
    filters = queue_filter(params, me)

    result = await page.run(QUEUE, {"tab": QUEUE_TABS.get(tab, "IN_PROGRESS"), "filter": filters,
                                    "sort": sort, "after": params.get("apres")})
    if not result.ok:
        return failure(page, result)
    connection = result.data["tickets"]
    tickets = nodes(connection)
    for ticket in tickets:
        ticket["waiting"] = waiting_since(ticket, page.language)

    next_query = None
    if connection["pageInfo"]["hasNextPage"]:
        next_query = urlencode({**dict(params), "apres": connection["pageInfo"]["endCursor"]})
    products = await page.run(PRODUCTS)
    choices = await page.run(QUEUE_CHOICES)
    agents = choices.data["supportAgents"] if choices.ok and choices.data else []
    # NOTE: the filter offers the first 100 customer organisations by name; another one is reached
    # through a saved view or the `organisation` URL parameter.
    organisations = [dict(node, id=from_global_id(node["id"]).id)
                     for node in (nodes(choices.data["organisations"]) if choices.ok and choices.data else [])]
    views = choices.data["ticketQueueViews"] if choices.ok and choices.data else []
    current = {key: params[key] for key in QUEUE_PARAMS if params.get(key)}
    # The queue on screen, written as a view's parameters are, to mark the view it matches.
    shown = {key: value for key, value in dict(current, onglet=tab).items()
             if not (key == "tri" and value == DEFAULT_SORT)}
    for view in views:
        view["params"] = view_params(view, me)
        view["url"] = "/console?" + urlencode(view["params"])
        view["current"] = view["params"] == shown
    return render(page, "console/queue.html", status=status, tickets=tickets, total=connection["totalCount"],
                  products=nodes(products.data["products"]) if products.ok and products.data else [],
                  agents=[dict(agent, id=raw_user_id(agent["id"])) for agent in agents], views=views,
                  organisations=organisations,
                  counts=result.data["ticketCounts"], tab=tab, sort=sort, sorts=SORTS, filters=params,
                  current=current, next_query=next_query, errors=errors or [], field_errors=field_errors or {},
                  console=True, support_enabled=True)


@signed_in
async def view_save(request: Request, page: PageSession) -> Response:
    if not await csrf_valid(request, page):
        return csrf_expired(page)
    refused = await staff_only(page)
    if refused:
        return refused
    form = await request.form()
    # The form carries the queue's current parameters, so the view saves the queue on screen.
    params = {key: str(form.get(key, "")) for key in QUEUE_PARAMS if form.get(key)}
    tab = params.get("onglet") or "en-cours"
    view_input = {"name": str(form.get("name", "")), "tab": QUEUE_TABS.get(tab, "IN_PROGRESS"),
                  "filter": queue_filter(params, page.context.caller.user_id),
                  "sort": params.get("tri") if params.get("tri") in SORTS else DEFAULT_SORT}
    result = await page.run(SAVE_VIEW, {"input": view_input})
    if not result.ok:
        if result.first_code() in ("SERVICE_UNAVAILABLE", "TIMEOUT", "INTERNAL"):
            return failure(page, result)
        return await render_queue(page, params, status=400, errors=result.messages(),
                                  field_errors=result.field_errors())
    return redirect(page, "/console?" + urlencode(params))


@signed_in
async def view_delete(request: Request, page: PageSession) -> Response:
    if not await csrf_valid(request, page):
        return csrf_expired(page)
    refused = await staff_only(page)
    if refused:
        return refused
    result = await page.run(DELETE_VIEW, {"input": {"viewId": request.path_params["view_id"]}})
    if not result.ok and result.first_code() != "NOT_FOUND":
        return failure(page, result)
    # A view already deleted (in another tab, say) needs no message: the list no longer shows it.
    return redirect(page, "/console")

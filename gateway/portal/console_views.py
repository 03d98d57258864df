"""The agent console: the queue, ticket handling, news publishing, API tokens and security settings.

Agents sign in on the same page as customers. Every console page requires the agent or admin role,
and the services check the role again on each call.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from graphql_relay import from_global_id, to_global_id
from starlette.requests import Request
from starlette.responses import Response

from gateway.portal.i18n import translations
from gateway.portal.operations import PageSession
from gateway.portal.pages import csrf_expired, failure, not_found, signed_in
from gateway.portal.rendering import csrf_valid, redirect, render
from gateway.portal import support_views
from gateway.portal.home_views import nodes

DETAIL = """
query Ticket($id: ID!) { ticket(id: $id) {
  id number version title descriptionHtml natureLabel severityLabel desiredDeliveryDate reference1 reference2
  statusLabel status stateLabel state suspensionReason allowedTransitions organisationId
  assignee { id displayName }
  contract { number } services { name } product { name } site { name } productVersion { name }
  requester { displayName email } followers { displayName }
  enteredAt receivedAt interventionAt resolvedAt closedAt updatedAt
  history { action actor { displayName } fromStatus toStatus reason occurredAt }
  messages(first: 100) { edges { node { id author { displayName } authorIsAgent internal bodyHtml createdAt } } }
  attachments { id filename size createdAt downloadUrl uploadedBy { displayName } }
} }"""
ORGANISATION = "query Org($id: ID!) { node(id: $id) { ... on Organisation { name } } }"
AGENTS = "{ supportAgents { id displayName } }"
# Transition slug in the URL -> (mutation, input type, optional text field of the form).
TRANSITIONS = {
    "prendre-en-compte": ("acknowledgeTicket", "AcknowledgeTicketInput", None),
    "intervenir": ("startTicketIntervention", "StartTicketInterventionInput", None),
    "suspendre": ("suspendTicket", "SuspendTicketInput", "requestedInformation"),
    "resoudre": ("resolveTicket", "ResolveTicketInput", "resolution"),
    "cloturer": ("closeTicket", "CloseTicketInput", "reason"),
}
ASSIGN = "mutation Assign($input: AssignTicketInput!) { assignTicket(input: $input) { ticket { id } } }"
POST_MESSAGE = """
mutation Post($input: PostTicketMessageInput!) { postTicketMessage(input: $input) { message { id } } }"""
NEWS = """{ news(first: 50) { edges { node { id title summary status publishAt audience pinned } } } }"""
CREATE_NEWS = "mutation Create($input: CreateNewsInput!) { createNews(input: $input) { news { id } } }"
PUBLISH_NEWS = "mutation Publish($input: PublishNewsInput!) { publishNews(input: $input) { news { id } } }"
PRODUCTS = "{ products(first: 50) { edges { node { id catalogId name } } } }"
TOKENS = "{ apiTokens { id name prefix scopes createdAt expiresAt lastUsedAt revokedAt user { email } } }"
CREATE_TOKEN = """
mutation Create($input: CreateApiTokenInput!) { createApiToken(input: $input) { token apiToken { id } } }"""
REVOKE_TOKEN = "mutation Revoke($input: RevokeApiTokenInput!) { revokeApiToken(input: $input) { apiToken { id } } }"
SECURITY_SETTINGS = "{ securitySettings { secondFactorRequiredForStaff updatedAt updatedBy { displayName } } }"
UPDATE_SECURITY_SETTINGS = """
mutation Update($input: UpdateSecuritySettingsInput!) {
  updateSecuritySettings(input: $input) { securitySettings { secondFactorRequiredForStaff } }
}"""
SCOPES = ("TICKETS_READ", "TICKETS_WRITE", "NEWS_READ", "CATALOG_READ", "ADMIN")


def scope_labels(language: str) -> dict[str, str]:
    """Return what each API scope lets a token do, by ApiScope name, in `language`."""
    _ = translations(language).gettext
    return {
        "TICKETS_READ": _("Read support requests"),
        "TICKETS_WRITE": _("Create and update support requests"),
        "NEWS_READ": _("Read news"),
        "CATALOG_READ": _("Read the product catalogue"),
        # A token with the admin scope passes every scope check (Caller.has_scope).
        "ADMIN": _("Full access, administration included"),
    }


async def admins_only(page: PageSession, reason: str | None = None) -> Response | None:
    """Return a refusal for anyone but administrators, who alone manage API tokens and security settings."""
    if page.context.caller.is_admin:
        return None
    _ = translations(page.language).gettext
    return render(page, "message.html", status=403, title=_("Access denied"),
                  lines=[reason or _("Only administrators create API tokens; ask one of them.")])


async def staff_only(page: PageSession) -> Response | None:
    """Return a refusal for customers, or None for agents and admins."""
    if page.context.caller.is_agent:
        return None
    _ = translations(page.language).gettext
    return render(page, "message.html", status=403, title=_("Access denied"),
                  lines=[_("The console is for the support team.")])


async def find_ticket(page: PageSession, number: str) -> dict[str, Any] | None:
    return await support_views.find_ticket(page, number, DETAIL)


async def render_ticket(page: PageSession, ticket: dict[str, Any], status: int = 200,
                        errors: list[str] | None = None, flash: str | None = None,
                        ticket_conflict: dict[str, str] | None = None) -> Response:
    organisation = await page.run(ORGANISATION, {"id": to_global_id("Organisation", ticket["organisationId"])})
    name = organisation.data["node"]["name"] if organisation.ok and organisation.data and organisation.data["node"] \
        else ticket["organisationId"]
    listed = await page.run(AGENTS)
    # Tickets name agents by raw id, the directory by global id.
    agents = [dict(agent, id=from_global_id(agent["id"]).id)
              for agent in (listed.data["supportAgents"] if listed.ok and listed.data else [])]
    return render(page, "console/ticket.html", status=status, ticket=ticket, organisation_name=name, agents=agents,
                  messages=nodes(ticket["messages"]), errors=errors or [], flash=flash,
                  ticket_conflict=ticket_conflict, console=True, support_enabled=True)


@signed_in
async def ticket_page(request: Request, page: PageSession) -> Response:
    refused = await staff_only(page)
    if refused:
        return refused
    ticket = await find_ticket(page, request.path_params["number"])
    if ticket is None:
        return not_found(page)
    flash = None
    if request.query_params.get("attribuee"):
        _ = translations(page.language).gettext
        assignee = ticket["assignee"]["displayName"] if ticket.get("assignee") else None
        flash = (_("The request is now assigned to %(name)s.") % {"name": assignee} if assignee
                 else _("The request is no longer assigned to anyone."))
    return await render_ticket(page, ticket, flash=flash)


@signed_in
async def ticket_action(request: Request, page: PageSession) -> Response:
    if not await csrf_valid(request, page):
        return csrf_expired(page)
    refused = await staff_only(page)
    if refused:
        return refused
    ticket = await find_ticket(page, request.path_params["number"])
    if ticket is None:
        return not_found(page)
    action = request.path_params["action"]
    form = await request.form()
    if action == "prendre":
        result = await page.run(ASSIGN, {"input": {"ticketId": ticket["id"], "assigneeId": page.context.caller.user_id,
                                                   "expectedVersion": int(form.get("version", 0))}})
    elif action == "attribuer":
        # An empty choice removes the assignment.
        result = await page.run(ASSIGN, {"input": {"ticketId": ticket["id"],
                                                   "assigneeId": str(form.get("assigneeId", "")) or None,
                                                   "expectedVersion": int(form.get("version", 0))}})
    elif action in ("repondre", "note"):
        result = await page.run(POST_MESSAGE, {"input": {
            "ticketId": ticket["id"], "body": str(form.get("body", "")).strip(), "internal": action == "note"}})
    elif action in TRANSITIONS:
        mutation, input_type, text_field = TRANSITIONS[action]
        values: dict[str, Any] = {"ticketId": ticket["id"], "expectedVersion": int(form.get("version", 0))}
        if text_field:
            values[text_field] = str(form.get(text_field, "")).strip()
        result = await page.run(
            f"mutation Act($input: {input_type}!) {{ {mutation}(input: $input) {{ ticket {{ id }} }} }}",
            {"input": values})
    else:
        return not_found(page)
    if not result.ok:
        if result.first_code() in ("SERVICE_UNAVAILABLE", "TIMEOUT", "INTERNAL"):
            return failure(page, result)
        fresh = await find_ticket(page, ticket["number"]) or ticket
        if result.first_code() == "CONFLICT":
            _ = translations(page.language).gettext
            conflict = {"message": _("Someone else changed this request first; here it is as it is now. Nothing you "
                                     "typed was applied: check it and try again."),
                        "reload_url": f"/console/tickets/{ticket['number']}"}
            return await render_ticket(page, fresh, status=409, ticket_conflict=conflict)
        return await render_ticket(page, fresh, status=400, errors=result.messages())
    if action == "attribuer":
        # Assigning changes only one field of the page, so a message confirms it.
        return redirect(page, f"/console/tickets/{ticket['number']}?attribuee=1")
    return redirect(page, f"/console/tickets/{ticket['number']}")


@signed_in
async def news_admin(request: Request, page: PageSession) -> Response:
    refused = await staff_only(page)
    if refused:
        return refused
    return await render_news_admin(page)


async def render_news_admin(page: PageSession, status: int = 200, errors: list[str] | None = None,
                            field_errors: dict[str, str] | None = None, values: dict[str, Any] | None = None,
                            flash: str | None = None) -> Response:
    news = await page.run(NEWS)
    products = await page.run(PRODUCTS)
    if not news.ok:
        return failure(page, news)
    return render(page, "console/news.html", status=status, news=nodes(news.data["news"]),
                  products=nodes(products.data["products"]) if products.ok else [], errors=errors or [],
                  field_errors=field_errors or {}, values=values or {}, flash=flash, console=True,
                  support_enabled=True)


@signed_in
async def news_create(request: Request, page: PageSession) -> Response:
    if not await csrf_valid(request, page):
        return csrf_expired(page)
    refused = await staff_only(page)
    if refused:
        return refused
    form = await request.form()
    values: dict[str, Any] = {
        "title": str(form.get("title", "")).strip(),
        "summary": str(form.get("summary", "")).strip(),
        "bodyMarkdown": str(form.get("bodyMarkdown", "")),
        "pinned": form.get("pinned") == "1",
        "audience": str(form.get("audience", "EVERYONE")),
        "audienceProductIds": [str(item) for item in form.getlist("audienceProductIds")],
    }
    publish_at = str(form.get("publishAt", "")).strip()
    if publish_at:
        # The form's local time is Paris time; the API takes an instant with its offset.
        values["publishAt"] = paris_to_iso(publish_at)
    result = await page.run(CREATE_NEWS, {"input": values})
    if result.ok and form.get("publish") == "1":
        result = await page.run(PUBLISH_NEWS, {"input": {"newsId": result.data["createNews"]["news"]["id"]}})
    if not result.ok:
        if result.first_code() in ("SERVICE_UNAVAILABLE", "TIMEOUT", "INTERNAL"):
            return failure(page, result)
        return await render_news_admin(page, status=400, errors=result.messages(),
                                       field_errors=result.field_errors(), values=values)
    _ = translations(page.language).gettext
    return await render_news_admin(page, flash=_("The news item has been saved."))


@signed_in
async def news_publish(request: Request, page: PageSession) -> Response:
    if not await csrf_valid(request, page):
        return csrf_expired(page)
    refused = await staff_only(page)
    if refused:
        return refused
    result = await page.run(PUBLISH_NEWS, {"input": {"newsId": request.path_params["news_id"]}})
    if not result.ok:
        return failure(page, result)
    _ = translations(page.language).gettext
    return await render_news_admin(page, flash=_("The news item has been published."))


def paris_to_iso(local: str) -> str:
    from zoneinfo import ZoneInfo

    return datetime.fromisoformat(local).replace(tzinfo=ZoneInfo("Europe/Paris")).isoformat()


@signed_in
async def tokens(request: Request, page: PageSession) -> Response:
    refused = await admins_only(page)
    if refused:
        return refused
    return await render_tokens(page)


async def render_tokens(page: PageSession, status: int = 200, new_token: str | None = None,
                        errors: list[str] | None = None) -> Response:
    result = await page.run(TOKENS)
    if not result.ok:
        return failure(page, result)
    return render(page, "console/tokens.html", status=status, tokens=result.data["apiTokens"], scopes=SCOPES,
                  scope_labels=scope_labels(page.language), new_token=new_token, errors=errors or [],
                  console=True, support_enabled=True)


@signed_in
async def token_create(request: Request, page: PageSession) -> Response:
    if not await csrf_valid(request, page):
        return csrf_expired(page)
    refused = await admins_only(page)
    if refused:
        return refused
    form = await request.form()
    values = {"name": str(form.get("name", "")).strip(), "scopes": [str(s) for s in form.getlist("scopes")]}
    result = await page.run(CREATE_TOKEN, {"input": values})
    if not result.ok:
        if result.first_code() in ("SERVICE_UNAVAILABLE", "TIMEOUT", "INTERNAL"):
            return failure(page, result)
        return await render_tokens(page, status=400, errors=result.messages())
    return await render_tokens(page, new_token=result.data["createApiToken"]["token"])


@signed_in
async def token_revoke(request: Request, page: PageSession) -> Response:
    if not await csrf_valid(request, page):
        return csrf_expired(page)
    refused = await admins_only(page)
    if refused:
        return refused
    result = await page.run(REVOKE_TOKEN, {"input": {"apiTokenId": request.path_params["token_id"]}})
    if not result.ok:
        return failure(page, result)
    return redirect(page, "/console/jetons")




@signed_in
async def security_settings(request: Request, page: PageSession) -> Response:
    _ = translations(page.language).gettext
    refused = await admins_only(page, _("Only administrators change the security settings; ask one of them."))
    if refused:
        return refused
    return await render_security_settings(page)


async def render_security_settings(page: PageSession, status: int = 200, flash: str | None = None,
                                   errors: list[str] | None = None) -> Response:
    result = await page.run(SECURITY_SETTINGS)
    if not result.ok:
        return failure(page, result)
    return render(page, "console/security.html", status=status, settings=result.data["securitySettings"],
                  flash=flash, errors=errors or [], console=True, support_enabled=True)


@signed_in
async def security_settings_submit(request: Request, page: PageSession) -> Response:
    if not await csrf_valid(request, page):
        return csrf_expired(page)
    _ = translations(page.language).gettext
    refused = await admins_only(page, _("Only administrators change the security settings; ask one of them."))
    if refused:
        return refused
    form = await request.form()
    required = form.get("second_factor_required_for_staff") == "1"
    result = await page.run(UPDATE_SECURITY_SETTINGS, {"input": {"secondFactorRequiredForStaff": required}})
    if not result.ok:
        if result.first_code() in ("SERVICE_UNAVAILABLE", "TIMEOUT", "INTERNAL"):
            return failure(page, result)
        return await render_security_settings(page, status=400, errors=result.messages())
    return await render_security_settings(page, flash=_("Security settings saved."))

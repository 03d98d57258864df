"""« Mon organisation »: a customer manager's colleagues, their rights, and invitations."""
from __future__ import annotations

from typing import Any

from graphql_relay import from_global_id
from starlette.requests import Request
from starlette.responses import Response

from gateway.portal.home_views import nodes, support_enabled
from gateway.portal.i18n import translations
from gateway.portal.operations import PageSession
from gateway.portal.pages import csrf_expired, failure, signed_in
from gateway.portal.rendering import csrf_valid, redirect, render

COLLEAGUES = """{
  me { role organisation { name } }
  users(first: 100) { edges { node { id displayName email role isActive hasPassword
                                     usageRights { supportAccess allProductSpaces } } } }
}"""
INVITE = "mutation Invite($input: CreateUserInput!) { createUser(input: $input) { user { id email } } }"
UPDATE_ACCESS = """
mutation Access($input: UpdateUserAccessInput!) { updateUserAccess(input: $input) { user { id } } }"""
SET_ACTIVE = "mutation Active($input: UserIdInput!) { %s(input: $input) { user { id isActive } } }"
MANAGER_ROLES = ("CUSTOMER_MANAGER", "ADMIN")


async def render_organisation(page: PageSession, status: int = 200, errors: list[str] | None = None,
                              field_errors: dict[str, str] | None = None, values: dict[str, Any] | None = None,
                              flash: str | None = None) -> Response:
    result = await page.run(COLLEAGUES)
    if not result.ok:
        return failure(page, result)
    return render(page, "organisation.html", status=status, organisation=result.data["me"]["organisation"],
                  colleagues=[dict(person, is_self=from_global_id(person["id"]).id == page.context.caller.user_id)
                              for person in nodes(result.data["users"])],
                  errors=errors or [], field_errors=field_errors or {},
                  values=values or {}, flash=flash, support_enabled=await support_enabled(page))


async def managers_only(page: PageSession) -> Response | None:
    if page.context.caller.role in ("customer_manager", "admin"):
        return None
    _ = translations(page.language).gettext
    return render(page, "message.html", status=403, title=_("Access denied"),
                  lines=[_("Only your organisation's managers can manage its accounts.")])


@signed_in
async def organisation(request: Request, page: PageSession) -> Response:
    refused = await managers_only(page)
    return refused or await render_organisation(page)


@signed_in
async def invite(request: Request, page: PageSession) -> Response:
    if not await csrf_valid(request, page):
        return csrf_expired(page)
    refused = await managers_only(page)
    if refused:
        return refused
    form = await request.form()
    values = {"email": str(form.get("email", "")).strip(), "firstName": str(form.get("firstName", "")).strip(),
              "lastName": str(form.get("lastName", "")).strip(), "supportAccess": form.get("supportAccess") == "1",
              "allProductSpaces": True, "role": "CUSTOMER"}
    result = await page.run(INVITE, {"input": values})
    if not result.ok:
        if result.first_code() in ("SERVICE_UNAVAILABLE", "TIMEOUT", "INTERNAL"):
            return failure(page, result)
        return await render_organisation(page, status=400, errors=result.messages(),
                                         field_errors=result.field_errors(), values=values)
    _ = translations(page.language).gettext
    return await render_organisation(page, flash=_("The invitation has been sent to %(email)s.") % {
        "email": result.data["createUser"]["user"]["email"]})


@signed_in
async def change_access(request: Request, page: PageSession) -> Response:
    if not await csrf_valid(request, page):
        return csrf_expired(page)
    refused = await managers_only(page)
    if refused:
        return refused
    form = await request.form()
    user_id = request.path_params["user_id"]
    action = str(form.get("action", ""))
    if action in ("deactivateUser", "reactivateUser"):
        result = await page.run(SET_ACTIVE % action, {"input": {"userId": user_id}})
    else:
        result = await page.run(UPDATE_ACCESS, {"input": {"userId": user_id,
                                                          "supportAccess": form.get("supportAccess") == "1"}})
    if not result.ok:
        if result.first_code() in ("SERVICE_UNAVAILABLE", "TIMEOUT", "INTERNAL", "NOT_FOUND"):
            return failure(page, result)
        return await render_organisation(page, status=400, errors=result.messages())
    return redirect(page, "/mon-organisation")

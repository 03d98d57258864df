"""« Comptes »: administrators list, create and manage every account, its role and its rights."""
from __future__ import annotations

from typing import Any

from graphql_relay import to_global_id
from starlette.requests import Request
from starlette.responses import Response

from gateway.portal.admin_pages import (ROLES, action_labels, admin_refusal, first_page_query, form_failure,
                                        next_page_query, role_labels)
from gateway.portal.home_views import nodes
from gateway.portal.i18n import translations
from gateway.portal.operations import PageSession
from gateway.portal.pages import csrf_expired, failure, not_found, signed_in
from gateway.portal.rendering import csrf_valid, render

PAGE_SIZE = 25
USERS = """
query Users($organisationId: ID, $search: String, $active: Boolean, $roles: [UserRole!], $after: String) {
  users(first: %d, organisationId: $organisationId, search: $search, active: $active, roles: $roles,
        after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id displayName email role isActive hasPassword organisation { name } } }
  }
}""" % PAGE_SIZE
# NOTE: the organisation menus list the first 100 organisations by name only.
ORGANISATION_CHOICES = "{ organisations(first: 100) { edges { node { id name kind } } } }"
CREATE_USER = "mutation Create($input: CreateUserInput!) { createUser(input: $input) { user { id email } } }"
USER = """
query User($id: ID!) {
  managedUser(id: $id) { id displayName email firstName lastName phone language role isActive hasPassword
    secondFactorEnabled
    organisation { id name kind }
    usageRights { allProductSpaces productSpaceIds supportAccess } }
  products(first: 100) { edges { node { catalogId name } } }
  securityAuditLog(first: 10, userId: $id) { edges { node { action occurredAt actor { displayName } details } } }
}"""
UPDATE_ACCESS = """
mutation Access($input: UpdateUserAccessInput!) { updateUserAccess(input: $input) { user { id } } }"""
ACTIONS = {
    "desactiver": "mutation Act($input: UserIdInput!) { deactivateUser(input: $input) { user { id } } }",
    "reactiver": "mutation Act($input: UserIdInput!) { reactivateUser(input: $input) { user { id } } }",
    "invitation": "mutation Act($input: UserIdInput!) { resendInvitation(input: $input) { user { id } } }",
    "second-facteur": """
mutation Act($input: ResetSecondFactorInput!) { resetSecondFactor(input: $input) { user { id } } }""",
}
ACTIVE_FILTER = {"oui": True, "non": False}


@signed_in
async def users(request: Request, page: PageSession) -> Response:
    refused = admin_refusal(page)
    return refused or await render_users(page)


async def render_users(page: PageSession, status: int = 200, errors: list[str] | None = None,
                       field_errors: dict[str, str] | None = None, values: dict[str, Any] | None = None,
                       flash: str | None = None) -> Response:
    params = page.request.query_params
    variables: dict[str, Any] = {
        "organisationId": params.get("organisation") or None,
        "search": params.get("texte") or None,
        "active": ACTIVE_FILTER.get(params.get("actif", "")),
        "roles": [params["role"]] if params.get("role") in ROLES else None,
        "after": params.get("apres") or None,
    }
    result = await page.run(USERS, variables)
    if not result.ok:
        return failure(page, result)
    choices = await page.run(ORGANISATION_CHOICES)
    if not choices.ok:
        return failure(page, choices)
    connection = result.data["users"]
    return render(page, "console/admin/users.html", status=status, users=nodes(connection),
                  total=connection["totalCount"], organisations=nodes(choices.data["organisations"]),
                  roles=ROLES, role_labels=role_labels(page.language), filters=params,
                  next_query=next_page_query(params, connection), first_query=first_page_query(params),
                  errors=errors or [], field_errors=field_errors or {}, values=values or {}, flash=flash,
                  console=True, support_enabled=True)


@signed_in
async def create_user(request: Request, page: PageSession) -> Response:
    if not await csrf_valid(request, page):
        return csrf_expired(page)
    refused = admin_refusal(page)
    if refused:
        return refused
    form = await request.form()
    values = {"email": str(form.get("email", "")).strip(), "firstName": str(form.get("firstName", "")).strip(),
              "lastName": str(form.get("lastName", "")).strip(), "role": str(form.get("role", "CUSTOMER")),
              "organisationId": str(form.get("organisationId", "")) or None, "allProductSpaces": True,
              "supportAccess": form.get("supportAccess") == "1"}
    if values["role"] not in ROLES:
        values["role"] = "CUSTOMER"
    result = await page.run(CREATE_USER, {"input": values})
    if not result.ok:
        return form_failure(page, result) or await render_users(
            page, status=400, errors=result.messages(), field_errors=result.field_errors(), values=values)
    _ = translations(page.language).gettext
    return await render_users(page, flash=_("The account has been created and the invitation sent to %(email)s.")
                              % {"email": result.data["createUser"]["user"]["email"]})


@signed_in
async def user_page(request: Request, page: PageSession) -> Response:
    refused = admin_refusal(page)
    return refused or await render_user(page, request.path_params["user_id"])


async def render_user(page: PageSession, user_id: str, status: int = 200, errors: list[str] | None = None,
                      flash: str | None = None) -> Response:
    result = await page.run(USER, {"id": user_id})
    if not result.ok or not result.data or not result.data["managedUser"]:
        return failure(page, result) if result.errors else not_found(page)
    user = result.data["managedUser"]
    rights = user["usageRights"] or {}
    visible = set(rights.get("productSpaceIds") or [])
    products = [{"id": to_global_id("ProductSpace", product["catalogId"]), "name": product["name"],
                 "checked": to_global_id("ProductSpace", product["catalogId"]) in visible}
                for product in nodes(result.data["products"])]
    staff = user["organisation"]["kind"] == "VENDOR"
    return render(page, "console/admin/user.html", status=status, user=user, rights=rights, products=products,
                  roles=("AGENT", "ADMIN") if staff else ("CUSTOMER", "CUSTOMER_MANAGER"),
                  role_labels=role_labels(page.language), history=nodes(result.data["securityAuditLog"]),
                  action_labels=action_labels(page.language),
                  is_self=user["id"] == to_global_id("User", page.context.caller.user_id or ""),
                  errors=errors or [], flash=flash, console=True, support_enabled=True)


@signed_in
async def user_action(request: Request, page: PageSession) -> Response:
    if not await csrf_valid(request, page):
        return csrf_expired(page)
    refused = admin_refusal(page)
    if refused:
        return refused
    user_id = request.path_params["user_id"]
    action = request.path_params["action"]
    form = await request.form()
    _ = translations(page.language).gettext
    if action == "role":
        result = await page.run(UPDATE_ACCESS, {"input": {"userId": user_id, "role": str(form.get("role", ""))}})
        flash = _("The role has been changed.")
    elif action == "droits":
        rights: dict[str, Any] = {"userId": user_id, "supportAccess": form.get("supportAccess") == "1"}
        if form.get("allProductSpaces") == "1":
            rights["allProductSpaces"] = True
        else:
            rights["productSpaceIds"] = [str(item) for item in form.getlist("productSpaceIds")]
        result = await page.run(UPDATE_ACCESS, {"input": rights})
        flash = _("The rights have been saved.")
    elif action in ACTIONS:
        result = await page.run(ACTIONS[action], {"input": {"userId": user_id}})
        flash = {"desactiver": _("The account has been deactivated; its sessions have ended."),
                 "reactiver": _("The account has been reactivated."),
                 "invitation": _("A new invitation has been sent."),
                 "second-facteur": _("The second factor has been removed and the account's sessions have ended: "
                                     "its owner signs in with the password alone and may enable it again.")}[action]
    else:
        return not_found(page)
    if not result.ok:
        return form_failure(page, result) or await render_user(page, user_id, status=400, errors=result.messages())
    return await render_user(page, user_id, flash=flash)

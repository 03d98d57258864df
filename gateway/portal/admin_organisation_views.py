"""« Organisations »: administrators list, create and rename customer organisations."""
from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from gateway.portal.admin_pages import admin_refusal, first_page_query, form_failure, next_page_query
from gateway.portal.home_views import nodes
from gateway.portal.i18n import translations
from gateway.portal.operations import PageSession
from gateway.portal.pages import csrf_expired, failure, signed_in
from gateway.portal.rendering import csrf_valid, render

ORGANISATIONS = """
query Organisations($search: String, $after: String) {
  organisations(first: 50, search: $search, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id name kind userCount } }
  }
}"""
CREATE = """
mutation Create($input: CreateOrganisationInput!) { createOrganisation(input: $input) { organisation { name } } }"""
UPDATE = """
mutation Update($input: UpdateOrganisationInput!) { updateOrganisation(input: $input) { organisation { name } } }"""


@signed_in
async def organisations(request: Request, page: PageSession) -> Response:
    refused = admin_refusal(page)
    return refused or await render_organisations(page)


async def render_organisations(page: PageSession, status: int = 200, errors: list[str] | None = None,
                               field_errors: dict[str, str] | None = None, values: dict[str, Any] | None = None,
                               editing: str | None = None, flash: str | None = None) -> Response:
    params = page.request.query_params
    result = await page.run(ORGANISATIONS, {"search": params.get("texte") or None,
                                            "after": params.get("apres") or None})
    if not result.ok:
        return failure(page, result)
    connection = result.data["organisations"]
    return render(page, "console/admin/organisations.html", status=status, organisations=nodes(connection),
                  total=connection["totalCount"], filters=params, next_query=next_page_query(params, connection),
                  first_query=first_page_query(params), errors=errors or [], field_errors=field_errors or {},
                  values=values or {}, editing=editing, flash=flash, console=True, support_enabled=True)


@signed_in
async def create(request: Request, page: PageSession) -> Response:
    if not await csrf_valid(request, page):
        return csrf_expired(page)
    refused = admin_refusal(page)
    if refused:
        return refused
    form = await request.form()
    values = {"name": str(form.get("name", ""))}
    result = await page.run(CREATE, {"input": values})
    if not result.ok:
        return form_failure(page, result) or await render_organisations(
            page, status=400, errors=result.messages(), field_errors=result.field_errors(), values=values)
    _ = translations(page.language).gettext
    return await render_organisations(page, flash=_("The organisation “%(name)s” has been created.") % {
        "name": result.data["createOrganisation"]["organisation"]["name"]})


@signed_in
async def rename(request: Request, page: PageSession) -> Response:
    if not await csrf_valid(request, page):
        return csrf_expired(page)
    refused = admin_refusal(page)
    if refused:
        return refused
    form = await request.form()
    organisation_id = request.path_params["organisation_id"]
    result = await page.run(UPDATE, {"input": {"organisationId": organisation_id,
                                               "name": str(form.get("name", ""))}})
    if not result.ok:
        # The error summary names the problem; the form of the other organisations stays untouched.
        return form_failure(page, result) or await render_organisations(
            page, status=400, errors=result.messages(), editing=organisation_id)
    _ = translations(page.language).gettext
    return await render_organisations(page, flash=_("The organisation is now named “%(name)s”.") % {
        "name": result.data["updateOrganisation"]["organisation"]["name"]})

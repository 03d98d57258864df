"""Console pages for the product spaces: presentation, versions and FAQ entries.

Agents and admins edit what customers read on a product's page. The catalog service checks the
role again on every mutation.
"""
from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from gateway.portal.console_forms import integer_value, platform_failed, refuse_unless_staff, text_value
from gateway.portal.home_views import nodes
from gateway.portal.i18n import translations
from gateway.portal.operations import PageSession
from gateway.portal.pages import csrf_expired, failure, not_found, signed_in
from gateway.portal.rendering import csrf_valid, redirect, render

SPACES = """
query Spaces($after: String) { productSpaces(first: 100, after: $after) {
  pageInfo { hasNextPage endCursor }
  edges { node { id name description versions { name } faq(first: 0) { totalCount } } }
} }"""
SPACE = """
query Space($id: ID!, $after: String) { node(id: $id) { ... on ProductSpace {
  id catalogId name description presentationMarkdown
  product { id }
  versions { id name releaseDate supported }
  faq(first: 100, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges { node { id category question answerMarkdown answerHtml position updatedAt } }
  }
} } }"""
UPDATE_PRODUCT = """
mutation Update($input: UpdateProductInput!) { updateProduct(input: $input) { productSpace { id } } }"""
CREATE_VERSION = """
mutation Create($input: CreateProductVersionInput!) { createProductVersion(input: $input) { version { id } } }"""
UPDATE_VERSION = """
mutation Update($input: UpdateProductVersionInput!) { updateProductVersion(input: $input) { version { id } } }"""
CREATE_FAQ = "mutation Create($input: CreateFaqEntryInput!) { createFaqEntry(input: $input) { faqEntry { id } } }"
UPDATE_FAQ = "mutation Update($input: UpdateFaqEntryInput!) { updateFaqEntry(input: $input) { faqEntry { id } } }"
DELETE_FAQ = """
mutation Delete($input: DeleteFaqEntryInput!) { deleteFaqEntry(input: $input) { deletedFaqEntryId } }"""


def console_url(space_id: str) -> str:
    return f"/console/produits/{space_id}"


async def load_space(page: PageSession, space_id: str) -> tuple[dict[str, Any] | None, Any]:
    """Return the product space with its whole FAQ, or None and the failed result."""
    result = await page.run(SPACE, {"id": space_id})
    if not result.ok or not result.data or not result.data["node"]:
        return None, result
    space = result.data["node"]
    entries = nodes(space["faq"])
    # A space's FAQ comes in pages of 100; the console shows every entry.
    while space["faq"]["pageInfo"]["hasNextPage"]:
        more = await page.run(SPACE, {"id": space_id, "after": space["faq"]["pageInfo"]["endCursor"]})
        if not more.ok or not more.data or not more.data["node"]:
            return None, more
        space["faq"] = more.data["node"]["faq"]
        entries += nodes(space["faq"])
    space["entries"] = entries
    return space, result


def missing_space(page: PageSession, result: Any) -> Response:
    return failure(page, result) if not result.ok else not_found(page)


@signed_in
async def products(request: Request, page: PageSession) -> Response:
    refused = refuse_unless_staff(page)
    if refused:
        return refused
    spaces: list[dict[str, Any]] = []
    after = None
    while True:
        result = await page.run(SPACES, {"after": after})
        if not result.ok:
            return failure(page, result)
        spaces += nodes(result.data["productSpaces"])
        info = result.data["productSpaces"]["pageInfo"]
        if not info["hasNextPage"]:
            break
        after = info["endCursor"]
    return render(page, "console/products.html", spaces=spaces, console=True, support_enabled=True)


@signed_in
async def product_page(request: Request, page: PageSession) -> Response:
    refused = refuse_unless_staff(page)
    if refused:
        return refused
    space, result = await load_space(page, request.path_params["space_id"])
    if space is None:
        return missing_space(page, result)
    flash = None
    if request.query_params.get("ok"):
        flash = saved_message(page, request.query_params["ok"])
    return render_product(page, space, flash=flash)


def saved_message(page: PageSession, what: str) -> str | None:
    _ = translations(page.language).gettext
    return {
        "produit": _("The product has been saved."),
        "version": _("The version has been saved."),
        "faq": _("The FAQ entry has been saved."),
        "suppression": _("The FAQ entry has been deleted."),
    }.get(what)


def render_product(page: PageSession, space: dict[str, Any], status: int = 200, form: str | None = None,
                   errors: list[str] | None = None, field_errors: dict[str, str] | None = None,
                   values: dict[str, Any] | None = None, flash: str | None = None) -> Response:
    """Render the edit page; `form` names the form whose errors and values are shown again."""
    return render(page, "console/product_edit.html", status=status, space=space, form=form,
                  errors=errors or [], field_errors=field_errors or {}, values=values or {}, flash=flash,
                  console=True, support_enabled=True)


async def submit(request: Request, page: PageSession) -> tuple[Response | None, dict[str, Any] | None, Any]:
    """Check the CSRF token and the role, then load the space; return a refusal or the space and form."""
    if not await csrf_valid(request, page):
        return csrf_expired(page), None, None
    refused = refuse_unless_staff(page)
    if refused:
        return refused, None, None
    space, result = await load_space(page, request.path_params["space_id"])
    if space is None:
        return missing_space(page, result), None, None
    return None, space, await request.form()


async def apply(page: PageSession, space: dict[str, Any], form_name: str, operation: str,
                values: dict[str, Any], done: str) -> Response:
    """Run a mutation; on success go back to the product page, otherwise show the form with its errors."""
    result = await page.run(operation, {"input": values})
    if result.ok:
        return redirect(page, f"{console_url(space['id'])}?ok={done}")
    if platform_failed(result) or result.first_code() == "FORBIDDEN":
        return failure(page, result)
    fresh, _ = await load_space(page, space["id"])
    return render_product(page, fresh or space, status=400, form=form_name, errors=result.messages(),
                          field_errors=result.field_errors(), values=values)


@signed_in
async def product_update(request: Request, page: PageSession) -> Response:
    refused, space, form = await submit(request, page)
    if refused:
        return refused
    values = {"productId": space["product"]["id"], "name": text_value(form, "name"),
              "description": text_value(form, "description"),
              "presentationMarkdown": str(form.get("presentationMarkdown", ""))}
    return await apply(page, space, "product", UPDATE_PRODUCT, values, "produit")


@signed_in
async def version_create(request: Request, page: PageSession) -> Response:
    refused, space, form = await submit(request, page)
    if refused:
        return refused
    values: dict[str, Any] = {"productId": space["product"]["id"], "name": text_value(form, "name"),
                              "supported": form.get("supported") == "1"}
    if text_value(form, "releaseDate"):
        values["releaseDate"] = text_value(form, "releaseDate")
    return await apply(page, space, "new-version", CREATE_VERSION, values, "version")


@signed_in
async def version_update(request: Request, page: PageSession) -> Response:
    refused, space, form = await submit(request, page)
    if refused:
        return refused
    version_id = request.path_params["version_id"]
    if not any(version["id"] == version_id for version in space["versions"]):
        return not_found(page)
    values: dict[str, Any] = {"versionId": version_id, "name": text_value(form, "name"),
                              "supported": form.get("supported") == "1"}
    if text_value(form, "releaseDate"):
        values["releaseDate"] = text_value(form, "releaseDate")
    else:
        values["clearReleaseDate"] = True
    return await apply(page, space, f"version-{version_id}", UPDATE_VERSION, values, "version")


def faq_values(form: Any) -> dict[str, Any]:
    return {"category": text_value(form, "category"), "question": text_value(form, "question"),
            "answerMarkdown": str(form.get("answerMarkdown", "")), "position": integer_value(form, "position") or 0}


def position_error(page: PageSession, values: dict[str, Any]) -> dict[str, str]:
    """Check the position here, because GraphQL would reject a non-integer before the service explains why."""
    if isinstance(values["position"], int) and values["position"] >= 0:
        return {}
    _ = translations(page.language).gettext
    return {"position": _("The position must be a whole number, 0 or more.")}


@signed_in
async def faq_create(request: Request, page: PageSession) -> Response:
    refused, space, form = await submit(request, page)
    if refused:
        return refused
    values = {"productId": space["product"]["id"], **faq_values(form)}
    invalid = position_error(page, values)
    if invalid:
        return render_product(page, space, status=400, form="new-faq", errors=list(invalid.values()),
                              field_errors=invalid, values=values)
    return await apply(page, space, "new-faq", CREATE_FAQ, values, "faq")


def find_entry(space: dict[str, Any], entry_id: str) -> dict[str, Any] | None:
    return next((entry for entry in space["entries"] if entry["id"] == entry_id), None)


@signed_in
async def faq_page(request: Request, page: PageSession) -> Response:
    refused = refuse_unless_staff(page)
    if refused:
        return refused
    space, result = await load_space(page, request.path_params["space_id"])
    if space is None:
        return missing_space(page, result)
    entry = find_entry(space, request.path_params["entry_id"])
    if entry is None:
        return not_found(page)
    template = "console/faq_delete.html" if request.url.path.endswith("/supprimer") else "console/faq_entry.html"
    return render(page, template, space=space, entry=entry, values=entry, errors=[], field_errors={},
                  console=True, support_enabled=True)


@signed_in
async def faq_update(request: Request, page: PageSession) -> Response:
    refused, space, form = await submit(request, page)
    if refused:
        return refused
    entry = find_entry(space, request.path_params["entry_id"])
    if entry is None:
        return not_found(page)
    values = {"faqEntryId": entry["id"], **faq_values(form)}
    field_errors = position_error(page, values)
    result = None
    if not field_errors:
        result = await page.run(UPDATE_FAQ, {"input": values})
        if result.ok:
            return redirect(page, f"{console_url(space['id'])}?ok=faq")
        if platform_failed(result) or result.first_code() in ("FORBIDDEN", "NOT_FOUND"):
            return failure(page, result)
        field_errors = result.field_errors()
    errors = result.messages() if result is not None else list(field_errors.values())
    return render(page, "console/faq_entry.html", status=400, space=space, entry=entry, values=values,
                  errors=errors, field_errors=field_errors, console=True, support_enabled=True)


@signed_in
async def faq_delete(request: Request, page: PageSession) -> Response:
    refused, space, _form = await submit(request, page)
    if refused:
        return refused
    entry = find_entry(space, request.path_params["entry_id"])
    if entry is None:
        return not_found(page)
    result = await page.run(DELETE_FAQ, {"input": {"faqEntryId": entry["id"]}})
    if not result.ok:
        return failure(page, result)
    return redirect(page, f"{console_url(space['id'])}?ok=suppression")

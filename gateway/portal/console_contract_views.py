"""Console pages for customers' sites and contracts (administrators).

Organisations belong to the auth service, which has no list of them in the API. The pages offer every
organisation that has an account, a site or a contract, and accept any organisation's global id in
the `organisation` query parameter, so that other pages can link here.
"""
from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response

from gateway.portal.console_forms import (
    all_nodes, organisation_names, platform_failed, refuse_unless_admin, sorted_choices, text_value,
)
from gateway.portal.i18n import translations
from gateway.portal.operations import PageSession
from gateway.portal.pages import csrf_expired, failure, not_found, signed_in
from gateway.portal.rendering import csrf_valid, redirect, render

SITE_FIELDS = "id catalogId organisationId name address postalCode city"
CONTRACT_FIELDS = """id number organisationId startDate endDate supportLevel isActive opensSupport
  services { id name } products { id name } sites { id name }"""
SITES = f"""
query Sites($organisationId: ID, $after: String) {{ sites(organisationId: $organisationId, first: 100, after: $after) {{
  pageInfo {{ hasNextPage endCursor }} edges {{ node {{ {SITE_FIELDS} }} }} }} }}"""
CONTRACTS = f"""
query Contracts($organisationId: ID, $after: String) {{
  contracts(organisationId: $organisationId, first: 100, after: $after) {{
    pageInfo {{ hasNextPage endCursor }} edges {{ node {{ {CONTRACT_FIELDS} }} }} }} }}"""
ACCOUNT_ORGANISATIONS = """
query Accounts($after: String) { users(first: 100, after: $after) {
  pageInfo { hasNextPage endCursor } edges { node { organisation { id name kind } } } } }"""
SITE = f"query Site($id: ID!) {{ node(id: $id) {{ ... on Site {{ {SITE_FIELDS} }} }} }}"
CONTRACT = f"query Contract($id: ID!) {{ node(id: $id) {{ ... on Contract {{ {CONTRACT_FIELDS} }} }} }}"
CHOICES = "{ services { id name } products(first: 100) { edges { node { id name } } } }"
CREATE_SITE = "mutation Create($input: CreateSiteInput!) { createSite(input: $input) { site { id } } }"
UPDATE_SITE = "mutation Update($input: UpdateSiteInput!) { updateSite(input: $input) { site { id } } }"
CREATE_CONTRACT = "mutation Create($input: CreateContractInput!) { createContract(input: $input) { contract { id } } }"
UPDATE_CONTRACT = "mutation Update($input: UpdateContractInput!) { updateContract(input: $input) { contract { id } } }"
SUPPORT_LEVELS = ("NONE", "STANDARD", "PREMIUM")
LIST_URL = "/console/administration/contrats"


def list_url(organisation_id: str | None, done: str | None = None) -> str:
    query = [f"organisation={quote(organisation_id)}"] if organisation_id else []
    if done:
        query.append(f"ok={done}")
    return LIST_URL + ("?" + "&".join(query) if query else "")


async def customer_organisations(page: PageSession) -> dict[str, str]:
    """Return global id -> name of every customer organisation with an account, a site or a contract."""
    # NOTE: an organisation without any account, site or contract is not offered; open this page with
    # ?organisation=<its global id> to give it a first site.
    accounts, _ = await all_nodes(page, ACCOUNT_ORGANISATIONS, "users")
    names = {node["organisation"]["id"]: node["organisation"]["name"] for node in accounts
             if node.get("organisation") and node["organisation"]["kind"] == "CUSTOMER"}
    sites, _ = await all_nodes(page, SITES, "sites")
    contracts, _ = await all_nodes(page, CONTRACTS, "contracts")
    unnamed = [item["organisationId"] for item in sites + contracts if item["organisationId"] not in names]
    names.update(await organisation_names(page, unnamed))
    return names


@signed_in
async def contracts_page(request: Request, page: PageSession) -> Response:
    refused = refuse_unless_admin(page)
    if refused:
        return refused
    organisation_id = request.query_params.get("organisation") or None
    variables = {"organisationId": organisation_id}
    sites, result = await all_nodes(page, SITES, "sites", variables)
    if not result.ok:
        return failure(page, result)
    contracts, result = await all_nodes(page, CONTRACTS, "contracts", variables)
    if not result.ok:
        return failure(page, result)
    names = await customer_organisations(page)
    if organisation_id and organisation_id not in names:
        names.update(await organisation_names(page, [organisation_id]))
    _ = page_gettext(page)
    flash = {"site": _("The site has been saved."), "contrat": _("The contract has been saved.")}.get(
        request.query_params.get("ok", ""))
    return render(page, "console/contracts.html", organisations=sorted_choices(names), names=names,
                  organisation_id=organisation_id, sites=sites, contracts=contracts, flash=flash,
                  console=True, support_enabled=True)


def page_gettext(page: PageSession) -> Any:
    return translations(page.language).gettext


def site_values(form: Any) -> dict[str, Any]:
    return {name: text_value(form, name) for name in ("name", "address", "postalCode", "city")}


async def load_node(page: PageSession, query: str, node_id: str) -> dict[str, Any] | None:
    result = await page.run(query, {"id": node_id})
    return result.data["node"] if result.ok and result.data and result.data["node"] else None


async def render_site(page: PageSession, site: dict[str, Any] | None, organisation_id: str, values: dict[str, Any],
                      status: int = 200, errors: list[str] | None = None,
                      field_errors: dict[str, str] | None = None) -> Response:
    names = await organisation_names(page, [organisation_id])
    return render(page, "console/site_form.html", status=status, site=site, organisation_id=organisation_id,
                  organisation_name=names.get(organisation_id, organisation_id), values=values,
                  errors=errors or [], field_errors=field_errors or {}, console=True, support_enabled=True)


@signed_in
async def site_new(request: Request, page: PageSession) -> Response:
    refused = refuse_unless_admin(page)
    if refused:
        return refused
    organisation_id = request.query_params.get("organisation")
    if not organisation_id:
        return redirect(page, LIST_URL)
    return await render_site(page, None, organisation_id, {})


@signed_in
async def site_edit(request: Request, page: PageSession) -> Response:
    refused = refuse_unless_admin(page)
    if refused:
        return refused
    site = await load_node(page, SITE, request.path_params["site_id"])
    if site is None:
        return not_found(page)
    return await render_site(page, site, site["organisationId"], site)


@signed_in
async def site_save(request: Request, page: PageSession) -> Response:
    """Create a site (no `site_id` in the path) or change one; show the form again with its errors."""
    if not await csrf_valid(request, page):
        return csrf_expired(page)
    refused = refuse_unless_admin(page)
    if refused:
        return refused
    form = await request.form()
    values = site_values(form)
    site = None
    if "site_id" in request.path_params:
        site = await load_node(page, SITE, request.path_params["site_id"])
        if site is None:
            return not_found(page)
        organisation_id = site["organisationId"]
        result = await page.run(UPDATE_SITE, {"input": {"siteId": site["id"], **values}})
    else:
        organisation_id = text_value(form, "organisationId")
        result = await page.run(CREATE_SITE, {"input": {"organisationId": organisation_id, **values}})
    if result.ok:
        return redirect(page, list_url(organisation_id, "site"))
    if platform_failed(result) or result.first_code() in ("FORBIDDEN", "NOT_FOUND"):
        return failure(page, result)
    return await render_site(page, site, organisation_id, values, status=400, errors=result.messages(),
                             field_errors=result.field_errors())


async def render_contract(page: PageSession, contract: dict[str, Any] | None, organisation_id: str,
                          values: dict[str, Any], status: int = 200, errors: list[str] | None = None,
                          field_errors: dict[str, str] | None = None) -> Response:
    choices = await page.run(CHOICES)
    if not choices.ok:
        return failure(page, choices)
    sites, result = await all_nodes(page, SITES, "sites", {"organisationId": organisation_id})
    if not result.ok:
        return failure(page, result)
    names = await organisation_names(page, [organisation_id])
    products = [edge["node"] for edge in choices.data["products"]["edges"]]
    return render(page, "console/contract_form.html", status=status, contract=contract,
                  organisation_id=organisation_id, organisation_name=names.get(organisation_id, organisation_id),
                  values=values, services=choices.data["services"], products=products, sites=sites,
                  support_levels=SUPPORT_LEVELS, errors=errors or [], field_errors=field_errors or {},
                  console=True, support_enabled=True)


def contract_form_values(contract: dict[str, Any]) -> dict[str, Any]:
    """Return a stored contract as the form shows it: ids of what it covers."""
    return {
        "number": contract["number"], "startDate": contract["startDate"], "endDate": contract["endDate"],
        "supportLevel": contract["supportLevel"],
        "productIds": [item["id"] for item in contract["products"]],
        "serviceIds": [item["id"] for item in contract["services"]],
        "siteIds": [item["id"] for item in contract["sites"]],
    }


@signed_in
async def contract_new(request: Request, page: PageSession) -> Response:
    refused = refuse_unless_admin(page)
    if refused:
        return refused
    organisation_id = request.query_params.get("organisation")
    if not organisation_id:
        return redirect(page, LIST_URL)
    return await render_contract(page, None, organisation_id, {"supportLevel": "STANDARD"})


@signed_in
async def contract_edit(request: Request, page: PageSession) -> Response:
    refused = refuse_unless_admin(page)
    if refused:
        return refused
    contract = await load_node(page, CONTRACT, request.path_params["contract_id"])
    if contract is None:
        return not_found(page)
    return await render_contract(page, contract, contract["organisationId"], contract_form_values(contract))


def contract_input(form: Any) -> tuple[dict[str, Any], dict[str, str]]:
    """Read the contract form; return the mutation's values and the errors found before sending them.

    Dates are checked here because GraphQL's Date scalar would reject a malformed one as a whole
    request, without saying which field is wrong.
    """
    values: dict[str, Any] = {
        "number": text_value(form, "number"),
        "startDate": text_value(form, "startDate"),
        "endDate": text_value(form, "endDate"),
        "supportLevel": text_value(form, "supportLevel") or "STANDARD",
        "productIds": [str(item) for item in form.getlist("productIds")],
        "serviceIds": [str(item) for item in form.getlist("serviceIds")],
        "siteIds": [str(item) for item in form.getlist("siteIds")],
    }
    invalid: dict[str, str] = {}
    for key in ("startDate", "endDate"):
        try:
            date.fromisoformat(values[key])
        except ValueError:
            invalid[key] = values[key]
    if values["supportLevel"] not in SUPPORT_LEVELS:
        invalid["supportLevel"] = values["supportLevel"]
    return values, invalid


def form_errors(page: PageSession, invalid: dict[str, str]) -> dict[str, str]:
    _ = page_gettext(page)
    labels = {"startDate": _("The start date"), "endDate": _("The end date"), "supportLevel": _("The support level")}
    messages = {}
    for key, value in invalid.items():
        if not value:
            messages[key] = _("%(field)s is required.") % {"field": labels[key]}
        else:
            messages[key] = _("%(field)s “%(value)s” is invalid.") % {"field": labels[key], "value": value}
    return messages


@signed_in
async def contract_save(request: Request, page: PageSession) -> Response:
    """Create a contract (no `contract_id` in the path) or change one; show the form again with its errors."""
    if not await csrf_valid(request, page):
        return csrf_expired(page)
    refused = refuse_unless_admin(page)
    if refused:
        return refused
    form = await request.form()
    values, invalid = contract_input(form)

    contract = None
    if "contract_id" in request.path_params:
        contract = await load_node(page, CONTRACT, request.path_params["contract_id"])
        if contract is None:
            return not_found(page)
        organisation_id = contract["organisationId"]
    else:
        organisation_id = text_value(form, "organisationId")

    if invalid:
        field_errors = form_errors(page, invalid)
        return await render_contract(page, contract, organisation_id, values, status=400,
                                     errors=list(field_errors.values()), field_errors=field_errors)

    if contract is not None:
        result = await page.run(UPDATE_CONTRACT, {"input": {"contractId": contract["id"], **values}})
    else:
        result = await page.run(CREATE_CONTRACT, {"input": {"organisationId": organisation_id, **values}})
    if result.ok:
        return redirect(page, list_url(organisation_id, "contrat"))
    if platform_failed(result) or result.first_code() in ("FORBIDDEN", "NOT_FOUND"):
        return failure(page, result)
    return await render_contract(page, contract, organisation_id, values, status=400, errors=result.messages(),
                                 field_errors=result.field_errors())

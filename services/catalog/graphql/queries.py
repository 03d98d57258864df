"""Queries of the catalog: public products, product spaces, FAQ search, ticket form, contracts and sites."""
from __future__ import annotations

from typing import Any

import graphene

from gateway.connections import connection_from_page, decode_global_id
from gateway.context import authorize, call
from gateway.errors import GatewayError
from services.catalog.graphql.types import (
    ContractConnection, FaqSearchConnection, ProductConnection, ProductSpaceConnection, Service, SiteConnection,
    TicketFormOptions, connection_field,
)
from services.common.errors import Forbidden, ValidationFailed, field_error, text

READ_SCOPE = "catalog:read"
TICKETS_WRITE_SCOPE = "tickets:write"

ORGANISATION_FILTER_DESCRIPTION = (
    "Global id of an organisation. Agents may name any; customers only their own, which is also the default."
)


def organisation_argument(organisation_id: str | None) -> str | None:
    return decode_global_id(organisation_id, "Organisation", "organisationId") if organisation_id else None


class CatalogQuery(graphene.ObjectType):
    products = connection_field(
        ProductConnection,
        description="The vendor's public catalogue of products, by name; no sign-in needed.")
    product_spaces = connection_field(
        ProductSpaceConnection,
        organisation_id=graphene.ID(description=ORGANISATION_FILTER_DESCRIPTION),
        description="Spaces of the products the caller's organisation has under an active contract, by name; "
                    "agents see every product unless they name an organisation.")
    faq_search = connection_field(
        FaqSearchConnection,
        query=graphene.String(required=True, description="Words to look for; accents and case are ignored."),
        product_id=graphene.ID(description="Global id of a product to search in only."),
        description="FAQ entries of the caller's product spaces that match the words, best first.")
    ticket_form_options = graphene.Field(
        TicketFormOptions, required=True,
        organisation_id=graphene.ID(description="Global id of the organisation; required for agents."),
        description="Whether the organisation may open tickets, why not, and the choices of the ticket form. "
                    "API tokens need the catalog:read or tickets:write scope.")
    contracts = connection_field(
        ContractConnection,
        organisation_id=graphene.ID(description=ORGANISATION_FILTER_DESCRIPTION),
        description="Contracts of the caller's organisation (agents: all, or one organisation's), latest end first.")
    sites = connection_field(
        SiteConnection,
        organisation_id=graphene.ID(description=ORGANISATION_FILTER_DESCRIPTION),
        description="Sites of the caller's organisation (agents: all, or one organisation's), by name.")
    services = graphene.List(graphene.NonNull(Service), required=True,
                             description="Every service (« prestation ») the vendor offers, by name.")

    async def resolve_products(self, info: Any, first: int | None = None, after: str | None = None,
                               **_: Any) -> Any:
        # The public catalogue costs exactly one RPC call, whatever the page size.
        page = await call(info, "catalog", "list_products", first=first, after=after)
        return connection_from_page(ProductConnection, page)

    async def resolve_product_spaces(self, info: Any, first: int | None = None, after: str | None = None,
                                     organisation_id: str | None = None, **_: Any) -> Any:
        authorize(info, scope=READ_SCOPE)
        page = await call(info, "catalog", "list_product_spaces", organisation_id=organisation_argument(organisation_id),
                          first=first, after=after)
        return connection_from_page(ProductSpaceConnection, page)

    async def resolve_faq_search(self, info: Any, query: str, product_id: str | None = None,
                                 first: int | None = None, after: str | None = None, **_: Any) -> Any:
        authorize(info, scope=READ_SCOPE)
        raw_product_id = decode_global_id(product_id, "Product", "productId") if product_id else None
        page = await call(info, "catalog", "search_faq", query=query, product_id=raw_product_id,
                          first=first, after=after)
        return connection_from_page(FaqSearchConnection, page)

    async def resolve_ticket_form_options(self, info: Any, organisation_id: str | None = None) -> dict[str, Any]:
        caller = authorize(info)
        # A system that files tickets needs the form's choices without reading the rest of the catalog.
        if not (caller.has_scope(READ_SCOPE) or caller.has_scope(TICKETS_WRITE_SCOPE)):
            raise GatewayError.of(Forbidden)
        raw_organisation_id = organisation_argument(organisation_id) or (
            None if caller.is_agent else caller.organisation_id)
        if raw_organisation_id is None:
            raise GatewayError.of(ValidationFailed, fields=[field_error(
                "organisationId", "REQUIRED", "Choisissez l'organisation pour laquelle la demande est créée.",
                "Choose the organisation the ticket is created for.")], message=text(
                "Choisissez une organisation.", "Choose an organisation."))
        return await call(info, "catalog", "get_entitlements", organisation_id=raw_organisation_id)

    async def resolve_contracts(self, info: Any, first: int | None = None, after: str | None = None,
                                organisation_id: str | None = None, **_: Any) -> Any:
        authorize(info, scope=READ_SCOPE)
        page = await call(info, "catalog", "list_contracts", organisation_id=organisation_argument(organisation_id),
                          first=first, after=after)
        return connection_from_page(ContractConnection, page)

    async def resolve_sites(self, info: Any, first: int | None = None, after: str | None = None,
                            organisation_id: str | None = None, **_: Any) -> Any:
        authorize(info, scope=READ_SCOPE)
        page = await call(info, "catalog", "list_sites", organisation_id=organisation_argument(organisation_id),
                          first=first, after=after)
        return connection_from_page(SiteConnection, page)

    async def resolve_services(self, info: Any) -> list[dict[str, Any]]:
        authorize(info, scope=READ_SCOPE)
        return await call(info, "catalog", "list_services")

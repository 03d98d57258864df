"""GraphQL object types of the catalog: products and their spaces, FAQ, services, sites and contracts.

Resolvers receive the service's plain dicts. Related objects travel inside those dicts, except an FAQ
entry's product, which goes through the request's DataLoader so that a page costs one call.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

import graphene
from graphene import relay
from graphql_relay import to_global_id

from gateway.connections import connection_from_page
from gateway.context import authorize, call, loader, request_context
from gateway.errors import pick
from services.catalog.paging import page_of_list


def connection_field(connection: type, description: str, **arguments: Any) -> graphene.Field:
    """Declare a connection field with the `first`/`after` arguments that offset pages support."""
    return graphene.Field(
        connection, required=True, description=description,
        first=graphene.Int(description="Number of items to return, from 0 to 100; 20 by default."),
        after=graphene.String(description="Cursor of the item after which the page starts."),
        **arguments)


def as_date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def organisation_global_id(organisation_id: str | None) -> str | None:
    # Organisations are nodes of the auth service's schema.
    return to_global_id("Organisation", organisation_id) if organisation_id else None


def tagged(item: dict[str, Any] | None, type_name: str) -> dict[str, Any] | None:
    """Mark a dict fetched through `node(id:)` with its type, so the Node interface resolves it."""
    return {**item, "_type": type_name} if item is not None else None


class CatalogObject:
    """Accept the service's dicts; a dict tagged by `tagged` matches its own type only."""

    @classmethod
    def is_type_of(cls, root: Any, info: Any) -> bool:
        return isinstance(root, dict) and root.get("_type", cls.__name__) == cls.__name__


CATALOG_ID_DESCRIPTION = (
    "The object's id in the catalog service, as other services' inputs take it (a ticket's contract, "
    "product, site, services and version)."
)


class ServiceKind(graphene.Enum):
    """Kind of a service (« prestation »)."""

    ASSISTANCE = "assistance"
    CORRECTIVE_MAINTENANCE = "corrective_maintenance"
    HOSTING = "hosting"
    TRAINING = "training"
    OTHER = "other"

    @property
    def description(self) -> str:
        return {
            "ASSISTANCE": "Answers to usage questions; opens the support desk.",
            "CORRECTIVE_MAINTENANCE": "Fixes of defects in supported versions.",
            "HOSTING": "Hosting of the applications and their data.",
            "TRAINING": "Training sessions for users.",
        }.get(self.name, "Any other service.")


class SupportLevel(graphene.Enum):
    """Support level bought with a contract."""

    NONE = "none"
    STANDARD = "standard"
    PREMIUM = "premium"

    @property
    def description(self) -> str:
        return {"NONE": "No support.", "STANDARD": "Support on working days.",
                "PREMIUM": "Extended support hours and response times."}[self.name]


class SupportClosedReason(graphene.Enum):
    """Reason why an organisation may not open tickets."""

    NO_CONTRACT = "NO_CONTRACT"
    CONTRACT_EXPIRED = "CONTRACT_EXPIRED"
    NO_ASSISTANCE = "NO_ASSISTANCE"

    @property
    def description(self) -> str:
        return {"NO_CONTRACT": "The organisation has no current contract.",
                "CONTRACT_EXPIRED": "The organisation's contracts have ended.",
                "NO_ASSISTANCE": "The current contracts include no assistance service."}[self.name]


class Product(CatalogObject, graphene.ObjectType):
    """A software product of the vendor, as the public catalogue shows it."""

    class Meta:
        interfaces = (relay.Node,)

    catalog_id = graphene.ID(required=True, description=CATALOG_ID_DESCRIPTION)
    name = graphene.String(required=True, description="Product name, such as « Carrus ».")
    description = graphene.String(required=True, description="One-paragraph presentation for the catalogue.")

    @staticmethod
    def resolve_catalog_id(root: dict[str, Any], info: Any) -> str:
        return root["id"]

    @classmethod
    async def get_node(cls, info: Any, product_id: str) -> dict[str, Any] | None:
        return tagged(await loader(info, "catalog", "get_products").load(product_id), cls.__name__)


class ProductVersion(CatalogObject, graphene.ObjectType):
    """A released version of a product."""

    class Meta:
        interfaces = (relay.Node,)

    catalog_id = graphene.ID(required=True, description=CATALOG_ID_DESCRIPTION)
    name = graphene.String(required=True, description="Version number, such as « 5.2 ».")
    release_date = graphene.Date(description="Day the version was released.")
    supported = graphene.Boolean(required=True, description="Whether the vendor still maintains this version.")

    @staticmethod
    def resolve_catalog_id(root: dict[str, Any], info: Any) -> str:
        return root["id"]

    @staticmethod
    def resolve_release_date(root: dict[str, Any], info: Any) -> date | None:
        return as_date(root.get("release_date"))

    @classmethod
    async def get_node(cls, info: Any, version_id: str) -> dict[str, Any] | None:
        return tagged(await loader(info, "catalog", "get_versions").load(version_id), cls.__name__)


class ProductLink(graphene.ObjectType):
    """A link shown in a product space (documentation, release notes)."""

    label = graphene.String(required=True, description="Text of the link.")
    url = graphene.String(required=True, description="Address, http or https.")


class FaqEntry(CatalogObject, graphene.ObjectType):
    """A question and its answer in a product space."""

    class Meta:
        interfaces = (relay.Node,)

    category = graphene.String(required=True, description="Category the entry is grouped under, such as « Exports ».")
    question = graphene.String(required=True, description="The question, as customers ask it.")
    answer_markdown = graphene.String(required=True, description="The answer as written, in Markdown.")
    answer_html = graphene.String(required=True, description="The answer rendered to HTML that cannot run script.")
    position = graphene.Int(required=True, description="Order of the entry inside its category.")
    updated_at = graphene.DateTime(required=True, description="Last change of the entry.")
    product_name = graphene.String(required=True, description="Name of the product the entry belongs to.")
    product = graphene.Field(Product, description="The product the entry belongs to.")

    @staticmethod
    def resolve_updated_at(root: dict[str, Any], info: Any) -> datetime:
        return datetime.fromisoformat(root["updated_at"])

    @staticmethod
    async def resolve_product(root: dict[str, Any], info: Any) -> dict[str, Any] | None:
        return await loader(info, "catalog", "get_products").load(root["product_id"])

    @classmethod
    async def get_node(cls, info: Any, entry_id: str) -> dict[str, Any] | None:
        authorize(info, scope="catalog:read")
        return tagged(await loader(info, "catalog", "get_faq_entries").load(entry_id), cls.__name__)


class FaqEntryConnection(relay.Connection):
    class Meta:
        node = FaqEntry
        description = "A page of FAQ entries."

    total_count = graphene.Int(required=True, description="Number of entries across all pages.")


class ProductSpace(CatalogObject, graphene.ObjectType):
    """A product's space on the portal: presentation, links, versions and FAQ."""

    class Meta:
        interfaces = (relay.Node,)

    catalog_id = graphene.ID(required=True, description=CATALOG_ID_DESCRIPTION)
    name = graphene.String(required=True, description="Product name.")
    description = graphene.String(required=True, description="One-paragraph presentation for the catalogue.")
    presentation_markdown = graphene.String(required=True, description="Presentation of the product, in Markdown.")
    presentation_html = graphene.String(required=True, description="Presentation rendered to HTML that cannot run script.")
    links = graphene.List(graphene.NonNull(ProductLink), required=True, description="Documentation links.")
    versions = graphene.List(graphene.NonNull(ProductVersion), required=True,
                             description="Released versions, newest first, supported or not.")
    faq_categories = graphene.List(graphene.NonNull(graphene.String), required=True,
                                   description="FAQ categories in display order.")
    faq = connection_field(FaqEntryConnection, "FAQ entries, by category then position.",
                           category=graphene.String(description="Only entries of this category."))
    product = graphene.Field(Product, required=True, description="The product itself.")

    @staticmethod
    def resolve_catalog_id(root: dict[str, Any], info: Any) -> str:
        return root["id"]

    @staticmethod
    def resolve_product(root: dict[str, Any], info: Any) -> dict[str, Any]:
        return {"id": root["id"], "name": root["name"], "description": root["description"]}

    @staticmethod
    def resolve_faq(root: dict[str, Any], info: Any, first: int | None = None, after: str | None = None,
                    category: str | None = None, **_: Any) -> Any:
        entries = [entry for entry in root["faq_entries"] if category is None or entry["category"] == category]
        return connection_from_page(FaqEntryConnection, page_of_list(entries, first, after))

    @classmethod
    async def get_node(cls, info: Any, product_id: str) -> dict[str, Any] | None:
        authorize(info, scope="catalog:read")
        return tagged(await call(info, "catalog", "get_product_space", product_id=product_id), cls.__name__)


class Service(CatalogObject, graphene.ObjectType):
    """A service (« prestation ») the vendor provides under contract: assistance, hosting, training…"""

    class Meta:
        interfaces = (relay.Node,)

    catalog_id = graphene.ID(required=True, description=CATALOG_ID_DESCRIPTION)
    name = graphene.String(required=True, description="Service name, such as « Maintenance corrective ».")
    kind = graphene.Field(ServiceKind, required=True, description="What the service provides.")
    description = graphene.String(required=True, description="What the customer gets.")
    is_assistance = graphene.Boolean(required=True,
                                     description="Whether a contract with this service opens the support desk.")

    @staticmethod
    def resolve_catalog_id(root: dict[str, Any], info: Any) -> str:
        return root["id"]

    @classmethod
    async def get_node(cls, info: Any, service_id: str) -> dict[str, Any] | None:
        authorize(info, scope="catalog:read")
        return tagged(await loader(info, "catalog", "get_services").load(service_id), cls.__name__)


class Site(CatalogObject, graphene.ObjectType):
    """A place of a customer organisation that support may be asked for."""

    class Meta:
        interfaces = (relay.Node,)

    catalog_id = graphene.ID(required=True, description=CATALOG_ID_DESCRIPTION)
    organisation_id = graphene.ID(required=True, description="Global id of the organisation the site belongs to.")
    name = graphene.String(required=True, description="Site name, such as « Mairie ».")
    address = graphene.String(required=True, description="Street address.")
    postal_code = graphene.String(required=True, description="Postal code.")
    city = graphene.String(required=True, description="City.")

    @staticmethod
    def resolve_catalog_id(root: dict[str, Any], info: Any) -> str:
        return root["id"]

    @staticmethod
    def resolve_organisation_id(root: dict[str, Any], info: Any) -> str | None:
        return organisation_global_id(root.get("organisation_id"))

    @classmethod
    async def get_node(cls, info: Any, site_id: str) -> dict[str, Any] | None:
        authorize(info, scope="catalog:read")
        return tagged(await loader(info, "catalog", "get_sites").load(site_id), cls.__name__)


class Contract(CatalogObject, graphene.ObjectType):
    """A customer contract: its period, support level and what it covers."""

    class Meta:
        interfaces = (relay.Node,)

    catalog_id = graphene.ID(required=True, description=CATALOG_ID_DESCRIPTION)
    number = graphene.String(required=True, description="Contract number, such as « CTR-2026-0142 ».")
    organisation_id = graphene.ID(required=True, description="Global id of the customer organisation.")
    start_date = graphene.Date(required=True, description="First day covered.")
    end_date = graphene.Date(required=True, description="Last day covered.")
    support_level = graphene.Field(SupportLevel, required=True, description="Support level bought.")
    is_active = graphene.Boolean(required=True, description="Whether today (Paris time) is inside the period.")
    opens_support = graphene.Boolean(required=True,
                                     description="Whether the contract is active and includes an assistance service.")
    services = graphene.List(graphene.NonNull(Service), required=True, description="Services included.")
    products = graphene.List(graphene.NonNull(Product), required=True, description="Products covered.")
    sites = graphene.List(graphene.NonNull(Site), required=True, description="Sites covered.")

    @staticmethod
    def resolve_catalog_id(root: dict[str, Any], info: Any) -> str:
        return root["id"]

    @staticmethod
    def resolve_organisation_id(root: dict[str, Any], info: Any) -> str | None:
        return organisation_global_id(root.get("organisation_id"))

    @staticmethod
    def resolve_start_date(root: dict[str, Any], info: Any) -> date | None:
        return as_date(root["start_date"])

    @staticmethod
    def resolve_end_date(root: dict[str, Any], info: Any) -> date | None:
        return as_date(root["end_date"])

    @classmethod
    async def get_node(cls, info: Any, contract_id: str) -> dict[str, Any] | None:
        authorize(info, scope="catalog:read")
        return tagged(await loader(info, "catalog", "get_contracts").load(contract_id), cls.__name__)


class TicketFormProduct(graphene.ObjectType):
    """A product a contract covers, with the versions a ticket may name."""

    id = graphene.ID(required=True, description="Global id of the product.")
    catalog_id = graphene.ID(required=True, description=CATALOG_ID_DESCRIPTION)
    name = graphene.String(required=True, description="Product name.")
    versions = graphene.List(graphene.NonNull(ProductVersion), required=True,
                             description="Supported versions, newest first; the version is optional on a ticket.")

    @staticmethod
    def resolve_id(root: dict[str, Any], info: Any) -> str:
        return to_global_id("Product", root["id"])

    @staticmethod
    def resolve_catalog_id(root: dict[str, Any], info: Any) -> str:
        return root["id"]


class TicketFormContract(graphene.ObjectType):
    """A contract a ticket may be filed under, with the choices it allows."""

    id = graphene.ID(required=True, description="Global id of the contract.")
    catalog_id = graphene.ID(required=True, description=CATALOG_ID_DESCRIPTION)
    number = graphene.String(required=True, description="Contract number.")
    end_date = graphene.Date(required=True, description="Last day covered.")
    support_level = graphene.Field(SupportLevel, required=True, description="Support level bought.")
    services = graphene.List(graphene.NonNull(Service), required=True, description="Services a ticket may name.")
    products = graphene.List(graphene.NonNull(TicketFormProduct), required=True,
                             description="Products a ticket may be about.")
    sites = graphene.List(graphene.NonNull(Site), required=True, description="Sites a ticket may be for.")

    @staticmethod
    def resolve_id(root: dict[str, Any], info: Any) -> str:
        return to_global_id("Contract", root["id"])

    @staticmethod
    def resolve_catalog_id(root: dict[str, Any], info: Any) -> str:
        return root["id"]

    @staticmethod
    def resolve_end_date(root: dict[str, Any], info: Any) -> date | None:
        return as_date(root["end_date"])


class TicketFormOptions(graphene.ObjectType):
    """The choices of the ticket form, as a cascade: contract, services, product, site, version."""

    support_enabled = graphene.Boolean(required=True, description="Whether the organisation may open tickets.")
    reason_code = graphene.Field(SupportClosedReason, description="Why support is closed; null when it is open.")
    reason = graphene.String(description="Why support is closed, in the caller's language; null when it is open.")
    contracts = graphene.List(graphene.NonNull(TicketFormContract), required=True,
                              description="Contracts a ticket may be filed under; empty when support is closed.")

    @staticmethod
    def resolve_reason(root: dict[str, Any], info: Any) -> str | None:
        reason = root.get("reason")
        return pick(reason, request_context(info).language) if reason else None


class ProductConnection(relay.Connection):
    class Meta:
        node = Product
        description = "A page of products."

    total_count = graphene.Int(required=True, description="Number of products across all pages.")


class ProductSpaceConnection(relay.Connection):
    class Meta:
        node = ProductSpace
        description = "A page of product spaces."

    total_count = graphene.Int(required=True, description="Number of spaces across all pages.")


class FaqSearchConnection(relay.Connection):
    class Meta:
        node = FaqEntry
        description = "FAQ entries matching a search, best first."

    class Edge:
        score = graphene.Float(required=True, description="Relevance of the entry; higher is better.")

        @staticmethod
        def resolve_score(edge: Any, info: Any) -> float:
            return float(edge.node["score"])

    total_count = graphene.Int(required=True, description="Number of matching entries across all pages.")


class SiteConnection(relay.Connection):
    class Meta:
        node = Site
        description = "A page of sites."

    total_count = graphene.Int(required=True, description="Number of sites across all pages.")


class ContractConnection(relay.Connection):
    class Meta:
        node = Contract
        description = "A page of contracts."

    total_count = graphene.Int(required=True, description="Number of contracts across all pages.")

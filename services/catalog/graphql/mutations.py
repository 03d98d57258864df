"""Mutations of the catalog, for agents allowed to administer it: products, versions, FAQ, sites, contracts."""
from __future__ import annotations

from datetime import date
from typing import Any

import graphene
from graphql_relay import from_global_id

from gateway.connections import decode_global_id
from gateway.context import authorize, call, forget_shared_items
from services.catalog.graphql.types import Contract, FaqEntry, ProductSpace, ProductVersion, Site, SupportLevel

# Input keys holding one or several global ids: (input key, value key, node type).
GLOBAL_ID_KEYS = (
    ("product_id", "product_id", "Product"),
    ("organisation_id", "organisation_id", "Organisation"),
)
GLOBAL_ID_LIST_KEYS = (
    ("product_ids", "Product", "productIds"),
    ("service_ids", "Service", "serviceIds"),
    ("site_ids", "Site", "siteIds"),
)


def to_values(input_values: dict[str, Any]) -> dict[str, Any]:
    """Turn a GraphQL input into the service's values: catalog ids, ISO dates, enum values."""
    values: dict[str, Any] = {}
    for key, value in input_values.items():
        if value is None:
            continue
        if isinstance(value, date):
            value = value.isoformat()
        elif hasattr(value, "value"):
            value = value.value
        elif key == "links":
            value = [dict(link) for link in value]
        values[key] = value
    for key, target, type_name in GLOBAL_ID_KEYS:
        if key in values:
            values[target] = decode_global_id(values[key], type_name, _camel(key))
    for key, type_name, field in GLOBAL_ID_LIST_KEYS:
        if key in values:
            values[key] = [decode_global_id(item, type_name, field) for item in values[key]]
    return values


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def require_catalog_admin(info: Any) -> None:
    authorize(info, agent=True, scope="admin")


class ProductLinkInput(graphene.InputObjectType):
    """A link to show in a product space."""

    label = graphene.String(required=True, description="Text of the link.")
    url = graphene.String(required=True, description="Address, starting with http:// or https://.")


class CreateProductInput(graphene.InputObjectType):
    """Fields of a new product."""

    name = graphene.String(required=True, description="Product name, unique, at most 120 characters.")
    description = graphene.String(description="Presentation for the public catalogue, at most 500 characters.")
    presentation_markdown = graphene.String(description="Presentation in the product space, in Markdown.")
    links = graphene.List(graphene.NonNull(ProductLinkInput), description="Documentation links.")


class UpdateProductInput(graphene.InputObjectType):
    """A product and the fields to change; fields left out keep their value."""

    product_id = graphene.ID(required=True, description="Global id of the product (or of its space).")
    name = graphene.String(description="New name; unchanged when left out.")
    description = graphene.String(description="New catalogue presentation; unchanged when left out.")
    presentation_markdown = graphene.String(description="New space presentation; unchanged when left out.")
    links = graphene.List(graphene.NonNull(ProductLinkInput), description="New links, replacing all of them.")


class ProductPayload(graphene.ObjectType):
    """Result of a product mutation."""

    product_space = graphene.Field(ProductSpace, required=True, description="The product with its space.")


class CreateProduct(graphene.Mutation):
    """Add a product to the catalogue, with an empty space (agents)."""

    class Arguments:
        input = CreateProductInput(required=True, description="The product's fields.")

    Output = ProductPayload

    async def mutate(self, info: Any, input: dict[str, Any]) -> ProductPayload:
        require_catalog_admin(info)
        space = await call(info, "catalog", "create_product", values=to_values(input))
        return ProductPayload(product_space=space)


def product_id_of(global_id: str) -> str:
    """Accept the global id of a Product or of its ProductSpace: both name the same product."""
    try:
        type_name, _ = from_global_id(global_id)
    except Exception:
        type_name = ""
    return decode_global_id(global_id, "ProductSpace" if type_name == "ProductSpace" else "Product", "productId")


class UpdateProduct(graphene.Mutation):
    """Change a product's name, presentation or links (agents)."""

    class Arguments:
        input = UpdateProductInput(required=True, description="The product and the fields to change.")

    Output = ProductPayload

    async def mutate(self, info: Any, input: dict[str, Any]) -> ProductPayload:
        require_catalog_admin(info)
        product_id = product_id_of(input["product_id"])
        values = to_values({key: value for key, value in input.items() if key != "product_id"})
        space = await call(info, "catalog", "update_product", product_id=product_id, values=values)
        # This gateway process drops its copies now; the others keep theirs SHARED_ITEM_SECONDS at most.
        forget_shared_items("catalog", "get_products")
        return ProductPayload(product_space=space)


class CreateProductVersionInput(graphene.InputObjectType):
    """Fields of a new product version."""

    product_id = graphene.ID(required=True, description="Global id of the product.")
    name = graphene.String(required=True, description="Version number, unique for the product.")
    release_date = graphene.Date(description="Day the version was released.")
    supported = graphene.Boolean(description="Whether the vendor maintains it; true by default.")


class ProductVersionPayload(graphene.ObjectType):
    """Result of a version mutation."""

    version = graphene.Field(ProductVersion, required=True, description="The version as stored.")


class CreateProductVersion(graphene.Mutation):
    """Add a released version to a product (agents)."""

    class Arguments:
        input = CreateProductVersionInput(required=True, description="The version's fields.")

    Output = ProductVersionPayload

    async def mutate(self, info: Any, input: dict[str, Any]) -> ProductVersionPayload:
        require_catalog_admin(info)
        version = await call(info, "catalog", "create_version", values=to_values(input))
        return ProductVersionPayload(version=version)


class UpdateProductVersionInput(graphene.InputObjectType):
    """A product version and the fields to change; fields left out keep their value."""

    version_id = graphene.ID(required=True, description="Global id of the version.")
    name = graphene.String(description="New version number, unique for the product; unchanged when left out.")
    release_date = graphene.Date(description="New release day; unchanged when left out.")
    clear_release_date = graphene.Boolean(description="True to remove the release day.")
    supported = graphene.Boolean(description="Whether the vendor still maintains it; unchanged when left out.")


class UpdateProductVersion(graphene.Mutation):
    """Change a version's number, release day or support (agents)."""

    class Arguments:
        input = UpdateProductVersionInput(required=True, description="The version and the fields to change.")

    Output = ProductVersionPayload

    async def mutate(self, info: Any, input: dict[str, Any]) -> ProductVersionPayload:
        require_catalog_admin(info)
        version_id = decode_global_id(input["version_id"], "ProductVersion", "versionId")
        values = to_values({key: value for key, value in input.items()
                            if key not in ("version_id", "clear_release_date")})
        if input.get("clear_release_date"):
            values["release_date"] = ""
        version = await call(info, "catalog", "update_version", version_id=version_id, values=values)
        return ProductVersionPayload(version=version)


class CreateFaqEntryInput(graphene.InputObjectType):
    """Fields of a new FAQ entry."""

    product_id = graphene.ID(required=True, description="Global id of the product whose space gets the entry.")
    category = graphene.String(required=True, description="Category, at most 120 characters.")
    question = graphene.String(required=True, description="The question, at most 300 characters.")
    answer_markdown = graphene.String(required=True, description="The answer, in Markdown.")
    position = graphene.Int(description="Order inside the category; 0 by default.")


class UpdateFaqEntryInput(graphene.InputObjectType):
    """An FAQ entry and the fields to change; fields left out keep their value."""

    faq_entry_id = graphene.ID(required=True, description="Global id of the entry.")
    category = graphene.String(description="New category; unchanged when left out.")
    question = graphene.String(description="New question; unchanged when left out.")
    answer_markdown = graphene.String(description="New answer; unchanged when left out.")
    position = graphene.Int(description="New position; unchanged when left out.")


class FaqEntryPayload(graphene.ObjectType):
    """Result of an FAQ entry mutation."""

    faq_entry = graphene.Field(FaqEntry, required=True, description="The entry as stored.")


class CreateFaqEntry(graphene.Mutation):
    """Add a question and its answer to a product space (agents)."""

    class Arguments:
        input = CreateFaqEntryInput(required=True, description="The entry's fields.")

    Output = FaqEntryPayload

    async def mutate(self, info: Any, input: dict[str, Any]) -> FaqEntryPayload:
        require_catalog_admin(info)
        entry = await call(info, "catalog", "create_faq_entry", values=to_values(input))
        return FaqEntryPayload(faq_entry=entry)


class UpdateFaqEntry(graphene.Mutation):
    """Change an FAQ entry (agents)."""

    class Arguments:
        input = UpdateFaqEntryInput(required=True, description="The entry and the fields to change.")

    Output = FaqEntryPayload

    async def mutate(self, info: Any, input: dict[str, Any]) -> FaqEntryPayload:
        require_catalog_admin(info)
        entry_id = decode_global_id(input["faq_entry_id"], "FaqEntry", "faqEntryId")
        values = to_values({key: value for key, value in input.items() if key != "faq_entry_id"})
        entry = await call(info, "catalog", "update_faq_entry", entry_id=entry_id, values=values)
        return FaqEntryPayload(faq_entry=entry)


class DeleteFaqEntryInput(graphene.InputObjectType):
    """The FAQ entry to delete."""

    faq_entry_id = graphene.ID(required=True, description="Global id of the entry.")


class DeleteFaqEntryPayload(graphene.ObjectType):
    """Result of an FAQ entry deletion."""

    deleted_faq_entry_id = graphene.ID(required=True, description="Global id of the entry deleted.")


class DeleteFaqEntry(graphene.Mutation):
    """Delete an FAQ entry (agents)."""

    class Arguments:
        input = DeleteFaqEntryInput(required=True, description="The entry to delete.")

    Output = DeleteFaqEntryPayload

    async def mutate(self, info: Any, input: dict[str, Any]) -> DeleteFaqEntryPayload:
        require_catalog_admin(info)
        entry_id = decode_global_id(input["faq_entry_id"], "FaqEntry", "faqEntryId")
        await call(info, "catalog", "delete_faq_entry", entry_id=entry_id)
        return DeleteFaqEntryPayload(deleted_faq_entry_id=input["faq_entry_id"])


class CreateSiteInput(graphene.InputObjectType):
    """Fields of a new site."""

    organisation_id = graphene.ID(required=True, description="Global id of the organisation.")
    name = graphene.String(required=True, description="Site name, at most 120 characters.")
    address = graphene.String(description="Street address.")
    postal_code = graphene.String(description="Postal code.")
    city = graphene.String(description="City.")


class UpdateSiteInput(graphene.InputObjectType):
    """A site and the fields to change; fields left out keep their value."""

    site_id = graphene.ID(required=True, description="Global id of the site.")
    name = graphene.String(description="New name; unchanged when left out.")
    address = graphene.String(description="New street address; unchanged when left out.")
    postal_code = graphene.String(description="New postal code; unchanged when left out.")
    city = graphene.String(description="New city; unchanged when left out.")


class SitePayload(graphene.ObjectType):
    """Result of a site mutation."""

    site = graphene.Field(Site, required=True, description="The site as stored.")


class CreateSite(graphene.Mutation):
    """Add a site to a customer organisation (agents)."""

    class Arguments:
        input = CreateSiteInput(required=True, description="The site's fields.")

    Output = SitePayload

    async def mutate(self, info: Any, input: dict[str, Any]) -> SitePayload:
        require_catalog_admin(info)
        return SitePayload(site=await call(info, "catalog", "create_site", values=to_values(input)))


class UpdateSite(graphene.Mutation):
    """Change a site's name or address (agents)."""

    class Arguments:
        input = UpdateSiteInput(required=True, description="The site and the fields to change.")

    Output = SitePayload

    async def mutate(self, info: Any, input: dict[str, Any]) -> SitePayload:
        require_catalog_admin(info)
        site_id = decode_global_id(input["site_id"], "Site", "siteId")
        values = to_values({key: value for key, value in input.items() if key != "site_id"})
        return SitePayload(site=await call(info, "catalog", "update_site", site_id=site_id, values=values))


class CreateContractInput(graphene.InputObjectType):
    """Fields of a new contract."""

    number = graphene.String(required=True, description="Contract number, unique.")
    organisation_id = graphene.ID(required=True, description="Global id of the customer organisation.")
    start_date = graphene.Date(required=True, description="First day covered.")
    end_date = graphene.Date(required=True, description="Last day covered, on or after the start.")
    support_level = graphene.Field(SupportLevel, description="Support level; STANDARD by default.")
    product_ids = graphene.List(graphene.NonNull(graphene.ID), required=True, description="Products covered.")
    service_ids = graphene.List(graphene.NonNull(graphene.ID), required=True, description="Services included.")
    site_ids = graphene.List(graphene.NonNull(graphene.ID), required=True,
                             description="Sites covered, all of the contract's organisation.")


class UpdateContractInput(graphene.InputObjectType):
    """A contract and the fields to change; fields left out keep their value."""

    contract_id = graphene.ID(required=True, description="Global id of the contract.")
    number = graphene.String(description="New number; unchanged when left out.")
    start_date = graphene.Date(description="New first day; unchanged when left out.")
    end_date = graphene.Date(description="New last day; unchanged when left out.")
    support_level = graphene.Field(SupportLevel, description="New support level; unchanged when left out.")
    product_ids = graphene.List(graphene.NonNull(graphene.ID), description="Products covered, replacing all.")
    service_ids = graphene.List(graphene.NonNull(graphene.ID), description="Services included, replacing all.")
    site_ids = graphene.List(graphene.NonNull(graphene.ID), description="Sites covered, replacing all.")


class ContractPayload(graphene.ObjectType):
    """Result of a contract mutation."""

    contract = graphene.Field(Contract, required=True, description="The contract as stored.")


class CreateContract(graphene.Mutation):
    """Record a customer contract; publishes `contract_changed` (agents)."""

    class Arguments:
        input = CreateContractInput(required=True, description="The contract's fields.")

    Output = ContractPayload

    async def mutate(self, info: Any, input: dict[str, Any]) -> ContractPayload:
        require_catalog_admin(info)
        return ContractPayload(contract=await call(info, "catalog", "create_contract", values=to_values(input)))


class UpdateContract(graphene.Mutation):
    """Change a contract's period, level or coverage; publishes `contract_changed` (agents)."""

    class Arguments:
        input = UpdateContractInput(required=True, description="The contract and the fields to change.")

    Output = ContractPayload

    async def mutate(self, info: Any, input: dict[str, Any]) -> ContractPayload:
        require_catalog_admin(info)
        contract_id = decode_global_id(input["contract_id"], "Contract", "contractId")
        values = to_values({key: value for key, value in input.items() if key != "contract_id"})
        contract = await call(info, "catalog", "update_contract", contract_id=contract_id, values=values)
        return ContractPayload(contract=contract)


class CatalogMutation(graphene.ObjectType):
    create_product = CreateProduct.Field(description="Add a product to the catalogue (agents).")
    update_product = UpdateProduct.Field(description="Change a product (agents).")
    create_product_version = CreateProductVersion.Field(description="Add a version to a product (agents).")
    update_product_version = UpdateProductVersion.Field(description="Change a product version (agents).")
    create_faq_entry = CreateFaqEntry.Field(description="Add an FAQ entry to a product space (agents).")
    update_faq_entry = UpdateFaqEntry.Field(description="Change an FAQ entry (agents).")
    delete_faq_entry = DeleteFaqEntry.Field(description="Delete an FAQ entry (agents).")
    create_site = CreateSite.Field(description="Add a site to an organisation (agents).")
    update_site = UpdateSite.Field(description="Change a site (agents).")
    create_contract = CreateContract.Field(description="Record a customer contract (agents).")
    update_contract = UpdateContract.Field(description="Change a customer contract (agents).")

"""GraphQL plugin of the catalog service."""
from gateway.plugins import GraphQLPlugin
from services.catalog.graphql.mutations import CatalogMutation
from services.catalog.graphql.queries import CatalogQuery
from services.catalog.graphql.types import (
    Contract, FaqEntry, Product, ProductSpace, ProductVersion, Service, Site,
)

plugin = GraphQLPlugin(
    name="catalog", query=CatalogQuery, mutation=CatalogMutation, rpc_service="catalog",
    types=[Product, ProductSpace, ProductVersion, FaqEntry, Service, Site, Contract],
)

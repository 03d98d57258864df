"""GraphQL types, queries and mutations of the catalog service."""
from gateway.plugins import GraphQLPlugin

plugin = GraphQLPlugin(name="catalog", rpc_service="catalog")

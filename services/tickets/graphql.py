"""GraphQL types, queries and mutations of the tickets service."""
from gateway.plugins import GraphQLPlugin

plugin = GraphQLPlugin(name="tickets", rpc_service="tickets")

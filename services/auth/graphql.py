"""GraphQL types, queries and mutations of the auth service."""
from gateway.plugins import GraphQLPlugin

plugin = GraphQLPlugin(name="auth", rpc_service="auth")

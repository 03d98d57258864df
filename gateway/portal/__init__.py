"""The customer portal: server-rendered pages, French first, built on the GraphQL schema.

Pages never reach the services directly: each one runs GraphQL operations in-process through the
same authentication, authorisation and error handling as `POST /graphql`.
"""

"""GraphQL entry points that list the people a ticket can name: colleagues and support agents.

The administration list (`users`) is for managers and admins. Every customer, however, names a
requester and followers when recording a ticket, so they need the names of their organisation's
active accounts, and nothing more: `colleagues` gives exactly that, for their organisation only.
Agents assign tickets to one another, so they need the list of active agents: `supportAgents`.
"""
from __future__ import annotations

from typing import Any

import graphene

from gateway.connections import decode_global_id
from gateway.context import authorize, call
from gateway.errors import GatewayError
from services.auth.graphql_types import User
from services.common.errors import ValidationFailed, field_error, text

CUSTOMER_ROLES = ["customer", "customer_manager"]
ORGANISATION_REQUIRED = text("Indiquez l'organisation dont vous voulez les comptes.",
                             "Give the organisation whose accounts you want.")


class DirectoryQuery(graphene.ObjectType):
    colleagues = graphene.List(
        graphene.NonNull(User), required=True,
        organisation_id=graphene.ID(description="Staff only, and required for them: the customer organisation."),
        description="Active customer accounts of the caller's organisation (staff: of `organisationId`), by "
                    "e-mail: the people who may be named requester or follower of a ticket.")
    support_agents = graphene.List(
        graphene.NonNull(User), required=True,
        description="Active agents and admins by name, to assign tickets to (agents and admins only).")

    async def resolve_colleagues(self, info: Any, organisation_id: str | None = None) -> list[dict[str, Any]]:
        caller = authorize(info, scope="tickets:read")
        if caller.is_agent:
            if not organisation_id:
                raise GatewayError.of(ValidationFailed, ORGANISATION_REQUIRED, [field_error(
                    "organisationId", "REQUIRED", ORGANISATION_REQUIRED["fr"], ORGANISATION_REQUIRED["en"])])
            organisation_ids = [decode_global_id(organisation_id, "Organisation", "organisationId")]
        else:
            # The auth service limits a customer's call to their own organisation anyway, so this
            # line only makes the rule visible here.
            organisation_ids = [caller.organisation_id]
        return await call(info, "auth", "list_users", organisation_ids=organisation_ids, roles=CUSTOMER_ROLES)

    async def resolve_support_agents(self, info: Any) -> list[dict[str, Any]]:
        authorize(info, agent=True)
        return await call(info, "auth", "list_agents")

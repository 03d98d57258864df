"""GraphQL entry points of organisation administration: list, create and rename."""
from __future__ import annotations

from typing import Any

import graphene

from gateway.connections import connection_from_page, decode_global_id
from gateway.context import authorize, call
from services.auth.graphql_types import Organisation, OrganisationConnection, OrganisationKind


class OrganisationQuery(graphene.ObjectType):
    organisations = graphene.ConnectionField(
        OrganisationConnection,
        search=graphene.String(description="Part of the name, in any case."),
        kind=graphene.Argument(OrganisationKind, description="Only customers or only the vendor."),
        description="Organisations by name with their number of accounts: every one for staff, the caller's "
                    "own for anyone else.")

    async def resolve_organisations(self, info: Any, first: int | None = None, after: str | None = None,
                                    search: str | None = None, kind: Any = None, **_: Any) -> Any:
        authorize(info)
        filters = {"search": search, "kind": getattr(kind, "value", kind)}
        page = await call(info, "auth", "list_organisations", filters=filters, first=first, after=after)
        return connection_from_page(OrganisationConnection, page)


class OrganisationPayload(graphene.ObjectType):
    organisation = graphene.Field(Organisation, required=True, description="The organisation as it is now.")


class CreateOrganisationInput(graphene.InputObjectType):
    name = graphene.String(required=True, description="Official name, unique regardless of case (200 characters "
                                                      "at most).")


class CreateOrganisation(graphene.Mutation):
    """Create a customer organisation (admins only). A name already used, in any case, is rejected as `TAKEN`."""

    class Arguments:
        input = CreateOrganisationInput(required=True, description="The organisation to create.")

    Output = OrganisationPayload

    async def mutate(self, info: Any, input: dict[str, Any]) -> OrganisationPayload:
        authorize(info, admin=True, scope="admin")
        organisation = await call(info, "auth", "create_organisation", values={"name": input["name"]})
        return OrganisationPayload(organisation=organisation)


class UpdateOrganisationInput(graphene.InputObjectType):
    organisation_id = graphene.ID(required=True, description="Global id of the organisation.")
    name = graphene.String(description="New official name; the security audit log keeps the previous one.")


class UpdateOrganisation(graphene.Mutation):
    """Rename an organisation (admins only); fields left out keep their value."""

    class Arguments:
        input = UpdateOrganisationInput(required=True, description="The organisation and its new details.")

    Output = OrganisationPayload

    async def mutate(self, info: Any, input: dict[str, Any]) -> OrganisationPayload:
        authorize(info, admin=True, scope="admin")
        organisation_id = decode_global_id(input["organisation_id"], "Organisation", "organisationId")
        organisation = await call(info, "auth", "update_organisation", organisation_id=organisation_id,
                                  values={"name": input.get("name")})
        return OrganisationPayload(organisation=organisation)


class OrganisationMutation(graphene.ObjectType):
    create_organisation = CreateOrganisation.Field()
    update_organisation = UpdateOrganisation.Field()

"""GraphQL entry points of user administration and of one's own profile."""
from __future__ import annotations

from typing import Any

import graphene

from gateway.connections import connection_from_page, decode_global_id
from gateway.context import authorize, call
from services.auth.graphql_types import User, UserConnection, UserRole


def product_space_values(input: dict[str, Any]) -> dict[str, Any]:
    """Translate `allProductSpaces`/`productSpaceIds` into the service's `product_space_ids` (None: all)."""
    if input.get("all_product_spaces"):
        return {"product_space_ids": None}
    if input.get("product_space_ids") is not None:
        return {"product_space_ids": [decode_global_id(item, "ProductSpace", "productSpaceIds")
                                      for item in input["product_space_ids"]]}
    return {}


class AdminQuery(graphene.ObjectType):
    users = graphene.ConnectionField(
        UserConnection,
        organisation_id=graphene.ID(description="Staff only: accounts of this organisation."),
        search=graphene.String(description="Part of the e-mail, first or last name."),
        active=graphene.Boolean(description="Only enabled (true) or disabled (false) accounts."),
        roles=graphene.List(graphene.NonNull(UserRole), description="Only accounts with one of these roles."),
        description="Accounts by name: every account for staff, their organisation's for customer managers.")
    managed_user = graphene.Field(
        User, id=graphene.ID(required=True, description="Global id of the account."),
        description="An account the caller administers, with its usage rights: any account for admins, their "
                    "organisation's for customer managers. Others are NOT_FOUND.")

    async def resolve_users(self, info: Any, first: int | None = None, after: str | None = None,
                            organisation_id: str | None = None, search: str | None = None,
                            active: bool | None = None, roles: list[Any] | None = None, **_: Any) -> Any:
        authorize(info)
        filters = {
            "organisation_id": decode_global_id(organisation_id, "Organisation", "organisationId")
            if organisation_id else None,
            "search": search,
            "active": active,
            "roles": [getattr(role, "value", role) for role in roles or []],
        }
        page = await call(info, "auth", "search_users", filters=filters, first=first, after=after)
        return connection_from_page(UserConnection, page)

    async def resolve_managed_user(self, info: Any, id: str) -> dict[str, Any]:
        authorize(info, scope="admin")
        return await call(info, "auth", "get_managed_user", user_id=decode_global_id(id, "User", "id"))


class UserPayload(graphene.ObjectType):
    user = graphene.Field(User, required=True, description="The account as it is now.")


class CreateUserInput(graphene.InputObjectType):
    email = graphene.String(required=True, description="E-mail address; it receives the invitation link.")
    first_name = graphene.String(description="First name.")
    last_name = graphene.String(description="Last name.")
    phone = graphene.String(description="Phone number.")
    language = graphene.String(description="`fr` (default) or `en`.")
    role = graphene.Field(UserRole, description="Role; customer by default. Agent and admin are for admins only.")
    organisation_id = graphene.ID(description="Admins only: the organisation; customer managers create in theirs.")
    all_product_spaces = graphene.Boolean(description="See every product space of the organisation's contracts.")
    product_space_ids = graphene.List(graphene.NonNull(graphene.ID),
                                      description="Global ids of the product spaces to show otherwise.")
    support_access = graphene.Boolean(description="May use the support desk; true by default.")


class CreateUser(graphene.Mutation):
    """Create an account (admins, or customer managers in their organisation); it receives an invitation link."""

    class Arguments:
        input = CreateUserInput(required=True, description="The account to create.")

    Output = UserPayload

    async def mutate(self, info: Any, input: dict[str, Any]) -> UserPayload:
        authorize(info, scope="admin")
        values = {key: input.get(key) for key in ("email", "first_name", "last_name", "phone", "language")}
        values["role"] = getattr(input.get("role"), "value", input.get("role"))
        values["organisation_id"] = (decode_global_id(input["organisation_id"], "Organisation", "organisationId")
                                     if input.get("organisation_id") else None)
        values["support_access"] = input.get("support_access")
        values.update(product_space_values(input))
        return UserPayload(user=await call(info, "auth", "create_user", values=values))


class UpdateUserAccessInput(graphene.InputObjectType):
    user_id = graphene.ID(required=True, description="Global id of the account.")
    role = graphene.Field(UserRole, description="New role; changes are recorded in the security audit log.")
    all_product_spaces = graphene.Boolean(description="True: show every product space of the contracts.")
    product_space_ids = graphene.List(graphene.NonNull(graphene.ID),
                                      description="Global ids of the only product spaces to show.")
    support_access = graphene.Boolean(description="Whether the account may use the support desk.")


class UpdateUserAccess(graphene.Mutation):
    """Change an account's role and usage rights; fields left out keep their value."""

    class Arguments:
        input = UpdateUserAccessInput(required=True, description="The account and its new rights.")

    Output = UserPayload

    async def mutate(self, info: Any, input: dict[str, Any]) -> UserPayload:
        authorize(info, scope="admin")
        user_id = decode_global_id(input["user_id"], "User", "userId")
        values: dict[str, Any] = {"support_access": input.get("support_access")}
        if input.get("role") is not None:
            values["role"] = getattr(input["role"], "value", input["role"])
        values.update(product_space_values(input))
        return UserPayload(user=await call(info, "auth", "update_user_access", user_id=user_id, values=values))


class UserIdInput(graphene.InputObjectType):
    user_id = graphene.ID(required=True, description="Global id of the account.")


class DeactivateUser(graphene.Mutation):
    """Disable an account: it can no longer sign in and its sessions end at once."""

    class Arguments:
        input = UserIdInput(required=True, description="The account to disable.")

    Output = UserPayload

    async def mutate(self, info: Any, input: dict[str, Any]) -> UserPayload:
        authorize(info, scope="admin")
        user_id = decode_global_id(input["user_id"], "User", "userId")
        return UserPayload(user=await call(info, "auth", "set_user_active", user_id=user_id, active=False))


class ReactivateUser(graphene.Mutation):
    """Enable a disabled account again."""

    class Arguments:
        input = UserIdInput(required=True, description="The account to enable.")

    Output = UserPayload

    async def mutate(self, info: Any, input: dict[str, Any]) -> UserPayload:
        authorize(info, scope="admin")
        user_id = decode_global_id(input["user_id"], "User", "userId")
        return UserPayload(user=await call(info, "auth", "set_user_active", user_id=user_id, active=True))


class ResendInvitation(graphene.Mutation):
    """Send a new invitation e-mail to an enabled account that has not set its password yet."""

    class Arguments:
        input = UserIdInput(required=True, description="The invited account.")

    Output = UserPayload

    async def mutate(self, info: Any, input: dict[str, Any]) -> UserPayload:
        authorize(info, scope="admin")
        user_id = decode_global_id(input["user_id"], "User", "userId")
        return UserPayload(user=await call(info, "auth", "resend_invitation", user_id=user_id))


class UpdateMyProfileInput(graphene.InputObjectType):
    first_name = graphene.String(description="First name.")
    last_name = graphene.String(description="Last name.")
    phone = graphene.String(description="Phone number; empty to remove it.")
    language = graphene.String(description="`fr` or `en`.")


class UpdateMyProfile(graphene.Mutation):
    """Change one's own names, phone and language."""

    class Arguments:
        input = UpdateMyProfileInput(required=True, description="The fields to change; others keep their value.")

    Output = UserPayload

    async def mutate(self, info: Any, input: dict[str, Any]) -> UserPayload:
        authorize(info)
        return UserPayload(user=await call(info, "auth", "update_my_profile", values=dict(input)))


class AdminMutation(graphene.ObjectType):
    create_user = CreateUser.Field()
    update_user_access = UpdateUserAccess.Field()
    deactivate_user = DeactivateUser.Field()
    reactivate_user = ReactivateUser.Field()
    resend_invitation = ResendInvitation.Field()
    update_my_profile = UpdateMyProfile.Field()

"""GraphQL object types of the auth service: accounts, organisations, sessions, tokens, audit entries."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import graphene
from graphene import relay
from graphql_relay import to_global_id

from gateway.context import authorize, loader


def parse_time(value: str | None) -> datetime | None:
    """Turn a service's ISO 8601 string into the datetime graphene's DateTime scalar expects."""
    return datetime.fromisoformat(value) if value else None


class UserRole(graphene.Enum):
    """Role of an account, which sets what it may do."""

    CUSTOMER = "customer"
    CUSTOMER_MANAGER = "customer_manager"
    AGENT = "agent"
    ADMIN = "admin"

    @property
    def description(self) -> str:
        return {
            UserRole.CUSTOMER: "Staff of a customer organisation: their own tickets and the portal.",
            UserRole.CUSTOMER_MANAGER: "Customer staff who see every ticket of the organisation and manage "
                                       "colleagues' access.",
            UserRole.AGENT: "Vendor support agent.",
            UserRole.ADMIN: "Vendor administrator.",
        }[self]


class OrganisationKind(graphene.Enum):
    """Whether an organisation is a customer or the vendor itself."""

    CUSTOMER = "customer"
    VENDOR = "vendor"


class Organisation(graphene.ObjectType):
    """A customer organisation (a local government, a public body) or the vendor."""

    class Meta:
        interfaces = (relay.Node,)

    name = graphene.String(required=True, description="Official name.")
    kind = graphene.Field(OrganisationKind, required=True, description="Customer or vendor.")
    user_count = graphene.Int(description="Number of accounts, enabled or not; filled in the `organisations` "
                                          "list only.")

    @classmethod
    async def get_node(cls, info: Any, organisation_id: str) -> dict[str, Any] | None:
        authorize(info)
        return await loader(info, "auth", "get_organisations").load(organisation_id)

    @classmethod
    def is_type_of(cls, root: Any, info: Any) -> bool:
        return isinstance(root, dict) and "kind" in root and "email" not in root


class User(graphene.ObjectType):
    """A person's account, valid for both the portal and the support desk."""

    class Meta:
        interfaces = (relay.Node,)

    email = graphene.String(required=True, description="E-mail address, used to sign in (lower case).")
    first_name = graphene.String(required=True, description="First name.")
    last_name = graphene.String(required=True, description="Last name.")
    display_name = graphene.String(required=True, description="First and last name, or the e-mail when both are empty.")
    phone = graphene.String(description="Phone number as typed.")
    language = graphene.String(required=True, description="Preferred language: `fr` or `en`.")
    role = graphene.Field(UserRole, required=True, description="What the account may do.")
    is_active = graphene.Boolean(required=True, description="False once the account is disabled.")
    organisation = graphene.Field(Organisation, description="The organisation the account belongs to.")
    usage_rights = graphene.Field(lambda: UsageRights,
                                  description="Product spaces and support right; filled in `users` and `managedUser` "
                                              "only.")
    has_password = graphene.Boolean(description="False while an invited account has not set its password; filled "
                                                "in `users` and `managedUser` only.")
    second_factor_enabled = graphene.Boolean(description="Whether the account signs in with a second factor; filled "
                                                         "in `managedUser` only.")

    @classmethod
    async def get_node(cls, info: Any, user_id: str) -> dict[str, Any] | None:
        authorize(info)
        return await loader(info, "auth", "get_users").load(user_id)

    @classmethod
    def is_type_of(cls, root: Any, info: Any) -> bool:
        return isinstance(root, dict) and "email" in root and "display_name" in root

    async def resolve_organisation(root: dict[str, Any], info: Any) -> dict[str, Any] | None:
        return await loader(info, "auth", "get_organisations").load(root["organisation_id"])


class OrganisationConnection(relay.Connection):
    class Meta:
        node = Organisation

    total_count = graphene.Int(required=True, description="Number of organisations across all pages.")


class UserConnection(relay.Connection):
    class Meta:
        node = User

    total_count = graphene.Int(required=True, description="Number of accounts across all pages.")


class UsageRights(graphene.ObjectType):
    """Usage rights of an account, as set by its organisation's manager."""

    all_product_spaces = graphene.Boolean(
        required=True, description="True when every product space of the organisation's contracts is visible.")
    product_space_ids = graphene.List(
        graphene.NonNull(graphene.ID), required=True,
        description="Global ids (`ProductSpace`) of the visible product spaces when `allProductSpaces` is false.")
    support_access = graphene.Boolean(required=True, description="Whether the account may use the support desk.")

    def resolve_all_product_spaces(root: dict[str, Any], info: Any) -> bool:
        return root["product_space_ids"] is None

    def resolve_product_space_ids(root: dict[str, Any], info: Any) -> list[str]:
        return [to_global_id("ProductSpace", product_id) for product_id in root["product_space_ids"] or []]


class SupportState(graphene.Enum):
    """Whether the account can open support tickets now."""

    ENABLED = "enabled"
    DISABLED = "disabled"
    UNKNOWN = "unknown"


class SupportBlockerCode(graphene.Enum):
    """Reason code for a support desk closed to the account."""

    NO_USER_RIGHT = "NO_USER_RIGHT"
    NO_CONTRACT = "NO_CONTRACT"
    CONTRACT_EXPIRED = "CONTRACT_EXPIRED"
    NO_ASSISTANCE = "NO_ASSISTANCE"
    UNKNOWN = "UNKNOWN"


class SupportBlocker(graphene.ObjectType):
    """One reason why support is off."""

    code = graphene.Field(SupportBlockerCode, required=True, description="Stable reason code.")
    message = graphene.String(required=True, description="The reason, in the caller's language.")


class SupportStatus(graphene.ObjectType):
    """Access to the support desk: it needs both the user's right and an active assistance contract."""

    state = graphene.Field(SupportState, required=True, description="Enabled, disabled, or unknown when the "
                                                                    "contracts cannot be checked now.")
    blockers = graphene.List(graphene.NonNull(SupportBlocker), required=True,
                             description="Every missing condition; empty when support is enabled.")


class Viewer(graphene.ObjectType):
    """The signed-in account and what it may use."""

    user = graphene.Field(User, required=True, description="The account's profile.")
    organisation = graphene.Field(Organisation, required=True, description="The account's organisation.")
    role = graphene.Field(UserRole, required=True, description="What the account may do.")
    must_change_password = graphene.Boolean(
        required=True, description="When true, only `me`, `changePassword` and `logout` are allowed.")
    second_factor_enabled = graphene.Boolean(
        required=True, description="Whether sign-in asks for a TOTP code (or a recovery code) after the password.")
    second_factor_enabled_at = graphene.DateTime(description="When the second factor was enabled; empty when off.")
    recovery_codes_left = graphene.Int(required=True, description="Unused recovery codes; 0 when the second "
                                                                  "factor is off.")
    must_enrol_second_factor = graphene.Boolean(
        required=True, description="When true (staff while admins require a second factor), only `me`, `logout` "
                                   "and the enrolment mutations are allowed until `confirmSecondFactorEnrolment` "
                                   "succeeds.")
    usage_rights = graphene.Field(UsageRights, required=True, description="Product spaces and support desk right.")
    support = graphene.Field(SupportStatus, required=True, description="Whether support is on, and why not.")

    def resolve_user(root: dict[str, Any], info: Any) -> dict[str, Any]:
        return root

    def resolve_second_factor_enabled_at(root: dict[str, Any], info: Any) -> datetime | None:
        return parse_time(root.get("second_factor_enabled_at"))


class UserSession(graphene.ObjectType):
    """A browser signed in to the account."""

    class Meta:
        interfaces = (relay.Node,)

    created_at = graphene.DateTime(required=True, description="When the person signed in.")
    last_seen_at = graphene.DateTime(required=True, description="Last request, to the minute.")
    expires_at = graphene.DateTime(description="End of a remembered session; empty for a browser session, "
                                               "which ends after 12 hours without a request.")
    remember_me = graphene.Boolean(required=True, description="Whether « Se souvenir de moi » was ticked.")
    client_ip = graphene.String(description="Address the session was opened from.")
    user_agent = graphene.String(description="Browser that opened the session.")
    current = graphene.Boolean(required=True, description="True for the session making this request.")

    @classmethod
    def get_node(cls, info: Any, session_id: str) -> None:
        # Sessions are listed through `mySessions` only.
        return None

    def resolve_created_at(root: dict[str, Any], info: Any) -> datetime | None:
        return parse_time(root["created_at"])

    def resolve_last_seen_at(root: dict[str, Any], info: Any) -> datetime | None:
        return parse_time(root["last_seen_at"])

    def resolve_expires_at(root: dict[str, Any], info: Any) -> datetime | None:
        return parse_time(root["expires_at"])


class ApiScope(graphene.Enum):
    """Permission granted to an API token."""

    TICKETS_READ = "tickets:read"
    TICKETS_WRITE = "tickets:write"
    NEWS_READ = "news:read"
    CATALOG_READ = "catalog:read"
    ADMIN = "admin"


class ApiToken(graphene.ObjectType):
    """A token a third-party system sends as `Authorization: Bearer`; its secret is never shown again."""

    class Meta:
        interfaces = (relay.Node,)

    name = graphene.String(required=True, description="What the token is for.")
    prefix = graphene.String(required=True, description="First characters of the secret, to recognise it.")
    user = graphene.Field(User, description="The account the token acts as.")
    scopes = graphene.List(graphene.NonNull(ApiScope), required=True, description="What the token may do.")
    created_at = graphene.DateTime(required=True, description="Creation time.")
    expires_at = graphene.DateTime(description="When it stops working; never when empty.")
    last_used_at = graphene.DateTime(description="Last request made with it.")
    revoked_at = graphene.DateTime(description="When it was revoked, if it was.")

    @classmethod
    def get_node(cls, info: Any, token_id: str) -> None:
        # Tokens are listed through `apiTokens` only.
        return None

    async def resolve_user(root: dict[str, Any], info: Any) -> dict[str, Any] | None:
        return await loader(info, "auth", "get_users").load(root["user_id"])

    def resolve_created_at(root: dict[str, Any], info: Any) -> datetime | None:
        return parse_time(root["created_at"])

    def resolve_expires_at(root: dict[str, Any], info: Any) -> datetime | None:
        return parse_time(root["expires_at"])

    def resolve_last_used_at(root: dict[str, Any], info: Any) -> datetime | None:
        return parse_time(root["last_used_at"])

    def resolve_revoked_at(root: dict[str, Any], info: Any) -> datetime | None:
        return parse_time(root["revoked_at"])


class AuditAction(graphene.Enum):
    """Kinds of security events."""

    LOGIN_SUCCEEDED = "login_succeeded"
    LOGIN_FAILED = "login_failed"
    LOGIN_THROTTLED = "login_throttled"
    LOGOUT = "logout"
    PASSWORD_CHANGED = "password_changed"
    PASSWORD_RESET_REQUESTED = "password_reset_requested"
    PASSWORD_RESET_COMPLETED = "password_reset_completed"
    SESSION_REVOKED = "session_revoked"
    TOKEN_CREATED = "token_created"
    TOKEN_USED = "token_used"
    TOKEN_REVOKED = "token_revoked"
    USER_CREATED = "user_created"
    ROLE_CHANGED = "role_changed"
    SECOND_FACTOR_ENABLED = "second_factor_enabled"
    SECOND_FACTOR_DISABLED = "second_factor_disabled"
    SECOND_FACTOR_FAILED = "second_factor_failed"
    SECOND_FACTOR_RESET = "second_factor_reset"
    RECOVERY_CODE_USED = "recovery_code_used"
    RECOVERY_CODES_REGENERATED = "recovery_codes_regenerated"
    SECURITY_SETTING_CHANGED = "security_setting_changed"
    USER_DEACTIVATED = "user_deactivated"
    USER_REACTIVATED = "user_reactivated"
    INVITATION_RESENT = "invitation_resent"
    ORGANISATION_CREATED = "organisation_created"
    ORGANISATION_RENAMED = "organisation_renamed"
    ACCOUNTS_IMPORTED = "accounts_imported"


class AuditEntry(graphene.ObjectType):
    """One security event."""

    occurred_at = graphene.DateTime(required=True, description="When it happened.")
    action = graphene.Field(AuditAction, required=True, description="What happened.")
    user = graphene.Field(User, description="The account concerned, when one is known.")
    actor = graphene.Field(User, description="Who caused it, when not the account itself.")
    email = graphene.String(description="E-mail typed at a sign-in or reset request.")
    client_ip = graphene.String(description="Client address.")
    details = graphene.JSONString(required=True, description="Further facts, such as the token or session id.")

    def resolve_occurred_at(root: dict[str, Any], info: Any) -> datetime | None:
        return parse_time(root["occurred_at"])

    async def resolve_user(root: dict[str, Any], info: Any) -> dict[str, Any] | None:
        if not root["user_id"]:
            return None
        return await loader(info, "auth", "get_users").load(root["user_id"])

    async def resolve_actor(root: dict[str, Any], info: Any) -> dict[str, Any] | None:
        if not root["actor_id"]:
            return None
        return await loader(info, "auth", "get_users").load(root["actor_id"])


class AuditEntryConnection(relay.Connection):
    class Meta:
        node = AuditEntry

    total_count = graphene.Int(required=True, description="Number of entries across all pages.")


class PasswordRule(graphene.ObjectType):
    """One rule of the password policy."""

    code = graphene.String(required=True, description="Stable code, the same as in validation errors.")
    message = graphene.String(required=True, description="The rule, in the caller's language.")
    met = graphene.Boolean(description="Whether the given password meets it; empty when none was given.")


class SecuritySettings(graphene.ObjectType):
    """Platform-wide security settings, changed by admins."""

    second_factor_required_for_staff = graphene.Boolean(
        required=True, description="When true, agents and admins without a second factor may only enrol one "
                                   "after signing in. Customers are never required to.")
    updated_at = graphene.DateTime(description="Last change; empty while the defaults apply.")
    updated_by = graphene.Field(User, description="The admin who made the last change.")

    def resolve_updated_at(root: dict[str, Any], info: Any) -> datetime | None:
        return parse_time(root.get("updated_at"))

    async def resolve_updated_by(root: dict[str, Any], info: Any) -> dict[str, Any] | None:
        if not root.get("updated_by_id"):
            return None
        return await loader(info, "auth", "get_users").load(root["updated_by_id"])

"""GraphQL plugin of the auth service: the types and the entry points people and systems use.

Object types are in `graphql_types` and administration in `graphql_admin`. This module contains the
other queries and mutations.
"""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import graphene

from gateway.app import SESSION_COOKIE, cross_site_rejection
from gateway.connections import connection_from_page, decode_global_id
from gateway.context import CookieChange, authorize, call, request_context
from gateway.errors import GatewayError, pick
from gateway.plugins import GraphQLPlugin
from gateway.rpc import RpcError
from services.auth.graphql_admin import AdminMutation, AdminQuery
from services.auth.graphql_directory import DirectoryQuery
from services.auth.graphql_second_factor import SecondFactorMutation, SecondFactorQuery
from services.auth.graphql_import import ImportMutation
from services.auth.graphql_organisations import OrganisationMutation, OrganisationQuery
from services.auth.graphql_types import (ApiScope, ApiToken, AuditAction, AuditEntryConnection, Organisation,
                                         PasswordRule, SupportBlocker, SupportBlockerCode, SupportState,
                                         SupportStatus, User, UserSession, Viewer, UsageRights)
from services.auth.policy import RULES, unmet_rules
from services.common.errors import Forbidden, RateLimited, text

logger = logging.getLogger(__name__)

NO_USER_RIGHT_MESSAGE = text(
    "Votre compte n'a pas accès au support : demandez-le au gestionnaire de votre organisation.",
    "Your account has no access to the support desk: ask your organisation's manager for it.")
SUPPORT_UNKNOWN_MESSAGE = text(
    "L'accès au support ne peut pas être vérifié pour le moment ; réessayez dans quelques instants.",
    "Support access cannot be checked right now; try again shortly.")


def client_address(info: Any) -> str | None:
    # uvicorn has already replaced a trusted proxy's address with X-Forwarded-For (FORWARDED_ALLOW_IPS).
    client = request_context(info).request.client
    return client.host if client else None


def count_operation(info: Any, operation: str) -> None:
    """Allow one `operation` per request, so that aliases cannot multiply sign-in, code or reset attempts."""
    context = request_context(info)
    count = context.counted_operations.get(operation, 0)
    context.counted_operations[operation] = count + 1
    if count >= 1:
        raise GatewayError.of(RateLimited, text(
            "Une seule tentative par requête : envoyez les autres séparément.",
            "Only one attempt per request: send the others separately."))


def reject_cross_site(info: Any) -> None:
    """Refuse a sign-in posted from another site, which could sign a victim into the attacker's account."""
    context = request_context(info)
    reason = None if context.csrf_verified else cross_site_rejection(context.request)
    if reason:
        raise GatewayError.of(Forbidden, text(f"Requête refusée : {reason['fr']}.", f"Request rejected: {reason['en']}."))


async def support_status(info: Any, profile: dict[str, Any]) -> dict[str, Any]:
    """Combine the user's own right to the support desk with the organisation's contract entitlement."""
    language = request_context(info).language
    blockers = []
    if not profile["usage_rights"]["support_access"]:
        blockers.append({"code": SupportBlockerCode.NO_USER_RIGHT.value,
                         "message": pick(NO_USER_RIGHT_MESSAGE, language)})
    if profile["role"] in ("agent", "admin"):
        return {"state": SupportState.ENABLED.value, "blockers": blockers}

    try:
        entitlements = await call(info, "catalog", "get_entitlements", organisation_id=profile["organisation_id"])
    except RpcError as exc:
        logger.warning("entitlements of organisation %s unavailable: %s", profile["organisation_id"], exc)
        blockers.append({"code": SupportBlockerCode.UNKNOWN.value, "message": pick(SUPPORT_UNKNOWN_MESSAGE, language)})
        return {"state": SupportState.UNKNOWN.value, "blockers": blockers}

    if not entitlements.get("support_enabled"):
        blockers.append({"code": entitlements.get("reason_code") or SupportBlockerCode.NO_CONTRACT.value,
                         "message": pick(entitlements.get("reason") or "", language)})
    state = SupportState.DISABLED if blockers else SupportState.ENABLED
    return {"state": state.value, "blockers": blockers}


class AuthQuery(AdminQuery, DirectoryQuery, SecondFactorQuery, OrganisationQuery, graphene.ObjectType):
    me = graphene.Field(Viewer, required=True,
                        description="The signed-in account: profile, organisation, role, usage rights and "
                                    "support access. Available while a password change or a second-factor "
                                    "enrolment is required.")
    my_sessions = graphene.List(graphene.NonNull(UserSession), required=True,
                                description="The caller's open sessions, most recently used first.")
    api_tokens = graphene.List(
        graphene.NonNull(ApiToken), required=True,
        organisation_id=graphene.ID(description="Admins only: restrict to this organisation's tokens."),
        description="API tokens the caller manages: all for admins, their organisation's for customer managers.")
    security_audit_log = graphene.ConnectionField(
        AuditEntryConnection,
        user_id=graphene.ID(description="Only entries about this user."),
        actions=graphene.List(graphene.NonNull(AuditAction), description="Only entries of these actions."),
        email=graphene.String(description="Part of an e-mail: the one typed at a sign-in, or the e-mail of the "
                                          "account concerned or of the person who acted."),
        occurred_after=graphene.DateTime(description="Only entries at or after this instant."),
        occurred_before=graphene.DateTime(description="Only entries before this instant."),
        description="Security events, newest first (admins only).")
    password_rules = graphene.List(
        graphene.NonNull(PasswordRule), required=True,
        password=graphene.String(description="A candidate password. Each rule then reports whether it is met."),
        email=graphene.String(description="The account's e-mail, for the rule about its local part."),
        description="The password policy, for forms that check a password while it is typed.")

    async def resolve_me(self, info: Any) -> dict[str, Any]:
        authorize(info, allow_password_change=True, allow_second_factor_enrolment=True)
        profile = await call(info, "auth", "get_me")
        profile["support"] = await support_status(info, profile)
        return profile

    async def resolve_my_sessions(self, info: Any) -> list[dict[str, Any]]:
        authorize(info)
        return await call(info, "auth", "list_sessions", current_token=request_context(info).session_token)

    async def resolve_api_tokens(self, info: Any, organisation_id: str | None = None) -> list[dict[str, Any]]:
        authorize(info)
        raw_id = decode_global_id(organisation_id, "Organisation", "organisationId") if organisation_id else None
        return await call(info, "auth", "list_api_tokens", organisation_id=raw_id)

    async def resolve_security_audit_log(self, info: Any, first: int | None = None, after: str | None = None,
                                         user_id: str | None = None, actions: list[Any] | None = None,
                                         email: str | None = None, occurred_after: datetime | None = None,
                                         occurred_before: datetime | None = None, **_: Any) -> Any:
        authorize(info, admin=True, scope="admin")
        filters = {
            "user_id": decode_global_id(user_id, "User", "userId") if user_id else None,
            "actions": [getattr(action, "value", action) for action in actions or []],
            "email": email,
            "occurred_after": occurred_after.isoformat() if occurred_after else None,
            "occurred_before": occurred_before.isoformat() if occurred_before else None,
        }
        page = await call(info, "auth", "list_audit_entries", filters=filters, first=first, after=after)
        return connection_from_page(AuditEntryConnection, page)

    def resolve_password_rules(self, info: Any, password: str | None = None,
                               email: str | None = None) -> list[dict[str, Any]]:
        language = request_context(info).language
        unmet = {rule.code for rule in unmet_rules(password, email)} if password is not None else set()
        return [{"code": rule.code, "message": pick(rule.message, language),
                 "met": None if password is None else rule.code not in unmet} for rule in RULES.values()]


class LoginInput(graphene.InputObjectType):
    email = graphene.String(required=True, description="The account's e-mail address, in any case.")
    password = graphene.String(required=True, description="The account's password.")
    remember_me = graphene.Boolean(description="Keep the session for 30 days instead of until the browser "
                                               "closes (« Se souvenir de moi »).")


class LoginPayload(graphene.ObjectType):
    user = graphene.Field(User, required=True, description="The account whose password matched; signed in "
                                                            "unless `secondFactorRequired` is true.")
    must_change_password = graphene.Boolean(
        required=True, description="When true, every other operation is rejected until `changePassword` succeeds.")
    second_factor_required = graphene.Boolean(
        required=True, description="When true, no session was opened: send `secondFactorChallenge` with a code "
                                   "to `verifySecondFactor`.")
    second_factor_challenge = graphene.String(
        description="Single-use token of the second step, valid 5 minutes; empty when no second factor is needed.")
    second_factor_challenge_expires_at = graphene.DateTime(description="When `secondFactorChallenge` expires.")
    must_enrol_second_factor = graphene.Boolean(
        required=True, description="When true, only the enrolment mutations, `me` and `logout` are allowed until "
                                   "`confirmSecondFactorEnrolment` succeeds.")


async def start_browser_session(info: Any, result: dict[str, Any]) -> LoginPayload:
    """Set the cookie of a session opened by the auth service and return the sign-in payload.

    Without a session (a second factor is pending), the cookie and any current session stay as they are.
    """
    context = request_context(info)
    if result["session_token"]:
        if context.session_token:
            # The browser's previous session is replaced, never left open behind the new one.
            await context.rpc.call("auth", "logout", context=context.rpc_context(), token=context.session_token)
        context.cookie_changes.append(CookieChange(SESSION_COOKIE, result["session_token"], result["max_age"]))
    expires_at = result.get("second_factor_challenge_expires_at")
    return LoginPayload(user=result["user"], must_change_password=result["must_change_password"],
                        second_factor_required=bool(result.get("second_factor_challenge")),
                        second_factor_challenge=result.get("second_factor_challenge"),
                        second_factor_challenge_expires_at=datetime.fromisoformat(expires_at) if expires_at else None,
                        must_enrol_second_factor=bool(result.get("must_enrol_second_factor")))


class Login(graphene.Mutation):
    """Sign in with an e-mail and a password; sets the session cookie. Only one attempt counts per request.

    An account with a second factor gets no session yet: the payload carries a challenge for `verifySecondFactor`.
    """

    class Arguments:
        input = LoginInput(required=True, description="The credentials.")

    Output = LoginPayload

    async def mutate(self, info: Any, input: dict[str, Any]) -> LoginPayload:
        count_operation(info, "login")
        reject_cross_site(info)
        context = request_context(info)
        result = await context.rpc.call(
            "auth", "login", context=context.rpc_context(), email=input["email"], password=input["password"],
            remember_me=bool(input.get("remember_me")), client_ip=client_address(info),
            user_agent=context.request.headers.get("user-agent"))
        return await start_browser_session(info, result)


class VerifySecondFactorInput(graphene.InputObjectType):
    challenge = graphene.String(required=True, description="`secondFactorChallenge` from the `login` payload.")
    code = graphene.String(required=True, description="The 6-digit code of the authenticator app, or one of the "
                                                      "account's recovery codes.")


class VerifySecondFactor(graphene.Mutation):
    """Finish a sign-in with a TOTP or recovery code; sets the session cookie as `login` does.

    Only one attempt counts per request. Wrong codes are throttled like passwords, and the challenge ends
    after 5 of them (`SECOND_FACTOR_CHALLENGE_EXPIRED`).
    """

    class Arguments:
        input = VerifySecondFactorInput(required=True, description="The challenge and the code.")

    Output = LoginPayload

    async def mutate(self, info: Any, input: dict[str, Any]) -> LoginPayload:
        count_operation(info, "verify_second_factor")
        reject_cross_site(info)
        context = request_context(info)
        result = await context.rpc.call(
            "auth", "verify_second_factor", context=context.rpc_context(), challenge=input["challenge"],
            code=input["code"], client_ip=client_address(info), user_agent=context.request.headers.get("user-agent"))
        return await start_browser_session(info, result)


class LogoutInput(graphene.InputObjectType):
    everywhere = graphene.Boolean(description="Also end every other session of the account.")


class LogoutPayload(graphene.ObjectType):
    signed_out = graphene.Boolean(required=True, description="Always true: the session no longer exists.")


class Logout(graphene.Mutation):
    """Sign out: end the current session and clear its cookie."""

    class Arguments:
        input = LogoutInput(description="Options; empty signs out this session only.")

    Output = LogoutPayload

    async def mutate(self, info: Any, input: dict[str, Any] | None = None) -> LogoutPayload:
        context = request_context(info)
        if context.session_token:
            authorize(info, allow_password_change=True, allow_second_factor_enrolment=True)
            await call(info, "auth", "logout", token=context.session_token,
                       everywhere=bool((input or {}).get("everywhere")))
        context.cookie_changes.append(CookieChange(SESSION_COOKIE, None))
        return LogoutPayload(signed_out=True)


class ChangePasswordInput(graphene.InputObjectType):
    current_password = graphene.String(required=True, description="The password in use now.")
    new_password = graphene.String(required=True, description="The new password; see `passwordRules`.")


class ChangePasswordPayload(graphene.ObjectType):
    user = graphene.Field(User, required=True, description="The account, no longer required to change its password.")


class ChangePassword(graphene.Mutation):
    """Change one's password; every other session of the account ends. A rejected password lists every unmet rule."""

    class Arguments:
        input = ChangePasswordInput(required=True, description="The current and the new password.")

    Output = ChangePasswordPayload

    async def mutate(self, info: Any, input: dict[str, Any]) -> ChangePasswordPayload:
        authorize(info, allow_password_change=True)
        user = await call(info, "auth", "change_password", current_password=input["current_password"],
                          new_password=input["new_password"], session_token=request_context(info).session_token)
        return ChangePasswordPayload(user=user)


class RequestPasswordResetInput(graphene.InputObjectType):
    email = graphene.String(required=True, description="The e-mail address of the account.")


class RequestPasswordResetPayload(graphene.ObjectType):
    message = graphene.String(required=True, description="The same confirmation whether the account exists or not.")


RESET_REQUESTED_MESSAGE = text(
    "Si un compte correspond à cette adresse, un e-mail avec un lien valable une heure vient d'être envoyé.",
    "If an account matches this address, an e-mail with a link valid for one hour has just been sent.")


class RequestPasswordReset(graphene.Mutation):
    """Send a password reset link (« Mot de passe oublié ? »). The response is the same whether the account exists or not."""

    class Arguments:
        input = RequestPasswordResetInput(required=True, description="The account's e-mail.")

    Output = RequestPasswordResetPayload

    async def mutate(self, info: Any, input: dict[str, Any]) -> RequestPasswordResetPayload:
        count_operation(info, "request_password_reset")
        reject_cross_site(info)
        context = request_context(info)
        await context.rpc.call("auth", "request_password_reset", context=context.rpc_context(),
                               email=input["email"], client_ip=client_address(info))
        return RequestPasswordResetPayload(message=pick(RESET_REQUESTED_MESSAGE, context.language))


class CompletePasswordResetInput(graphene.InputObjectType):
    token = graphene.String(required=True, description="The token of the link received by e-mail.")
    new_password = graphene.String(required=True, description="The new password; see `passwordRules`.")


class CompletePasswordResetPayload(graphene.ObjectType):
    email = graphene.String(required=True, description="The account's e-mail, to sign in with the new password.")


class CompletePasswordReset(graphene.Mutation):
    """Set a new password from a reset or invitation link; the link then stops working and every session ends."""

    class Arguments:
        input = CompletePasswordResetInput(required=True, description="The link's token and the new password.")

    Output = CompletePasswordResetPayload

    async def mutate(self, info: Any, input: dict[str, Any]) -> CompletePasswordResetPayload:
        count_operation(info, "complete_password_reset")
        context = request_context(info)
        user = await context.rpc.call("auth", "complete_password_reset", context=context.rpc_context(),
                                      token=input["token"], new_password=input["new_password"])
        return CompletePasswordResetPayload(email=user["email"])


class RevokeSessionInput(graphene.InputObjectType):
    session_id = graphene.ID(required=True, description="Global id of one of the caller's sessions.")


class RevokeSessionPayload(graphene.ObjectType):
    session_id = graphene.ID(required=True, description="Global id of the ended session.")


class RevokeSession(graphene.Mutation):
    """End one of the caller's sessions, for example a browser left signed in elsewhere."""

    class Arguments:
        input = RevokeSessionInput(required=True, description="The session to end.")

    Output = RevokeSessionPayload

    async def mutate(self, info: Any, input: dict[str, Any]) -> RevokeSessionPayload:
        authorize(info)
        session_id = decode_global_id(input["session_id"], "UserSession", "sessionId")
        await call(info, "auth", "revoke_session", session_id=session_id)
        return RevokeSessionPayload(session_id=input["session_id"])


class CreateApiTokenInput(graphene.InputObjectType):
    name = graphene.String(required=True, description="What the token is for, at most 100 characters.")
    scopes = graphene.List(graphene.NonNull(ApiScope), required=True, description="What the token may do.")
    expires_at = graphene.DateTime(description="When the token stops working; never when empty.")
    user_id = graphene.ID(description="Account the token acts as; the caller when empty. Admins choose any "
                                      "account, customer managers one of their organisation.")


class CreateApiTokenPayload(graphene.ObjectType):
    token = graphene.String(required=True, description="The secret to send as `Authorization: Bearer …`; shown "
                                                       "only this once.")
    api_token = graphene.Field(ApiToken, required=True, description="The token's description.")


class CreateApiToken(graphene.Mutation):
    """Create an API token for a third-party system (admins, or customer managers for their organisation)."""

    class Arguments:
        input = CreateApiTokenInput(required=True, description="The token to create.")

    Output = CreateApiTokenPayload

    async def mutate(self, info: Any, input: dict[str, Any]) -> CreateApiTokenPayload:
        authorize(info)
        values = {
            "name": input["name"],
            "scopes": [getattr(scope, "value", scope) for scope in input["scopes"]],
            "expires_at": input["expires_at"].isoformat() if input.get("expires_at") else None,
            "user_id": decode_global_id(input["user_id"], "User", "userId") if input.get("user_id") else None,
        }
        result = await call(info, "auth", "create_api_token", values=values)
        return CreateApiTokenPayload(token=result["token"], api_token=result["api_token"])


class RevokeApiTokenInput(graphene.InputObjectType):
    api_token_id = graphene.ID(required=True, description="Global id of the token.")


class RevokeApiTokenPayload(graphene.ObjectType):
    api_token = graphene.Field(ApiToken, required=True, description="The revoked token.")


class RevokeApiToken(graphene.Mutation):
    """Revoke an API token; it stops working at once."""

    class Arguments:
        input = RevokeApiTokenInput(required=True, description="The token to revoke.")

    Output = RevokeApiTokenPayload

    async def mutate(self, info: Any, input: dict[str, Any]) -> RevokeApiTokenPayload:
        authorize(info)
        token_id = decode_global_id(input["api_token_id"], "ApiToken", "apiTokenId")
        return RevokeApiTokenPayload(api_token=await call(info, "auth", "revoke_api_token", token_id=token_id))


class AuthMutation(AdminMutation, SecondFactorMutation, OrganisationMutation, ImportMutation, graphene.ObjectType):
    login = Login.Field()
    verify_second_factor = VerifySecondFactor.Field()
    logout = Logout.Field()
    change_password = ChangePassword.Field()
    request_password_reset = RequestPasswordReset.Field()
    complete_password_reset = CompletePasswordReset.Field()
    revoke_session = RevokeSession.Field()
    create_api_token = CreateApiToken.Field()
    revoke_api_token = RevokeApiToken.Field()


plugin = GraphQLPlugin(name="auth", query=AuthQuery, mutation=AuthMutation, rpc_service="auth",
                       types=[User, Organisation, Viewer, UsageRights, SupportStatus, SupportBlocker])

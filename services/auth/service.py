"""nameko entrypoints of the auth service; each calls a plain function of a domain module."""
from __future__ import annotations

from typing import Any

from services.auth import (accounts, administration, api_tokens, audit, credentials, importer, organisations,
                           second_factor, security_settings, sessions)
from services.auth.passwords import hash_password
from services.auth.models import Outbox
from services.common.caller import Caller
from services.common.caller_provider import CallerProvider
from services.common.database import Database
from services.common.errors import ServiceError
from services.common.health import HealthMixin
from services.common.outbox import Outbox as OutboxRelay
from services.common.rpc_entrypoint import rpc

# Events this service publishes, through its outbox.
EVENTS = ("user_invited", "password_reset_requested", "password_changed")


def auth_rpc(*sensitive_arguments: str) -> Any:
    """Declare an RPC entrypoint that logs service errors as expected and marks secret arguments sensitive."""
    return rpc(expected_exceptions=ServiceError, sensitive_arguments=sensitive_arguments)


class AuthService(HealthMixin):
    name = "auth"

    db = Database()
    outbox = OutboxRelay(Outbox)
    caller: Caller = CallerProvider()

    @auth_rpc("password")
    def login(self, email: str, password: str, remember_me: bool = False, client_ip: str | None = None,
              user_agent: str | None = None) -> dict[str, Any]:
        """Open a session; return `{session_token, max_age, must_change_password, must_enrol_second_factor,
        second_factor_challenge, second_factor_challenge_expires_at, user}`.

        With a second factor enabled, no session opens: `session_token` is None and the challenge goes to
        `verify_second_factor`. Raises InvalidCredentials, TooManyAttempts or LegacyPasswordExpired.
        """
        return sessions.login(self.db, email, password, remember_me, client_ip, user_agent)

    @auth_rpc("challenge", "code")
    def verify_second_factor(self, challenge: str, code: str, client_ip: str | None = None,
                             user_agent: str | None = None) -> dict[str, Any]:
        """Open the session of a sign-in challenge with a TOTP or recovery code; return what `login` returns.

        Raises SecondFactorChallengeExpired, InvalidSecondFactorCode or TooManyAttempts.
        """
        return second_factor.verify_challenge(self.db, challenge, code, client_ip, user_agent)

    @auth_rpc()
    def start_second_factor_enrolment(self) -> dict[str, Any]:
        """Return the caller's pending `{secret, otpauth_uri, qr_code_svg}`; raises SecondFactorStateConflict."""
        return second_factor.start_enrolment(self.db, self.caller)

    @auth_rpc("code")
    def confirm_second_factor_enrolment(self, code: str) -> dict[str, Any]:
        """Enable the pending second factor; return `{recovery_codes}`. Raises InvalidSecondFactorCode."""
        return second_factor.confirm_enrolment(self.db, self.caller, code)

    @auth_rpc("current_password", "code")
    def disable_second_factor(self, current_password: str, code: str) -> dict[str, Any]:
        """Remove the caller's second factor; raises IncorrectCurrentPassword or InvalidSecondFactorCode."""
        return second_factor.disable(self.db, self.caller, current_password, code)

    @auth_rpc("code")
    def regenerate_recovery_codes(self, code: str) -> dict[str, Any]:
        """Replace the caller's recovery codes after a valid TOTP code; return `{recovery_codes}`."""
        return second_factor.regenerate_recovery_codes(self.db, self.caller, code)

    @auth_rpc()
    def reset_second_factor(self, user_id: str) -> dict[str, Any]:
        """Remove another account's second factor and end its sessions (admins; managers in their organisation)."""
        return second_factor.reset_for_user(self.db, self.caller, user_id)

    @auth_rpc()
    def get_security_settings(self) -> dict[str, Any]:
        """Return `{second_factor_required_for_staff, updated_at, updated_by_id}` (staff only)."""
        return security_settings.get_settings(self.db, self.caller)

    @auth_rpc()
    def update_security_settings(self, values: dict[str, Any]) -> dict[str, Any]:
        """Change `{second_factor_required_for_staff}`; admins only, each change audited."""
        return security_settings.update_settings(self.db, self.caller, values)

    @auth_rpc("token")
    def authenticate_session(self, token: str) -> dict[str, Any] | None:
        """Return `{user_id, organisation_id, role, scopes, language, must_change_password,
        must_enrol_second_factor, token_id, session_id}` or None."""
        return sessions.authenticate_session(self.db, token)

    @auth_rpc("token")
    def authenticate_token(self, token: str) -> dict[str, Any] | None:
        """Return the identity of an API token (its scopes set, `token_id` its id) or None."""
        return api_tokens.authenticate_token(self.db, token)

    @auth_rpc("token")
    def logout(self, token: str, everywhere: bool = False) -> None:
        """End the session of `token`; with `everywhere`, every session of its account."""
        sessions.logout(self.db, token, everywhere)

    @auth_rpc()
    def get_users(self, ids: list[str]) -> list[dict[str, Any] | None]:
        """Return users in the order of `ids`; None where unknown or outside what the caller may see."""
        return accounts.get_users(self.db, self.caller, ids)

    @auth_rpc()
    def get_organisations(self, ids: list[str]) -> list[dict[str, Any] | None]:
        return accounts.get_organisations(self.db, self.caller, ids)

    @auth_rpc()
    def list_agents(self) -> list[dict[str, Any]]:
        """Return the active agents and admins."""
        return accounts.list_agents(self.db, self.caller)

    @auth_rpc()
    def get_me(self) -> dict[str, Any]:
        """Return the caller's profile with `organisation`, `usage_rights` and `must_change_password`."""
        return accounts.get_profile(self.db, self.caller)

    @auth_rpc("current_password", "new_password", "session_token")
    def change_password(self, current_password: str, new_password: str,
                        session_token: str | None = None) -> dict[str, Any]:
        """Change the caller's password and end their sessions other than `session_token`'s.

        Raises InvalidPassword with one field error per unmet rule.
        """
        return credentials.change_password(self.db, self.caller, current_password, new_password, session_token)

    @auth_rpc()
    def request_password_reset(self, email: str, client_ip: str | None = None) -> None:
        """Publish `password_reset_requested` when the account exists; return None in every case."""
        credentials.request_password_reset(self.db, email, client_ip)

    @auth_rpc("token", "new_password")
    def complete_password_reset(self, token: str, new_password: str) -> dict[str, Any]:
        """Set the password of a reset or invitation link; raises InvalidPasswordToken or InvalidPassword."""
        return credentials.complete_password_reset(self.db, token, new_password)

    @auth_rpc("current_token")
    def list_sessions(self, current_token: str | None = None) -> list[dict[str, Any]]:
        return sessions.list_sessions(self.db, self.caller, current_token)

    @auth_rpc()
    def revoke_session(self, session_id: str) -> None:
        sessions.revoke_session(self.db, self.caller, session_id)

    @auth_rpc()
    def create_api_token(self, values: dict[str, Any]) -> dict[str, Any]:
        """Create a token from `{name, scopes, expires_at, user_id}`; return `{token, api_token}`, the token once."""
        return api_tokens.create_token(self.db, self.caller, values)

    @auth_rpc()
    def list_api_tokens(self, organisation_id: str | None = None) -> list[dict[str, Any]]:
        return api_tokens.list_tokens(self.db, self.caller, organisation_id)

    @auth_rpc()
    def revoke_api_token(self, token_id: str) -> dict[str, Any]:
        return api_tokens.revoke_token(self.db, self.caller, token_id)

    @auth_rpc()
    def list_audit_entries(self, filters: dict[str, Any] | None = None, first: int | None = None,
                           after: str | None = None) -> dict[str, Any]:
        """Return a page of the security audit log, newest first (admins only)."""
        return audit.list_entries(self.db, self.caller, filters or {}, first, after)

    @auth_rpc()
    def list_users(self, organisation_ids: list[str] | None = None,
                   roles: list[str] | None = None) -> list[dict[str, Any]]:
        """Return the active users of `organisation_ids` (all when None) with one of `roles` (any when None).

        For other services (notify writes to a news item's audience); customers get their organisation's only.
        """
        return accounts.list_users(self.db, self.caller, organisation_ids, roles)

    @auth_rpc()
    def search_users(self, filters: dict[str, Any] | None = None, first: int | None = None,
                     after: str | None = None) -> dict[str, Any]:
        """Return a page of accounts for administration: staff see all, customer managers their organisation's."""
        return administration.list_users(self.db, self.caller, filters or {}, first, after)

    @auth_rpc()
    def create_user(self, values: dict[str, Any]) -> dict[str, Any]:
        """Create an account that receives an invitation link; raises InvalidUser or NotAllowed."""
        return administration.create_user(self.db, self.caller, values)

    @auth_rpc()
    def update_user_access(self, user_id: str, values: dict[str, Any]) -> dict[str, Any]:
        """Change role, product spaces or support access; raises UserNotFound outside the caller's reach."""
        return administration.update_user_access(self.db, self.caller, user_id, values)

    @auth_rpc()
    def set_user_active(self, user_id: str, active: bool) -> dict[str, Any]:
        return administration.set_user_active(self.db, self.caller, user_id, active)

    @auth_rpc()
    def update_my_profile(self, values: dict[str, Any]) -> dict[str, Any]:
        return administration.update_own_profile(self.db, self.caller, values)

    @auth_rpc()
    def get_managed_user(self, user_id: str) -> dict[str, Any]:
        """Return an account the caller administers, with usage rights; raises UserNotFound otherwise."""
        return administration.get_managed_user(self.db, self.caller, user_id)

    @auth_rpc()
    def resend_invitation(self, user_id: str) -> dict[str, Any]:
        """Send a new invitation link to an account without a password; raises InvalidUser or UserNotFound."""
        return administration.resend_invitation(self.db, self.caller, user_id)

    @auth_rpc()
    def list_organisations(self, filters: dict[str, Any] | None = None, first: int | None = None,
                           after: str | None = None) -> dict[str, Any]:
        """Return a page of organisations: staff see all, anyone else only their own."""
        return organisations.list_organisations(self.db, self.caller, filters or {}, first, after)

    @auth_rpc()
    def create_organisation(self, values: dict[str, Any]) -> dict[str, Any]:
        """Create a customer organisation (admins only); raises InvalidOrganisation or NotAllowed."""
        return organisations.create_organisation(self.db, self.caller, values)

    @auth_rpc()
    def update_organisation(self, organisation_id: str, values: dict[str, Any]) -> dict[str, Any]:
        """Rename an organisation (admins only); raises OrganisationNotFound or InvalidOrganisation."""
        return organisations.update_organisation(self.db, self.caller, organisation_id, values)

    @auth_rpc()
    def import_accounts(self, rows: list[list[Any]], mode: str = "invitation",
                        dry_run: bool = True) -> dict[str, Any]:
        """Import `[line, row]` pairs of an export (admins only); return created, updated, unchanged, rejected.

        A dry run changes nothing; otherwise the accepted rows are committed together.
        """
        return importer.import_for_caller(self.db, self.caller, rows, mode, dry_run, hash_password)


SERVICE_CLASS = AuthService

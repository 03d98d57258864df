"""Changing, resetting and first setting a password."""
from __future__ import annotations

import hashlib
import logging
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from services.auth import audit, passwords, settings, throttling
from services.auth.accounts import normalize_email, serialize_user
from services.auth.exceptions import InvalidCredentials, InvalidPassword, InvalidPasswordToken, NotAllowed
from services.auth.models import (AuditAction, Outbox, PasswordToken, PasswordTokenPurpose, SecondFactorChallenge, User,
                                  UserSession)
from services.auth.policy import password_field_errors
from services.auth.sessions import as_utc, revoke_user_sessions
from services.auth.tokens import digest, new_token
from services.common import config
from services.common.caller import Caller
from services.common.errors import field_error
from services.common.events import isoformat, utc_now
from services.common.outbox import stage_event

logger = logging.getLogger(__name__)


def password_fingerprint(password_hash: str | None) -> str:
    """Return a digest of the current hash, so that a token made before a password change no longer matches."""
    return hashlib.sha256((password_hash or "").encode()).hexdigest()


def check_new_password(user: User, new_password: str, current_password: str | None = None,
                       field: str = "newPassword") -> None:
    """Raise InvalidPassword listing every unmet rule, or when the password is the current one.

    The comparison uses the current password as typed, when the caller has it, instead of one more
    slow hash check.
    """
    errors = password_field_errors(new_password, user.email, field)
    if not errors and current_password is not None and new_password == current_password:
        errors.append(field_error(field, "SAME_AS_CURRENT",
                                  "Le nouveau mot de passe doit être différent de l'actuel.",
                                  "The new password must differ from the current one."))
    if errors:
        raise InvalidPassword(fields=errors)


def change_password(session: Session, caller: Caller, current_password: str, new_password: str,
                    session_token: str | None = None) -> dict[str, Any]:
    """Replace the caller's password and end their other sessions; return the user.

    Raises InvalidCredentials when `current_password` is wrong and InvalidPassword with every unmet rule.
    """
    caller.require_authenticated()
    if caller.scopes is not None:
        raise NotAllowed()
    user = session.get(User, caller.user_id)
    if user is None or not user.is_active:
        raise InvalidCredentials()
    if not passwords.verify_password(user.password_hash, current_password):
        raise InvalidPassword(fields=[field_error(
            "currentPassword", "INCORRECT", "Le mot de passe actuel est incorrect.",
            "The current password is incorrect.")])
    check_new_password(user, new_password, current_password)
    new_hash = passwords.hash_password(new_password)

    current = None
    if session_token:
        current = session.scalar(select(UserSession.id).where(UserSession.token_hash == digest(session_token),
                                                               UserSession.user_id == user.id))
    set_password(session, user, new_hash, keep_session_id=current)
    audit.record(session, AuditAction.PASSWORD_CHANGED, user_id=user.id, organisation_id=user.organisation_id)
    session.commit()
    logger.info("user %s changed their password; other sessions ended", user.id)
    return serialize_user(user)


def set_password(session: Session, user: User, new_hash: str, keep_session_id: str | None = None) -> None:
    """Store a new hash, lift the first-sign-in lock, end sessions, pending links and second-factor
    challenges, and announce it."""
    user.password_hash = new_hash
    user.must_change_password = False
    user.password_expires_at = None
    user.password_changed_at = utc_now()
    revoke_user_sessions(session, user.id, keep_session_id)
    session.execute(update(PasswordToken).where(PasswordToken.user_id == user.id, PasswordToken.used_at.is_(None))
                    .values(used_at=utc_now()))
    # A challenge proves the old password, so it must not open a session after the change.
    session.execute(update(SecondFactorChallenge)
                    .where(SecondFactorChallenge.user_id == user.id, SecondFactorChallenge.used_at.is_(None))
                    .values(used_at=utc_now()))
    stage_event(session, Outbox, "password_changed", {
        "user_id": user.id,
        "organisation_id": user.organisation_id,
        "email": user.email,
        "display_name": user.display_name,
        "language": user.language,
        "changed_at": isoformat(user.password_changed_at),
    }, actor={"type": "user", "user_id": user.id})


def issue_password_token(session: Session, user: User, purpose: PasswordTokenPurpose,
                         lifetime: timedelta) -> dict[str, Any]:
    """Add a single-use link for `user`; return the event data that carries it to the notify service."""
    token, token_hash = new_token()
    expires_at = utc_now() + lifetime
    session.add(PasswordToken(user_id=user.id, purpose=purpose, token_hash=token_hash, expires_at=expires_at,
                              password_fingerprint=password_fingerprint(user.password_hash)))
    path = settings.RESET_PATH if purpose == PasswordTokenPurpose.RESET else settings.INVITATION_PATH
    return {
        "user_id": user.id,
        "organisation_id": user.organisation_id,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "display_name": user.display_name,
        "language": user.language,
        "token": token,
        "url": f"{config.public_url()}{path}?token={token}",
        "expires_at": isoformat(expires_at),
    }


def request_password_reset(session: Session, email: str, client_ip: str | None = None) -> None:
    """Send a reset link when an active account has this e-mail; do the same work and return alike otherwise.

    Raises TooManyAttempts past the limits per e-mail and per address, which count every request,
    whether the account exists or not.
    """
    email_key = normalize_email(email)
    limits = [(throttling.RESET_PER_ACCOUNT, email_key), (throttling.RESET_PER_ADDRESS, client_ip)]
    throttling.check(session, limits)
    throttling.record(session, limits)

    user = session.scalar(select(User).where(User.email == email_key))
    if user is not None and user.is_active:
        data = issue_password_token(session, user, PasswordTokenPurpose.RESET, settings.RESET_TOKEN_LIFETIME)
        stage_event(session, Outbox, "password_reset_requested", data)
        audit.record(session, AuditAction.PASSWORD_RESET_REQUESTED, user_id=user.id,
                     organisation_id=user.organisation_id, email=email_key, client_ip=client_ip)
    else:
        audit.record(session, AuditAction.PASSWORD_RESET_REQUESTED, email=email_key, client_ip=client_ip,
                     account_found=False)
    session.commit()


def complete_password_reset(session: Session, token: str, new_password: str) -> dict[str, Any]:
    """Set a password from a reset or invitation link; the link then stops working and every session ends.

    Raises InvalidPasswordToken when the link is unknown, used, expired or older than the current
    password, and InvalidPassword with every unmet rule.
    """
    password_token = session.scalar(select(PasswordToken).where(PasswordToken.token_hash == digest(token or "")))
    user = session.get(User, password_token.user_id) if password_token else None
    if (password_token is None or user is None or not user.is_active or password_token.used_at is not None
            or as_utc(password_token.expires_at) <= utc_now()
            or password_token.password_fingerprint != password_fingerprint(user.password_hash)):
        raise InvalidPasswordToken()
    check_new_password(user, new_password)
    new_hash = passwords.hash_password(new_password)

    set_password(session, user, new_hash)
    audit.record(session, AuditAction.PASSWORD_RESET_COMPLETED, user_id=user.id,
                 organisation_id=user.organisation_id, purpose=password_token.purpose.value)
    session.commit()
    logger.info("user %s set a password through a %s link", user.id, password_token.purpose.value)
    return serialize_user(user)

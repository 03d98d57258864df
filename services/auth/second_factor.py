"""The optional TOTP second factor: enrolment, the second step of sign-in, recovery codes.

A correct password on an account with the second factor enabled opens no session. It returns a
challenge instead: a random token stored as a digest, valid for `CHALLENGE_LIFETIME` and once, that
`verify_challenge` exchanges for a session together with a TOTP code or a recovery code.
"""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from services.auth import accounts, audit, passwords, security_settings, sessions, settings, throttling, totp
from services.auth.exceptions import (IncorrectCurrentPassword, InvalidCredentials, InvalidSecondFactorCode,
                                      NotAllowed, SecondFactorChallengeExpired, SecondFactorStateConflict,
                                      TooManyAttempts)
from services.auth.models import (AuditAction, RecoveryCode, Role, SecondFactor, SecondFactorChallenge, User,
                                  new_id)
from services.auth.tokens import digest, new_token
from services.common.caller import Caller
from services.common.errors import text
from services.common.events import isoformat, utc_now

logger = logging.getLogger(__name__)

STAFF_ROLES = (Role.AGENT, Role.ADMIN)
NOT_ENABLED = text("La double authentification n'est pas activée sur ce compte.",
                   "Two-factor authentication is not enabled on this account.")
ALREADY_ENABLED = text("La double authentification est déjà activée : désactivez-la d'abord pour changer "
                       "d'application.",
                       "Two-factor authentication is already enabled: disable it first to change apps.")
NOT_STARTED = text("Aucune activation en cours : commencez par afficher le QR code.",
                   "No enrolment in progress: start by showing the QR code.")


def enabled_factor(session: Session, user_id: str) -> SecondFactor | None:
    """Return the account's second factor when it is enabled, None otherwise (absent or still pending)."""
    factor = session.get(SecondFactor, user_id)
    return factor if factor is not None and factor.enabled_at is not None else None


def must_enrol(session: Session, user: User) -> bool:
    """Return True for an agent or admin without a second factor while admins require one for staff."""
    if user.role not in STAFF_ROLES:
        return False
    return enabled_factor(session, user.id) is None and security_settings.second_factor_required_for_staff(session)


def status(session: Session, user: User) -> dict[str, Any]:
    """Return `{second_factor_enabled, second_factor_enabled_at, must_enrol_second_factor, recovery_codes_left}`."""
    factor = enabled_factor(session, user.id)
    left = 0
    if factor is not None:
        left = len(session.scalars(select(RecoveryCode.id).where(RecoveryCode.user_id == user.id,
                                                                 RecoveryCode.used_at.is_(None))).all())
    return {
        "second_factor_enabled": factor is not None,
        "second_factor_enabled_at": isoformat(factor.enabled_at) if factor else None,
        "must_enrol_second_factor": must_enrol(session, user),
        "recovery_codes_left": left,
    }


# --- Checking a code ---------------------------------------------------------------------------------

def accept_code(session: Session, factor: SecondFactor, code: str, moment: datetime | None = None) -> str | None:
    """Consume `code` when it is valid: store its time step, or mark the recovery code used.

    Returns "totp" or "recovery", or None when the code is wrong or already used. The updates carry
    their own condition, so two requests with one code cannot both succeed. Written with the caller's
    commit.
    """
    if totp.is_totp_code(code):
        step = totp.accepted_time_step(factor.secret, code, factor.last_time_step, moment or utc_now())
        if step is None:
            return None
        result = session.execute(
            update(SecondFactor)
            .where(SecondFactor.user_id == factor.user_id,
                   (SecondFactor.last_time_step.is_(None)) | (SecondFactor.last_time_step < step))
            .values(last_time_step=step))
        return "totp" if result.rowcount == 1 else None

    result = session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.user_id == factor.user_id, RecoveryCode.code_hash == totp.recovery_code_digest(code),
               RecoveryCode.used_at.is_(None))
        .values(used_at=utc_now()))
    return "recovery" if result.rowcount == 1 else None


def check_code_throttled(session: Session, user: User, factor: SecondFactor, code: str,
                         client_ip: str | None = None) -> str:
    """Accept `code` for an account action, counting failures per account and address like sign-ins.

    Raises TooManyAttempts past the limits and InvalidSecondFactorCode for a wrong or used code. A failed
    attempt is committed here, and the caller commits a successful one with its own changes.
    """
    limits = [(throttling.SECOND_FACTOR_PER_ACCOUNT, user.id), (throttling.SECOND_FACTOR_PER_ADDRESS, client_ip)]
    throttling.check(session, limits)
    kind = accept_code(session, factor, code)
    if kind is None:
        session.rollback()
        throttling.record(session, limits)
        audit.record(session, AuditAction.SECOND_FACTOR_FAILED, user_id=user.id,
                     organisation_id=user.organisation_id, client_ip=client_ip)
        session.commit()
        raise InvalidSecondFactorCode()
    if kind == "recovery":
        audit.record(session, AuditAction.RECOVERY_CODE_USED, user_id=user.id, organisation_id=user.organisation_id,
                     client_ip=client_ip)
    return kind


# --- Sign-in -----------------------------------------------------------------------------------------

def start_challenge(session: Session, user: User, remember_me: bool, client_ip: str | None,
                    user_agent: str | None) -> dict[str, Any]:
    """Add a challenge for `user`; return `{token, expires_at}`, the token shown only this once."""
    token, token_hash = new_token()
    now = utc_now()
    expires_at = now + settings.SECOND_FACTOR_CHALLENGE_LIFETIME
    session.add(SecondFactorChallenge(id=new_id(), user_id=user.id, token_hash=token_hash, remember_me=remember_me,
                                      client_ip=client_ip, user_agent=(user_agent or "")[:300] or None,
                                      created_at=now, expires_at=expires_at))
    return {"token": token, "expires_at": isoformat(expires_at)}


def verify_challenge(session: Session, challenge_token: str, code: str, client_ip: str | None = None,
                     user_agent: str | None = None) -> dict[str, Any]:
    """Open the session of a sign-in challenge with a TOTP or recovery code; return what `login` returns.

    Raises SecondFactorChallengeExpired when the challenge is unknown, used, expired or dead after
    `settings.SECOND_FACTOR_CHALLENGE_ATTEMPTS` wrong codes; TooManyAttempts past the throttling limits;
    InvalidSecondFactorCode for a wrong or already used code.
    """
    challenge = session.scalar(select(SecondFactorChallenge)
                               .where(SecondFactorChallenge.token_hash == digest(challenge_token or "")))
    if (challenge is None or challenge.used_at is not None
            or sessions.as_utc(challenge.expires_at) <= utc_now()):
        raise SecondFactorChallengeExpired()
    user = session.get(User, challenge.user_id)
    factor = enabled_factor(session, challenge.user_id)
    if user is None or not user.is_active or factor is None:
        raise SecondFactorChallengeExpired()

    limits = [(throttling.SECOND_FACTOR_PER_ACCOUNT, user.id), (throttling.SECOND_FACTOR_PER_ADDRESS, client_ip)]
    try:
        throttling.check(session, limits)
    except TooManyAttempts:
        audit.record(session, AuditAction.LOGIN_THROTTLED, user_id=user.id, organisation_id=user.organisation_id,
                     email=user.email, client_ip=client_ip, step="second_factor")
        session.commit()
        raise

    kind = accept_code(session, factor, code)
    if kind is None:
        session.rollback()
        failed = fail_challenge(session, challenge.id)
        throttling.record(session, limits)
        audit.record(session, AuditAction.SECOND_FACTOR_FAILED, user_id=user.id, organisation_id=user.organisation_id,
                     email=user.email, client_ip=client_ip, challenge_failures=failed)
        session.commit()
        if failed >= settings.SECOND_FACTOR_CHALLENGE_ATTEMPTS:
            raise SecondFactorChallengeExpired()
        raise InvalidSecondFactorCode()

    # The challenge is used once: of two requests racing with two valid codes, one opens a session.
    used = session.execute(update(SecondFactorChallenge)
                           .where(SecondFactorChallenge.id == challenge.id, SecondFactorChallenge.used_at.is_(None))
                           .values(used_at=utc_now()))
    if used.rowcount != 1:
        session.rollback()
        raise SecondFactorChallengeExpired()
    if kind == "recovery":
        audit.record(session, AuditAction.RECOVERY_CODE_USED, user_id=user.id, organisation_id=user.organisation_id,
                     client_ip=client_ip)
    throttling.clear(session, throttling.SECOND_FACTOR_PER_ACCOUNT, user.id)
    return sessions.open_session(session, user, challenge.remember_me, client_ip or challenge.client_ip,
                                 user_agent or challenge.user_agent, second_factor=kind)


def fail_challenge(session: Session, challenge_id: str) -> int:
    """Count a wrong code on a challenge, ending it at the limit; return its number of failures."""
    challenge = session.get(SecondFactorChallenge, challenge_id)
    assert challenge is not None
    challenge.failed_attempts += 1
    if challenge.failed_attempts >= settings.SECOND_FACTOR_CHALLENGE_ATTEMPTS:
        challenge.used_at = utc_now()
    return challenge.failed_attempts


# --- Enrolment and management by the account itself --------------------------------------------------

def own_account(session: Session, caller: Caller) -> User:
    """Return the caller's account; API tokens may not manage a person's second factor."""
    caller.require_authenticated()
    if caller.scopes is not None:
        raise NotAllowed()
    user = session.get(User, caller.user_id)
    if user is None or not user.is_active:
        raise InvalidCredentials()
    return user


def start_enrolment(session: Session, caller: Caller) -> dict[str, Any]:
    """Create the pending secret (or return the pending one) with its otpauth URI and QR code.

    Raises SecondFactorStateConflict when the second factor is already enabled.
    """
    user = own_account(session, caller)
    factor = session.get(SecondFactor, user.id)
    if factor is not None and factor.enabled_at is not None:
        raise SecondFactorStateConflict(ALREADY_ENABLED)
    if factor is None:
        # Until confirmed, starting again shows the same secret, so an app already set up keeps working.
        factor = SecondFactor(user_id=user.id, secret=totp.new_secret(), created_at=utc_now())
        session.add(factor)
        session.commit()
    uri = totp.provisioning_uri(factor.secret, user.email, settings.SECOND_FACTOR_ISSUER)
    return {"secret": factor.secret, "otpauth_uri": uri, "qr_code_svg": totp.qr_code_svg(uri, "QR code")}


def confirm_enrolment(session: Session, caller: Caller, code: str) -> dict[str, Any]:
    """Enable the pending second factor with a first valid code; return `{recovery_codes}`, shown only once.

    Raises SecondFactorStateConflict without a pending enrolment and InvalidSecondFactorCode.
    """
    user = own_account(session, caller)
    factor = session.get(SecondFactor, user.id)
    if factor is None:
        raise SecondFactorStateConflict(NOT_STARTED)
    if factor.enabled_at is not None:
        raise SecondFactorStateConflict(ALREADY_ENABLED)
    if not totp.is_totp_code(code):
        raise InvalidSecondFactorCode()
    check_code_throttled(session, user, factor, code)
    factor.enabled_at = utc_now()
    codes = replace_recovery_codes(session, user.id)
    audit.record(session, AuditAction.SECOND_FACTOR_ENABLED, user_id=user.id, organisation_id=user.organisation_id)
    session.commit()
    logger.info("user %s enabled the second factor", user.id)
    return {"recovery_codes": codes}


def disable(session: Session, caller: Caller, current_password: str, code: str) -> dict[str, Any]:
    """Remove the second factor and its recovery codes after checking the password and a code.

    Raises IncorrectCurrentPassword, InvalidSecondFactorCode, TooManyAttempts or SecondFactorStateConflict.
    """
    user = own_account(session, caller)
    if enabled_factor(session, user.id) is None:
        raise SecondFactorStateConflict(NOT_ENABLED)
    password_hash = user.password_hash
    # The hash check yields to other workers, so no transaction may stay open across it.
    session.commit()
    if not passwords.verify_password(password_hash, current_password):
        raise IncorrectCurrentPassword()

    factor = enabled_factor(session, user.id)
    if factor is None:
        raise SecondFactorStateConflict(NOT_ENABLED)
    check_code_throttled(session, user, factor, code)
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    session.delete(factor)
    audit.record(session, AuditAction.SECOND_FACTOR_DISABLED, user_id=user.id, organisation_id=user.organisation_id)
    session.commit()
    logger.info("user %s disabled the second factor", user.id)
    return accounts.serialize_user(user)


def regenerate_recovery_codes(session: Session, caller: Caller, code: str) -> dict[str, Any]:
    """Replace every recovery code after checking a TOTP code; return `{recovery_codes}`, shown only once."""
    user = own_account(session, caller)
    factor = enabled_factor(session, user.id)
    if factor is None:
        raise SecondFactorStateConflict(NOT_ENABLED)
    if not totp.is_totp_code(code):
        raise InvalidSecondFactorCode()
    check_code_throttled(session, user, factor, code)
    codes = replace_recovery_codes(session, user.id)
    audit.record(session, AuditAction.RECOVERY_CODES_REGENERATED, user_id=user.id,
                 organisation_id=user.organisation_id)
    session.commit()
    return {"recovery_codes": codes}


def replace_recovery_codes(session: Session, user_id: str) -> list[str]:
    """Delete the account's recovery codes and add new ones; written with the caller's commit."""
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    codes = totp.new_recovery_codes()
    session.add_all([RecoveryCode(user_id=user_id, code_hash=totp.recovery_code_digest(code)) for code in codes])
    return codes


def reset_for_user(session: Session, caller: Caller, user_id: str) -> dict[str, Any]:
    """Remove another account's second factor, for a person who lost both their device and codes.

    Admins may reset any account, customer managers those of their organisation. The account's
    sessions end too, because a stolen session may be the reason for the reset. Raises NotAllowed,
    UserNotFound, or SecondFactorStateConflict when the account has no second factor.
    """
    # administration imports sessions, which imports this module: hence the import here.
    from services.auth.administration import managed_user

    user = managed_user(session, caller, user_id)
    factor = enabled_factor(session, user.id)
    if factor is None:
        raise SecondFactorStateConflict(NOT_ENABLED)
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    session.delete(factor)
    sessions.revoke_user_sessions(session, user.id)
    audit.record(session, AuditAction.SECOND_FACTOR_RESET, user_id=user.id, actor_id=caller.user_id,
                 organisation_id=user.organisation_id)
    session.commit()
    logger.info("second factor of user %s reset by user %s", user.id, caller.user_id)
    return accounts.serialize_user(user)

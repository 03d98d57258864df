"""Signing in and out, and the sessions a signed-in person holds."""
from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from services.auth import audit, passwords, second_factor, settings, throttling
from services.auth.accounts import normalize_email, serialize_user
from services.auth.exceptions import (InvalidCredentials, LegacyPasswordExpired, SessionNotFound,
                                      TooManyAttempts)
from services.auth.models import AuditAction, User, UserSession, new_id
from services.auth.tokens import digest, new_token
from services.common.caller import Caller
from services.common.events import isoformat, utc_now

logger = logging.getLogger(__name__)


def as_utc(moment: datetime | None) -> datetime | None:
    # SQLite returns naive datetimes; every stored time is UTC.
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment


def login(session: Session, email: str, password: str, remember_me: bool = False, client_ip: str | None = None,
          user_agent: str | None = None) -> dict[str, Any]:
    """Check the credentials and open a session; return `{session_token, max_age, must_change_password,
    must_enrol_second_factor, second_factor_challenge, second_factor_challenge_expires_at, user}`.

    When the account has a second factor, no session opens: `session_token` is None and
    `second_factor_challenge` is the token that `second_factor.verify_challenge` takes with a code.
    Raises InvalidCredentials (same message whether the e-mail exists or not), TooManyAttempts when the
    account or the address is throttled, LegacyPasswordExpired when a correct initial password expired.
    """
    email_key = normalize_email(email)
    limits = [(throttling.LOGIN_PER_ACCOUNT, email_key), (throttling.LOGIN_PER_ADDRESS, client_ip)]
    try:
        throttling.check(session, limits)
    except TooManyAttempts:
        audit.record(session, AuditAction.LOGIN_THROTTLED, email=email_key, client_ip=client_ip)
        session.commit()
        raise

    user = session.scalar(select(User).where(User.email == email_key))
    session.commit()

    usable = user is not None and user.is_active
    if not passwords.verify_password(user.password_hash if usable else None, password):
        # NOTE: a failure is counted once its hash check is done, so guesses already in flight when the
        # limit is reached still get checked: at most as many as the service runs workers at once.
        throttling.record(session, limits)
        audit.record(session, AuditAction.LOGIN_FAILED, user_id=user.id if user else None,
                     organisation_id=user.organisation_id if user else None, email=email_key, client_ip=client_ip)
        session.commit()
        raise InvalidCredentials()
    assert user is not None and user.password_hash is not None

    expires_at = as_utc(user.password_expires_at)
    if expires_at is not None and expires_at <= utc_now():
        audit.record(session, AuditAction.LOGIN_FAILED, user_id=user.id, organisation_id=user.organisation_id,
                     email=email_key, client_ip=client_ip, reason="initial password expired")
        session.commit()
        raise LegacyPasswordExpired()

    # Hash before any write: the thread-pool call yields, and no transaction may stay open across it.
    new_hash = passwords.hash_password(password) if passwords.needs_rehash(user.password_hash) else None
    if new_hash:
        user.password_hash = new_hash

    throttling.clear(session, throttling.LOGIN_PER_ACCOUNT, email_key)
    if second_factor.enabled_factor(session, user.id) is not None:
        challenge = second_factor.start_challenge(session, user, remember_me, client_ip, user_agent)
        session.commit()
        logger.info("user %s passed the password step; second factor pending", user.id)
        return {
            "session_token": None,
            "max_age": None,
            "must_change_password": user.must_change_password,
            "must_enrol_second_factor": False,
            "second_factor_challenge": challenge["token"],
            "second_factor_challenge_expires_at": challenge["expires_at"],
            "user": serialize_user(user),
        }
    return open_session(session, user, remember_me, client_ip, user_agent)


def open_session(session: Session, user: User, remember_me: bool, client_ip: str | None, user_agent: str | None,
                 **audit_details: Any) -> dict[str, Any]:
    """Add a session for `user`, audit the sign-in and commit; return the result of `login`."""
    token, token_hash = new_token()
    now = utc_now()
    user_session = UserSession(id=new_id(), user_id=user.id, token_hash=token_hash, remember_me=remember_me,
                               created_at=now, last_seen_at=now, client_ip=client_ip, user_agent=(user_agent or "")[:300] or None,
                               expires_at=now + settings.REMEMBER_ME_DURATION if remember_me else None)
    session.add(user_session)
    audit.record(session, AuditAction.LOGIN_SUCCEEDED, user_id=user.id, organisation_id=user.organisation_id,
                 email=user.email, client_ip=client_ip, session_id=user_session.id, remember_me=remember_me,
                 **audit_details)
    must_enrol = second_factor.must_enrol(session, user)
    session.commit()
    logger.info("user %s signed in (session %s)", user.id, user_session.id)
    return {
        "session_token": token,
        "max_age": int(settings.REMEMBER_ME_DURATION.total_seconds()) if remember_me else None,
        "must_change_password": user.must_change_password,
        "must_enrol_second_factor": must_enrol,
        "second_factor_challenge": None,
        "second_factor_challenge_expires_at": None,
        "user": serialize_user(user),
    }


def find_live_session(session: Session, token: str) -> UserSession | None:
    """Return the session of `token` when it is neither revoked, expired nor idle for too long."""
    if not token:
        return None
    user_session = session.scalar(select(UserSession).where(UserSession.token_hash == digest(token)))
    if user_session is None or not is_live(user_session):
        return None
    return user_session


def is_live(user_session: UserSession) -> bool:
    if user_session.revoked_at is not None:
        return False
    now = utc_now()
    expires_at = as_utc(user_session.expires_at)
    if expires_at is not None and expires_at <= now:
        return False
    return user_session.remember_me or as_utc(user_session.last_seen_at) + settings.IDLE_TIMEOUT > now


def authenticate_session(session: Session, token: str) -> dict[str, Any] | None:
    """Return the identity behind a session token, or None when the session is not usable."""
    user_session = find_live_session(session, token)
    if user_session is None:
        return None
    user = session.get(User, user_session.user_id)
    if user is None or not user.is_active:
        return None

    now = utc_now()
    if as_utc(user_session.last_seen_at) + settings.LAST_SEEN_RESOLUTION <= now:
        user_session.last_seen_at = now
        session.commit()
    return identity(user, session_id=user_session.id,
                    must_enrol_second_factor=second_factor.must_enrol(session, user))


def identity(user: User, scopes: list[str] | None = None, token_id: str | None = None,
             session_id: str | None = None, must_enrol_second_factor: bool = False) -> dict[str, Any]:
    return {
        "user_id": user.id,
        "organisation_id": user.organisation_id,
        "role": user.role.value,
        "scopes": scopes,
        "language": user.language,
        "must_change_password": user.must_change_password,
        # Set for staff without a second factor while admins require one: only enrolment is allowed.
        "must_enrol_second_factor": must_enrol_second_factor,
        "token_id": token_id,
        "session_id": session_id,
    }


def logout(session: Session, token: str, everywhere: bool = False) -> None:
    """End the session of `token`, and with `everywhere` all the account's others; an ended session is ignored."""
    user_session = find_live_session(session, token)
    if user_session is None:
        return
    user_session.revoked_at = utc_now()
    if everywhere:
        revoke_user_sessions(session, user_session.user_id)
    audit.record(session, AuditAction.LOGOUT, user_id=user_session.user_id, session_id=user_session.id,
                 everywhere=everywhere)
    session.commit()


def revoke_user_sessions(session: Session, user_id: str, keep_session_id: str | None = None) -> None:
    """End every session of a user except `keep_session_id`; written with the caller's commit."""
    query = update(UserSession).where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
    if keep_session_id:
        query = query.where(UserSession.id != keep_session_id)
    session.execute(query.values(revoked_at=utc_now()))


def list_sessions(session: Session, caller: Caller, current_token: str | None) -> list[dict[str, Any]]:
    """Return the caller's open sessions, newest first, marking the one of `current_token`."""
    caller.require_authenticated()
    current_hash = digest(current_token) if current_token else None
    query = (select(UserSession).where(UserSession.user_id == caller.user_id, UserSession.revoked_at.is_(None))
             .order_by(UserSession.last_seen_at.desc()))
    return [serialize_session(item, item.token_hash == current_hash)
            for item in session.scalars(query) if is_live(item)]


def revoke_session(session: Session, caller: Caller, session_id: str) -> None:
    """End one of the caller's own sessions; raises SessionNotFound for any other."""
    caller.require_authenticated()
    user_session = session.get(UserSession, session_id)
    if user_session is None or user_session.user_id != caller.user_id or user_session.revoked_at is not None:
        raise SessionNotFound()
    user_session.revoked_at = utc_now()
    audit.record(session, AuditAction.SESSION_REVOKED, user_id=caller.user_id, session_id=session_id)
    session.commit()


def serialize_session(user_session: UserSession, current: bool) -> dict[str, Any]:
    return {
        "id": user_session.id,
        "created_at": isoformat(user_session.created_at),
        "last_seen_at": isoformat(user_session.last_seen_at),
        "expires_at": isoformat(user_session.expires_at) if user_session.expires_at else None,
        "remember_me": user_session.remember_me,
        "client_ip": user_session.client_ip,
        "user_agent": user_session.user_agent,
        "current": current,
    }

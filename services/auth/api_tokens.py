"""API tokens of third-party systems: created once, shown once, stored as a digest."""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.auth import audit, settings
from services.auth.exceptions import ApiTokenNotFound, InvalidApiToken, NotAllowed, UserNotFound
from services.auth.models import ApiToken, AuditAction, Role, User, new_id
from services.auth.sessions import as_utc, identity
from services.auth.tokens import digest, new_token
from services.common.caller import Caller
from services.common.errors import field_error
from services.common.events import isoformat, utc_now

logger = logging.getLogger(__name__)

SCOPES = ("tickets:read", "tickets:write", "news:read", "catalog:read", "admin")
TOKEN_PREFIX = "ptl_"
NAME_MAX = 100


def can_manage_tokens_of(caller: Caller, user: User) -> bool:
    """Admins manage every token; a customer manager manages those of their own organisation."""
    if caller.scopes is not None:
        return False
    if caller.is_admin:
        return True
    return caller.role == Role.CUSTOMER_MANAGER.value and user.organisation_id == caller.organisation_id


def create_token(session: Session, caller: Caller, values: dict[str, Any]) -> dict[str, Any]:
    """Create a token acting as `values["user_id"]` (the caller by default); the clear token is returned once."""
    caller.require_authenticated()
    user = session.get(User, values.get("user_id") or caller.user_id)
    if user is None or (not caller.is_admin and user.organisation_id != caller.organisation_id):
        # Another organisation's account is reported as missing, so that its existence does not leak.
        raise UserNotFound()
    if not can_manage_tokens_of(caller, user):
        raise NotAllowed()
    name, scopes, expires_at = validate(values, user)

    token, token_hash = new_token(TOKEN_PREFIX)
    api_token = ApiToken(id=new_id(), user_id=user.id, organisation_id=user.organisation_id,
                         created_by_id=caller.user_id, name=name, token_hash=token_hash,
                         prefix=token[:len(TOKEN_PREFIX) + 6], scopes=scopes, expires_at=expires_at)
    session.add(api_token)
    audit.record(session, AuditAction.TOKEN_CREATED, user_id=user.id, actor_id=caller.user_id,
                 organisation_id=user.organisation_id, token_id=api_token.id, scopes=scopes)
    session.commit()
    logger.info("API token %s created for user %s by %s", api_token.id, user.id, caller.user_id)
    return {"token": token, "api_token": serialize(api_token)}


def validate(values: dict[str, Any], user: User) -> tuple[str, list[str], datetime | None]:
    errors = []
    name = (values.get("name") or "").strip()
    if not name or len(name) > NAME_MAX:
        errors.append(field_error("name", "REQUIRED" if not name else "TOO_LONG",
                                  f"Donnez au jeton un nom de 1 à {NAME_MAX} caractères.",
                                  f"Give the token a name of 1 to {NAME_MAX} characters."))
    scopes = sorted(set(values.get("scopes") or []))
    unknown = [scope for scope in scopes if scope not in SCOPES]
    if not scopes or unknown:
        errors.append(field_error("scopes", "INVALID_CHOICE",
                                  f"Choisissez au moins une portée parmi : {', '.join(SCOPES)}.",
                                  f"Choose at least one scope among: {', '.join(SCOPES)}."))
    elif "admin" in scopes and user.role != Role.ADMIN:
        errors.append(field_error("scopes", "NOT_ALLOWED", "Seul un compte administrateur peut porter la portée admin.",
                                  "Only an admin account may carry the admin scope."))
    expires_at = None
    if values.get("expires_at"):
        try:
            expires_at = as_utc(datetime.fromisoformat(values["expires_at"]))
        except ValueError:
            expires_at = None
        if expires_at is None or expires_at <= utc_now():
            errors.append(field_error("expiresAt", "INVALID_DATETIME", "La date d'expiration doit être à venir.",
                                      "The expiry date must be in the future."))
    if errors:
        raise InvalidApiToken(fields=errors)
    return name, scopes, expires_at


def authenticate_token(session: Session, token: str) -> dict[str, Any] | None:
    """Return the identity of a bearer token, or None when it is unknown, expired or revoked."""
    if not token:
        return None
    api_token = session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(token)))
    if api_token is None or api_token.revoked_at is not None:
        return None
    now = utc_now()
    if api_token.expires_at is not None and as_utc(api_token.expires_at) <= now:
        return None
    user = session.get(User, api_token.user_id)
    if user is None or not user.is_active:
        return None

    last_used_at = as_utc(api_token.last_used_at)
    if last_used_at is None:
        # Later uses only move last_used_at; one line per request would drown the log.
        audit.record(session, AuditAction.TOKEN_USED, user_id=user.id, organisation_id=user.organisation_id,
                     token_id=api_token.id)
    if last_used_at is None or last_used_at + settings.LAST_SEEN_RESOLUTION <= now:
        api_token.last_used_at = now
        session.commit()
    result = identity(user, scopes=list(api_token.scopes), token_id=api_token.id)
    # A token never has to change a password; the lock is for people.
    result["must_change_password"] = False
    return result


def list_tokens(session: Session, caller: Caller, organisation_id: str | None = None) -> list[dict[str, Any]]:
    """Return the tokens the caller manages: all of them (or one organisation's) for admins, their organisation's for managers."""
    caller.require_authenticated()
    if caller.scopes is not None:
        raise NotAllowed()
    query = select(ApiToken).order_by(ApiToken.created_at.desc())
    if caller.is_admin:
        if organisation_id:
            query = query.where(ApiToken.organisation_id == organisation_id)
    elif caller.role == Role.CUSTOMER_MANAGER.value:
        query = query.where(ApiToken.organisation_id == caller.organisation_id)
    else:
        query = query.where(ApiToken.user_id == caller.user_id)
    return [serialize(item) for item in session.scalars(query)]


def revoke_token(session: Session, caller: Caller, token_id: str) -> dict[str, Any]:
    caller.require_authenticated()
    api_token = session.get(ApiToken, token_id)
    user = session.get(User, api_token.user_id) if api_token else None
    if api_token is None or user is None or not (can_manage_tokens_of(caller, user) or user.id == caller.user_id
                                                 and caller.scopes is None):
        raise ApiTokenNotFound()
    if api_token.revoked_at is None:
        api_token.revoked_at = utc_now()
        audit.record(session, AuditAction.TOKEN_REVOKED, user_id=user.id, actor_id=caller.user_id,
                     organisation_id=user.organisation_id, token_id=api_token.id)
        session.commit()
    return serialize(api_token)


def serialize(api_token: ApiToken) -> dict[str, Any]:
    return {
        "id": api_token.id,
        "name": api_token.name,
        "prefix": api_token.prefix,
        "user_id": api_token.user_id,
        "organisation_id": api_token.organisation_id,
        "scopes": list(api_token.scopes),
        "created_at": isoformat(api_token.created_at),
        "expires_at": isoformat(api_token.expires_at) if api_token.expires_at else None,
        "last_used_at": isoformat(api_token.last_used_at) if api_token.last_used_at else None,
        "revoked_at": isoformat(api_token.revoked_at) if api_token.revoked_at else None,
    }

"""User administration: admins manage every account, customer managers those of their organisation."""
from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from services.auth import audit, settings
from services.auth.accounts import normalize_email, serialize_usage_rights, serialize_user
from services.auth.credentials import issue_password_token
from services.auth.exceptions import InvalidUser, NotAllowed, UserNotFound
from services.auth.models import (AuditAction, Organisation, OrganisationKind, Outbox, PasswordTokenPurpose, Role,
                                  SecondFactor, User)
from services.auth.sessions import revoke_user_sessions
from services.common.caller import Caller
from services.common.email_addresses import is_well_formed
from services.common.errors import field_error
from services.common.outbox import stage_event
from services.common.pagination import paginate

logger = logging.getLogger(__name__)

NAME_MAX = 100
PHONE_MAX = 40
LANGUAGES = ("fr", "en")
CUSTOMER_ROLES = (Role.CUSTOMER, Role.CUSTOMER_MANAGER)


def require_administrator(caller: Caller) -> None:
    """Allow admins and customer managers, signed in as people (API tokens need the `admin` scope)."""
    caller.require_authenticated()
    if caller.role not in (Role.ADMIN.value, Role.CUSTOMER_MANAGER.value) or not caller.has_scope("admin"):
        raise NotAllowed()


def managed_user(session: Session, caller: Caller, user_id: str) -> User:
    """Return a user the caller administers; another organisation's user is reported as not found."""
    require_administrator(caller)
    user = session.get(User, user_id)
    if user is None or (not caller.is_admin and user.organisation_id != caller.organisation_id):
        raise UserNotFound()
    return user


def list_users(session: Session, caller: Caller, filters: dict[str, Any], first: int | None,
               after: str | None) -> dict[str, Any]:
    """Return a page of accounts by name; staff see all, customer managers their organisation's."""
    caller.require_authenticated()
    if not caller.is_agent:
        require_administrator(caller)
    query = select(User)
    organisation_id = filters.get("organisation_id") if caller.is_agent else caller.organisation_id
    if organisation_id:
        query = query.where(User.organisation_id == organisation_id)
    if filters.get("search"):
        search = filters["search"].strip().lower()
        query = query.where(or_(User.email.contains(search, autoescape=True),
                                func.lower(User.last_name).contains(search, autoescape=True),
                                func.lower(User.first_name).contains(search, autoescape=True)))
    if filters.get("active") is not None:
        query = query.where(User.is_active.is_(bool(filters["active"])))
    if filters.get("roles"):
        known = {role.value for role in Role}
        query = query.where(User.role.in_([Role(role) for role in filters["roles"] if role in known]))
    query = query.order_by(User.last_name, User.first_name, User.email)
    return paginate(session, query, first, after, serialize_admin_view)


def create_user(session: Session, caller: Caller, values: dict[str, Any]) -> dict[str, Any]:
    """Create an account and send it an invitation link (`user_invited`); raises InvalidUser."""
    require_administrator(caller)
    organisation_id = values.get("organisation_id") if caller.is_admin else caller.organisation_id
    organisation = session.get(Organisation, organisation_id) if organisation_id else None
    if organisation is None:
        raise InvalidUser(fields=[field_error("organisationId", "REQUIRED", "Choisissez une organisation existante.",
                                              "Choose an existing organisation.")])
    email = normalize_email(values.get("email") or "")
    errors = validate_profile(values) + validate_role(caller, organisation, values.get("role") or "customer")
    if not is_well_formed(email):
        errors.append(field_error("email", "INVALID", f"Adresse e-mail « {email} » invalide.",
                                  f"Invalid e-mail address '{email}'."))
    elif session.scalar(select(User.id).where(User.email == email)) is not None:
        errors.append(field_error("email", "TAKEN", "Un compte existe déjà avec cette adresse e-mail.",
                                  "An account already uses this e-mail address."))
    if errors:
        raise InvalidUser(fields=errors)

    user = User(email=email, organisation_id=organisation.id, role=Role(values.get("role") or "customer"),
                first_name=(values.get("first_name") or "").strip(), last_name=(values.get("last_name") or "").strip(),
                phone=(values.get("phone") or "").strip() or None, language=values.get("language") or "fr",
                product_space_ids=values.get("product_space_ids"),
                support_access=values.get("support_access", True) is not False)
    session.add(user)
    session.flush()
    data = issue_password_token(session, user, PasswordTokenPurpose.INVITATION, settings.invitation_lifetime())
    stage_event(session, Outbox, "user_invited", data, actor={"type": "user", "user_id": caller.user_id})
    audit.record(session, AuditAction.USER_CREATED, user_id=user.id, actor_id=caller.user_id,
                 organisation_id=organisation.id, email=email, role=user.role.value)
    session.commit()
    logger.info("user %s created in organisation %s by %s", user.id, organisation.id, caller.user_id)
    return serialize_admin_view(user)


def update_user_access(session: Session, caller: Caller, user_id: str, values: dict[str, Any]) -> dict[str, Any]:
    """Change a user's role and usage rights; only keys present in `values` change."""
    user = managed_user(session, caller, user_id)
    organisation = session.get(Organisation, user.organisation_id)
    if "role" in values and values["role"] is not None:
        errors = validate_role(caller, organisation, values["role"])
        if user.id == caller.user_id and values["role"] != user.role.value:
            errors.append(field_error("role", "OWN_ROLE", "Vous ne pouvez pas changer votre propre rôle.",
                                      "You cannot change your own role."))
        if errors:
            raise InvalidUser(fields=errors)
        if values["role"] != user.role.value:
            audit.record(session, AuditAction.ROLE_CHANGED, user_id=user.id, actor_id=caller.user_id,
                         organisation_id=user.organisation_id, old_role=user.role.value, new_role=values["role"])
            user.role = Role(values["role"])
    if "product_space_ids" in values:
        user.product_space_ids = values["product_space_ids"]
    if values.get("support_access") is not None:
        user.support_access = bool(values["support_access"])
    session.commit()
    return serialize_admin_view(user)


def set_user_active(session: Session, caller: Caller, user_id: str, active: bool) -> dict[str, Any]:
    """Disable or enable an account; disabling ends its sessions at once."""
    user = managed_user(session, caller, user_id)
    if user.id == caller.user_id:
        raise InvalidUser(fields=[field_error("userId", "OWN_ACCOUNT", "Vous ne pouvez pas désactiver votre compte.",
                                              "You cannot disable your own account.")])
    if user.is_active != active:
        audit.record(session, AuditAction.USER_REACTIVATED if active else AuditAction.USER_DEACTIVATED,
                     user_id=user.id, actor_id=caller.user_id, organisation_id=user.organisation_id)
    user.is_active = active
    if not active:
        revoke_user_sessions(session, user.id)
    session.commit()
    logger.info("user %s %s by %s", user.id, "enabled" if active else "disabled", caller.user_id)
    return serialize_admin_view(user)


def get_managed_user(session: Session, caller: Caller, user_id: str) -> dict[str, Any]:
    """Return an account the caller administers with its usage rights; raises UserNotFound otherwise."""
    user = managed_user(session, caller, user_id)
    result = serialize_admin_view(user)
    result["second_factor_enabled"] = session.scalar(
        select(SecondFactor.user_id).where(SecondFactor.user_id == user.id, SecondFactor.enabled_at.is_not(None))
    ) is not None
    return result


def resend_invitation(session: Session, caller: Caller, user_id: str) -> dict[str, Any]:
    """Send a new invitation link (`user_invited`) to an active account that has never set a password.

    Earlier links keep working until they expire or the password is set, which ends every one of them.
    """
    user = managed_user(session, caller, user_id)
    if user.password_hash is not None:
        raise InvalidUser(fields=[field_error(
            "userId", "ALREADY_ACTIVATED",
            f"Le compte {user.email} a déjà un mot de passe : il peut utiliser « Mot de passe oublié ? ».",
            f"The account {user.email} already has a password: it can use 'Forgot your password?'.")])
    if not user.is_active:
        raise InvalidUser(fields=[field_error(
            "userId", "INACTIVE", f"Le compte {user.email} est désactivé : réactivez-le d'abord.",
            f"The account {user.email} is disabled: enable it first.")])
    data = issue_password_token(session, user, PasswordTokenPurpose.INVITATION, settings.invitation_lifetime())
    stage_event(session, Outbox, "user_invited", data, actor={"type": "user", "user_id": caller.user_id})
    audit.record(session, AuditAction.INVITATION_RESENT, user_id=user.id, actor_id=caller.user_id,
                 organisation_id=user.organisation_id, email=user.email)
    session.commit()
    logger.info("invitation of user %s sent again by %s", user.id, caller.user_id)
    return serialize_admin_view(user)


def update_own_profile(session: Session, caller: Caller, values: dict[str, Any]) -> dict[str, Any]:
    """Change the caller's own names, phone and language."""
    caller.require_authenticated()
    user = session.get(User, caller.user_id)
    if user is None:
        raise UserNotFound()
    errors = validate_profile(values)
    if errors:
        raise InvalidUser(fields=errors)
    for key in ("first_name", "last_name", "language"):
        if values.get(key) is not None:
            setattr(user, key, values[key].strip())
    if values.get("phone") is not None:
        user.phone = values["phone"].strip() or None
    session.commit()
    return serialize_user(user)


def validate_profile(values: dict[str, Any]) -> list[dict[str, Any]]:
    errors = []
    for key, field in (("first_name", "firstName"), ("last_name", "lastName")):
        if len(values.get(key) or "") > NAME_MAX:
            errors.append(field_error(field, "TOO_LONG", f"{NAME_MAX} caractères au plus.",
                                      f"At most {NAME_MAX} characters."))
    if len(values.get("phone") or "") > PHONE_MAX:
        errors.append(field_error("phone", "TOO_LONG", f"{PHONE_MAX} caractères au plus.",
                                  f"At most {PHONE_MAX} characters."))
    if values.get("language") is not None and values["language"] not in LANGUAGES:
        errors.append(field_error("language", "INVALID_CHOICE", "Langue attendue : fr ou en.",
                                  "Expected language: fr or en."))
    return errors


def validate_role(caller: Caller, organisation: Organisation | None, role: str) -> list[dict[str, Any]]:
    """Customer organisations hold customer roles only, the vendor staff roles only; managers grant customer roles."""
    if role not in {item.value for item in Role}:
        return [field_error("role", "INVALID_CHOICE", f"Rôle « {role} » inconnu.", f"Unknown role '{role}'.")]
    staff = Role(role) not in CUSTOMER_ROLES
    if organisation is not None and staff != (organisation.kind == OrganisationKind.VENDOR):
        return [field_error("role", "WRONG_ORGANISATION",
                            "Ce rôle ne convient pas à cette organisation (rôles agent et admin réservés à l'éditeur).",
                            "This role does not suit this organisation (agent and admin are for the vendor only).")]
    if staff and not caller.is_admin:
        raise NotAllowed()
    return []


def serialize_admin_view(user: User) -> dict[str, Any]:
    result = serialize_user(user)
    result["usage_rights"] = serialize_usage_rights(user)
    result["has_password"] = user.password_hash is not None
    return result

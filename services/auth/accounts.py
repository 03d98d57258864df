"""Reading users and organisations, scoped to what the caller may see."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.auth.exceptions import UserNotFound
from services.auth.models import Organisation, OrganisationKind, Role, User
from services.common.caller import Caller

STAFF_ROLES = (Role.AGENT, Role.ADMIN)


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def is_internal(caller: Caller) -> bool:
    """Return whether the call comes from another service's own work (an event handler, a command)."""
    return caller.is_internal


def can_see_user(caller: Caller, user: User) -> bool:
    """Staff see every account; customers see their organisation's accounts and the vendor's staff.

    Customers need the staff's names because agents reply to and own their tickets.
    """
    if is_internal(caller) or caller.is_agent:
        return True
    return user.organisation_id == caller.organisation_id or user.role in STAFF_ROLES


def can_see_organisation(caller: Caller, organisation: Organisation) -> bool:
    if is_internal(caller) or caller.is_agent:
        return True
    return organisation.id == caller.organisation_id or organisation.kind == OrganisationKind.VENDOR


def require_reader(caller: Caller) -> None:
    if not is_internal(caller):
        caller.require_authenticated()


def get_users(session: Session, caller: Caller, ids: list[str]) -> list[dict[str, Any] | None]:
    """Return the users in the order of `ids`, with None for unknown ids and ones the caller may not see."""
    require_reader(caller)
    found = {user.id: user for user in session.scalars(select(User).where(User.id.in_(set(ids))))}
    return [serialize_user(found[user_id]) if user_id in found and can_see_user(caller, found[user_id]) else None
            for user_id in ids]


def get_organisations(session: Session, caller: Caller, ids: list[str]) -> list[dict[str, Any] | None]:
    require_reader(caller)
    found = {org.id: org for org in session.scalars(select(Organisation).where(Organisation.id.in_(set(ids))))}
    return [serialize_organisation(found[org_id])
            if org_id in found and can_see_organisation(caller, found[org_id]) else None
            for org_id in ids]


def list_agents(session: Session, caller: Caller) -> list[dict[str, Any]]:
    """Return the active agents and admins, by name."""
    require_reader(caller)
    query = (select(User).where(User.role.in_(STAFF_ROLES), User.is_active.is_(True))
             .order_by(User.last_name, User.first_name, User.email))
    return [serialize_user(user) for user in session.scalars(query)]


def list_users(session: Session, caller: Caller, organisation_ids: list[str] | None,
               roles: list[str] | None) -> list[dict[str, Any]]:
    """Return active users by organisation and role; a customer caller gets their organisation's only."""
    require_reader(caller)
    query = select(User).where(User.is_active.is_(True))
    if not (is_internal(caller) or caller.is_agent):
        # Customers only ever get their own organisation's accounts.
        wanted = organisation_ids is None or caller.organisation_id in organisation_ids
        organisation_ids = [caller.organisation_id] if wanted else []
    if organisation_ids is not None:
        query = query.where(User.organisation_id.in_(organisation_ids))
    if roles is not None:
        known = {role.value for role in Role}
        query = query.where(User.role.in_([Role(role) for role in roles if role in known]))
    return [serialize_user(user) for user in session.scalars(query.order_by(User.email))]


def get_profile(session: Session, caller: Caller) -> dict[str, Any]:
    """Return the caller's own account with its usage rights and its organisation."""
    caller.require_authenticated()
    user = session.get(User, caller.user_id)
    organisation = session.get(Organisation, user.organisation_id) if user else None
    if user is None or organisation is None:
        raise UserNotFound()
    profile = serialize_user(user)
    profile["must_change_password"] = user.must_change_password
    profile["organisation"] = serialize_organisation(organisation)
    profile["usage_rights"] = serialize_usage_rights(user)
    # Imported here because second_factor builds on this module's serializers.
    from services.auth import second_factor
    profile.update(second_factor.status(session, user))
    return profile


def serialize_usage_rights(user: User) -> dict[str, Any]:
    staff = user.role in STAFF_ROLES
    return {
        # None: every product space that the organisation's contracts cover.
        "product_space_ids": None if staff else user.product_space_ids,
        "support_access": True if staff else user.support_access,
    }


def serialize_user(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "display_name": user.display_name,
        "organisation_id": user.organisation_id,
        "role": user.role.value,
        "language": user.language,
        "phone": user.phone,
        "is_active": user.is_active,
    }


def serialize_organisation(organisation: Organisation) -> dict[str, Any]:
    return {"id": organisation.id, "name": organisation.name, "kind": organisation.kind.value}

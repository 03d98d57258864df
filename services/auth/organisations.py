"""Organisation administration: admins create and rename customer organisations.

Staff list every organisation; anyone else lists only their own, so a customer manager never learns
which other bodies are customers. Names are unique regardless of case, because the import of
accounts finds organisations by name the same way.
"""
from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.auth import audit
from services.auth.accounts import serialize_organisation
from services.auth.exceptions import InvalidOrganisation, NotAllowed, OrganisationNotFound
from services.auth.models import AuditAction, Organisation, OrganisationKind, User
from services.common.caller import Caller
from services.common.errors import field_error
from services.common.pagination import paginate

logger = logging.getLogger(__name__)

NAME_MAX = 200


def require_admin(caller: Caller) -> None:
    """Allow admins signed in as people, or their API tokens with the `admin` scope."""
    caller.require_authenticated()
    if not caller.is_admin or not caller.has_scope("admin"):
        raise NotAllowed()


def list_organisations(session: Session, caller: Caller, filters: dict[str, Any], first: int | None,
                       after: str | None) -> dict[str, Any]:
    """Return a page of organisations by name, each with its number of accounts."""
    caller.require_authenticated()
    query = select(Organisation)
    if not caller.is_agent:
        query = query.where(Organisation.id == caller.organisation_id)
    if filters.get("search"):
        search = filters["search"].strip().lower()
        query = query.where(func.lower(Organisation.name).contains(search, autoescape=True))
    if filters.get("kind"):
        query = query.where(Organisation.kind == OrganisationKind(filters["kind"]))
    query = query.order_by(func.lower(Organisation.name), Organisation.id)
    page = paginate(session, query, first, after, serialize_organisation)
    counts = dict(session.execute(
        select(User.organisation_id, func.count(User.id))
        .where(User.organisation_id.in_([item["id"] for item in page["items"]]))
        .group_by(User.organisation_id)).all())
    for item in page["items"]:
        item["user_count"] = counts.get(item["id"], 0)
    return page


def create_organisation(session: Session, caller: Caller, values: dict[str, Any]) -> dict[str, Any]:
    """Create a customer organisation; raises InvalidOrganisation for an empty, long or taken name."""
    require_admin(caller)
    name = clean_name(session, values.get("name"), None)
    organisation = Organisation(name=name, kind=OrganisationKind.CUSTOMER)
    session.add(organisation)
    session.flush()
    audit.record(session, AuditAction.ORGANISATION_CREATED, actor_id=caller.user_id,
                 organisation_id=organisation.id, name=name)
    commit_unique(session, name)
    logger.info("organisation %s created by %s", organisation.id, caller.user_id)
    return serialize_organisation(organisation)


def update_organisation(session: Session, caller: Caller, organisation_id: str,
                        values: dict[str, Any]) -> dict[str, Any]:
    """Rename an organisation; the audit log keeps the previous name."""
    require_admin(caller)
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise OrganisationNotFound()
    if values.get("name") is not None:
        name = clean_name(session, values["name"], organisation.id)
        if name != organisation.name:
            audit.record(session, AuditAction.ORGANISATION_RENAMED, actor_id=caller.user_id,
                         organisation_id=organisation.id, old_name=organisation.name, new_name=name)
            organisation.name = name
    commit_unique(session, organisation.name)
    return serialize_organisation(organisation)


def clean_name(session: Session, raw: str | None, own_id: str | None) -> str:
    """Return the trimmed name, or raise InvalidOrganisation when it is empty, too long or used by another."""
    name = " ".join((raw or "").split())
    if not name:
        raise InvalidOrganisation(fields=[field_error("name", "REQUIRED", "Indiquez le nom de l'organisation.",
                                                      "Enter the organisation's name.")])
    if len(name) > NAME_MAX:
        raise InvalidOrganisation(fields=[field_error(
            "name", "TOO_LONG", f"{NAME_MAX} caractères au plus ({len(name)} saisis).",
            f"At most {NAME_MAX} characters ({len(name)} entered).")])
    taken = session.scalar(select(Organisation.id).where(func.lower(Organisation.name) == name.lower(),
                                                         Organisation.id != (own_id or "")))
    if taken is not None:
        raise name_taken(name)
    return name


def name_taken(name: str) -> InvalidOrganisation:
    return InvalidOrganisation(fields=[field_error(
        "name", "TAKEN", f"Une organisation s'appelle déjà « {name} » : choisissez un autre nom.",
        f"An organisation is already named '{name}': choose another name.")])


def commit_unique(session: Session, name: str) -> None:
    """Commit; a concurrent request that took the same name first ends in the same TAKEN error."""
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise name_taken(name) from None

"""Who may read what in the catalog: the vendor's agents read everything, customers their own organisation."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from services.common.caller import Caller
from services.catalog.exceptions import OrganisationNotFound

# Contract dates are local dates of the French customers, so "today" is taken in Paris.
CONTRACT_TIMEZONE = ZoneInfo("Europe/Paris")
READ_SCOPE = "catalog:read"
ADMIN_SCOPE = "admin"


def contract_today() -> date:
    return datetime.now(CONTRACT_TIMEZONE).date()


def require_reader(caller: Caller) -> None:
    """Raise Unauthenticated for an anonymous caller, Forbidden for a token without `catalog:read`."""
    caller.require_scope(READ_SCOPE)


def require_administrator(caller: Caller) -> None:
    """Raise unless the caller is an agent (or admin) allowed to change the catalog."""
    caller.require_agent()
    caller.require_scope(ADMIN_SCOPE)


def readable_organisation(caller: Caller, organisation_id: str | None, scope: str | None = None) -> str:
    """Return the organisation the caller may read, given the one requested.

    A customer may only name their own organisation. Any other raises OrganisationNotFound, so the
    result never tells whether that organisation exists, and a customer who names none gets their own.
    An API token must also hold `scope` when given. Methods that serve other services' features
    (entitlements, news audiences) pass none, because those services check their own scope first.
    """
    if caller.is_internal and organisation_id:
        # Another service's own work (notify addressing a news item) reads any organisation.
        return organisation_id
    if scope is None:
        caller.require_authenticated()
    else:
        caller.require_scope(scope)
    if caller.is_agent:
        if not organisation_id:
            raise OrganisationNotFound()
        return organisation_id
    if not caller.organisation_id or (organisation_id and organisation_id != caller.organisation_id):
        raise OrganisationNotFound()
    return caller.organisation_id


def organisation_filter(caller: Caller, organisation_id: str | None) -> str | None:
    """Return the organisation a list must be limited to; None lets an agent list every organisation."""
    require_reader(caller)
    if caller.is_agent:
        return organisation_id or None
    return readable_organisation(caller, organisation_id, READ_SCOPE)

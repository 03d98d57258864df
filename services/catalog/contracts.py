"""Contracts, sites and services as customers and agents read them."""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from services.common.caller import Caller
from services.common.pagination import paginate
from services.catalog import serializers
from services.catalog.access import contract_today, organisation_filter, readable_organisation, require_reader
from services.catalog.models import Contract, Service, Site, contract_product


def contract_query() -> Any:
    return select(Contract).options(
        selectinload(Contract.products), selectinload(Contract.services), selectinload(Contract.sites))


def organisation_contracts(session: Session, organisation_id: str) -> list[Contract]:
    query = contract_query().where(Contract.organisation_id == organisation_id)
    return list(session.scalars(query.order_by(Contract.end_date.desc(), Contract.number)))


def active_product_ids(session: Session, organisation_id: str, today: date) -> list[str]:
    """Return the ids of the products covered by the organisation's contracts active on `today`."""
    query = (
        select(contract_product.c.product_id).distinct()
        .join(Contract, Contract.id == contract_product.c.contract_id)
        .where(Contract.organisation_id == organisation_id, Contract.start_date <= today,
               Contract.end_date >= today)
    )
    return sorted(session.scalars(query))


def list_organisation_product_ids(session: Session, caller: Caller, organisation_id: str) -> list[str]:
    """Return the products of the organisation's active contracts; raises OrganisationNotFound for another's."""
    return active_product_ids(session, readable_organisation(caller, organisation_id), contract_today())


def list_contracts(session: Session, caller: Caller, organisation_id: str | None, first: int | None,
                   after: str | None) -> dict[str, Any]:
    """Return a page of contracts, latest end first: the caller's organisation's, or any for agents."""
    scoped = organisation_filter(caller, organisation_id)
    query = contract_query()
    if scoped is not None:
        query = query.where(Contract.organisation_id == scoped)
    today = contract_today()
    return paginate(session, query.order_by(Contract.end_date.desc(), Contract.number), first, after,
                    lambda item: serializers.contract(item, today))


def _visible_to(caller: Caller, organisation_id: str) -> bool:
    return caller.is_agent or organisation_id == caller.organisation_id


def get_contracts(session: Session, caller: Caller, ids: list[str]) -> list[dict[str, Any] | None]:
    """Return contracts in the order of `ids`; None for those missing or of another organisation.

    No token scope is required, because other services' pages (a ticket's contract) read them too.
    """
    caller.require_authenticated()
    found = {item.id: item for item in session.scalars(contract_query().where(Contract.id.in_(ids)))}
    today = contract_today()
    return [
        serializers.contract(found[i], today) if i in found and _visible_to(caller, found[i].organisation_id)
        else None
        for i in ids
    ]


def list_sites(session: Session, caller: Caller, organisation_id: str | None, first: int | None,
               after: str | None) -> dict[str, Any]:
    scoped = organisation_filter(caller, organisation_id)
    query = select(Site)
    if scoped is not None:
        query = query.where(Site.organisation_id == scoped)
    return paginate(session, query.order_by(Site.name, Site.id), first, after, serializers.site)


def get_sites(session: Session, caller: Caller, ids: list[str]) -> list[dict[str, Any] | None]:
    """Return sites in the order of `ids`; None for those missing or of another organisation.

    No token scope is required, because other services' pages (a ticket's site) read them too.
    """
    caller.require_authenticated()
    found = {item.id: item for item in session.scalars(select(Site).where(Site.id.in_(ids)))}
    return [
        serializers.site(found[i]) if i in found and _visible_to(caller, found[i].organisation_id) else None
        for i in ids
    ]


def list_services(session: Session, caller: Caller) -> list[dict[str, Any]]:
    """Return every service the vendor offers, by name; any signed-in caller may read them."""
    require_reader(caller)
    return [serializers.service(item) for item in session.scalars(select(Service).order_by(Service.name))]


def get_services(session: Session, caller: Caller, ids: list[str]) -> list[dict[str, Any] | None]:
    caller.require_authenticated()
    found = {item.id: item for item in session.scalars(select(Service).where(Service.id.in_(ids)))}
    return [serializers.service(found[i]) if i in found else None for i in ids]

"""How agents write customer sites and contracts; every contract change announces `contract_changed`."""
from __future__ import annotations

import logging
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.common.caller import Caller
from services.common.errors import field_error
from services.common.outbox import stage_event
from services.catalog import serializers
from services.catalog.access import contract_today, require_administrator
from services.catalog.contracts import contract_query
from services.catalog.exceptions import ContractNotFound, InvalidContract, InvalidSite, SiteNotFound
from services.catalog.models import Contract, Outbox, Product, Service, Site, SupportLevel
from services.catalog.validation import optional_text, parse_date, required_text

logger = logging.getLogger(__name__)

SITE_FIELDS = ("organisation_id", "name", "address", "postal_code", "city")
CONTRACT_FIELDS = ("number", "organisation_id", "start_date", "end_date", "support_level", "product_ids",
                   "service_ids", "site_ids")


def _site_errors(values: dict[str, Any]) -> list[dict[str, Any]]:
    errors = required_text(values, "organisation_id", "organisationId", "L'organisation", "The organisation", 36)
    errors += required_text(values, "name", "name", "Le nom du site", "The site name", 120)
    errors += optional_text(values, "address", "address", "L'adresse", "The address", 300)
    errors += optional_text(values, "postal_code", "postalCode", "Le code postal", "The postal code", 10)
    errors += optional_text(values, "city", "city", "La commune", "The city", 120)
    return errors


def _apply_site(site: Site, values: dict[str, Any]) -> None:
    site.organisation_id = values["organisation_id"]
    site.name = values["name"].strip()
    site.address = (values.get("address") or "").strip()
    site.postal_code = (values.get("postal_code") or "").strip()
    site.city = (values.get("city") or "").strip()


def create_site(session: Session, caller: Caller, values: dict[str, Any]) -> dict[str, Any]:
    """Add a site to an organisation; raises InvalidSite with the failing fields."""
    require_administrator(caller)
    errors = _site_errors(values)
    if errors:
        raise InvalidSite(fields=errors)
    site = Site()
    _apply_site(site, values)
    session.add(site)
    session.commit()
    logger.info("site %s of organisation %s created by %s", site.id, site.organisation_id, caller.user_id)
    return serializers.site(site)


def update_site(session: Session, caller: Caller, site_id: str, values: dict[str, Any]) -> dict[str, Any]:
    require_administrator(caller)
    site = session.get(Site, site_id)
    if site is None:
        raise SiteNotFound()
    merged = {key: getattr(site, key) for key in SITE_FIELDS}
    merged.update({key: value for key, value in values.items() if key in SITE_FIELDS and value is not None})
    errors = _site_errors(merged)
    if errors:
        raise InvalidSite(fields=errors)
    _apply_site(site, merged)
    session.commit()
    return serializers.site(site)


def _missing_ids(session: Session, model: type, ids: list[str]) -> list[str]:
    found = set(session.scalars(select(model.id).where(model.id.in_(ids))))  # type: ignore[attr-defined]
    return [item for item in ids if item not in found]


def _reference_errors(session: Session, values: dict[str, Any]) -> list[dict[str, Any]]:
    errors = []
    product_ids = list(values.get("product_ids") or [])
    service_ids = list(values.get("service_ids") or [])
    site_ids = list(values.get("site_ids") or [])
    if not product_ids:
        errors.append(field_error("productIds", "REQUIRED", "Choisissez au moins un produit.",
                                  "Choose at least one product."))
    elif missing := _missing_ids(session, Product, product_ids):
        errors.append(field_error("productIds", "NOT_FOUND", f"Produits introuvables : {', '.join(missing)}.",
                                  f"Products not found: {', '.join(missing)}."))
    if not service_ids:
        errors.append(field_error("serviceIds", "REQUIRED", "Choisissez au moins une prestation.",
                                  "Choose at least one service."))
    elif missing := _missing_ids(session, Service, service_ids):
        errors.append(field_error("serviceIds", "NOT_FOUND", f"Prestations introuvables : {', '.join(missing)}.",
                                  f"Services not found: {', '.join(missing)}."))
    sites = list(session.scalars(select(Site).where(Site.id.in_(site_ids))))
    foreign = [item.id for item in sites if item.organisation_id != values.get("organisation_id")]
    missing_sites = [item for item in site_ids if item not in {site.id for site in sites}]
    if not site_ids:
        errors.append(field_error("siteIds", "REQUIRED", "Choisissez au moins un site.", "Choose at least one site."))
    elif missing_sites or foreign:
        wrong = ", ".join(missing_sites + foreign)
        errors.append(field_error("siteIds", "NOT_FOUND",
                                  f"Sites introuvables pour cette organisation : {wrong}.",
                                  f"Sites not found for this organisation: {wrong}."))
    return errors


def _contract_errors(session: Session, values: dict[str, Any],
                     contract_id: str | None) -> tuple[list[dict[str, Any]], date | None, date | None]:
    errors = required_text(values, "number", "number", "Le numéro de contrat", "The contract number", 40)
    errors += required_text(values, "organisation_id", "organisationId", "L'organisation", "The organisation", 36)
    start, start_errors = parse_date(values.get("start_date"), "startDate", "La date de début", "The start date")
    end, end_errors = parse_date(values.get("end_date"), "endDate", "La date de fin", "The end date")
    errors += start_errors + end_errors
    if start and end and end < start:
        errors.append(field_error("endDate", "BEFORE_START", "La date de fin précède la date de début.",
                                  "The end date is before the start date."))
    level = values.get("support_level") or SupportLevel.STANDARD.value
    if level not in {item.value for item in SupportLevel}:
        errors.append(field_error("supportLevel", "INVALID_CHOICE", f"Niveau de support « {level} » inconnu.",
                                  f"Unknown support level '{level}'."))
    number = (values.get("number") or "").strip() if isinstance(values.get("number"), str) else ""
    if number:
        existing = session.scalar(select(Contract).where(Contract.number == number))
        if existing is not None and existing.id != contract_id:
            errors.append(field_error("number", "ALREADY_EXISTS", f"Le contrat n° {number} existe déjà.",
                                      f"Contract {number} already exists."))
    errors += _reference_errors(session, values)
    return errors, start, end


def _apply_contract(session: Session, contract: Contract, values: dict[str, Any], start: date, end: date) -> None:
    contract.number = values["number"].strip()
    contract.organisation_id = values["organisation_id"]
    contract.start_date, contract.end_date = start, end
    contract.support_level = SupportLevel(values.get("support_level") or SupportLevel.STANDARD.value)
    contract.products = list(session.scalars(select(Product).where(Product.id.in_(values["product_ids"]))))
    contract.services = list(session.scalars(select(Service).where(Service.id.in_(values["service_ids"]))))
    contract.sites = list(session.scalars(select(Site).where(Site.id.in_(values["site_ids"]))))


def _stage_contract_changed(session: Session, caller: Caller, contract: Contract, change: str) -> None:
    serialized = serializers.contract(contract, contract_today())
    stage_event(session, Outbox, "contract_changed", {
        "change": change,
        "contract_id": contract.id,
        "number": contract.number,
        "organisation_id": contract.organisation_id,
        "start_date": serialized["start_date"],
        "end_date": serialized["end_date"],
        "support_level": serialized["support_level"],
        "opens_support": serialized["opens_support"],
        "product_ids": [item["id"] for item in serialized["products"]],
        "service_ids": [item["id"] for item in serialized["services"]],
        "site_ids": [item["id"] for item in serialized["sites"]],
    }, actor={"type": "user", "user_id": caller.user_id})


def create_contract(session: Session, caller: Caller, values: dict[str, Any]) -> dict[str, Any]:
    """Create a contract and stage `contract_changed`; raises InvalidContract with the failing fields."""
    require_administrator(caller)
    # NOTE: the organisation id is not checked with the auth service, so a mistyped id makes a
    # contract that no customer sees.
    errors, start, end = _contract_errors(session, values, None)
    if errors or start is None or end is None:
        raise InvalidContract(fields=errors)
    contract = Contract()
    _apply_contract(session, contract, values, start, end)
    session.add(contract)
    session.flush()
    _stage_contract_changed(session, caller, contract, "created")
    session.commit()
    logger.info("contract %s of organisation %s created by %s", contract.id, contract.organisation_id,
                caller.user_id)
    return serializers.contract(contract, contract_today())


def update_contract(session: Session, caller: Caller, contract_id: str, values: dict[str, Any]) -> dict[str, Any]:
    """Change the given fields of a contract and stage `contract_changed`; left-out fields keep their value."""
    require_administrator(caller)
    contract = session.scalar(contract_query().where(Contract.id == contract_id))
    if contract is None:
        raise ContractNotFound()
    merged: dict[str, Any] = {
        "number": contract.number,
        "organisation_id": contract.organisation_id,
        "start_date": contract.start_date.isoformat(),
        "end_date": contract.end_date.isoformat(),
        "support_level": contract.support_level.value,
        "product_ids": [item.id for item in contract.products],
        "service_ids": [item.id for item in contract.services],
        "site_ids": [item.id for item in contract.sites],
    }
    merged.update({key: value for key, value in values.items() if key in CONTRACT_FIELDS and value is not None})
    errors, start, end = _contract_errors(session, merged, contract_id)
    if errors or start is None or end is None:
        raise InvalidContract(fields=errors)
    _apply_contract(session, contract, merged, start, end)
    _stage_contract_changed(session, caller, contract, "updated")
    session.commit()
    logger.info("contract %s updated by %s", contract.id, caller.user_id)
    return serializers.contract(contract, contract_today())

"""Support entitlements: the support desk access that an organisation's contracts give.

A ticket is chosen as a cascade: contract, then the contract's services, product, site, and
optionally a supported version of that product. Only an active contract that includes an
assistance service opens the support desk.
"""
from __future__ import annotations

import logging
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from services.common.caller import Caller
from services.common.errors import LocalizedText, field_error, text
from services.catalog import serializers
from services.catalog.access import contract_today, readable_organisation
from services.catalog.contracts import contract_query, organisation_contracts
from services.catalog.exceptions import EntitlementRejected
from services.catalog.models import Contract, Product, ProductVersion, Service, Site

logger = logging.getLogger(__name__)

NO_CONTRACT = "NO_CONTRACT"
CONTRACT_EXPIRED = "CONTRACT_EXPIRED"
NO_ASSISTANCE = "NO_ASSISTANCE"


def french_date(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def is_active(contract: Contract, today: date) -> bool:
    return contract.start_date <= today <= contract.end_date


def has_assistance(contract: Contract) -> bool:
    return any(service.is_assistance for service in contract.services)


def closed_reason(contracts: list[Contract], today: date) -> tuple[str, LocalizedText]:
    """Return the reason code and text why none of `contracts` opens the support desk."""
    active = [item for item in contracts if is_active(item, today)]
    if len(active) == 1:
        return NO_ASSISTANCE, text(
            f"Votre contrat n° {active[0].number} ne comprend pas de prestation d'assistance : le support n'est "
            "pas accessible. Contactez votre interlocuteur commercial pour l'ajouter.",
            f"Your contract {active[0].number} includes no assistance service, so support is not available. "
            "Contact your sales representative to add it.")
    if active:
        numbers = ", ".join(item.number for item in active)
        return NO_ASSISTANCE, text(
            f"Vos contrats n° {numbers} ne comprennent pas de prestation d'assistance : le support n'est pas "
            "accessible. Contactez votre interlocuteur commercial pour l'ajouter.",
            f"Your contracts {numbers} include no assistance service, so support is not available. "
            "Contact your sales representative to add it.")
    ended = [item for item in contracts if item.end_date < today]
    if ended:
        latest = max(ended, key=lambda item: item.end_date)
        return CONTRACT_EXPIRED, text(
            f"Votre contrat n° {latest.number} a pris fin le {french_date(latest.end_date)} : le support n'est "
            "plus accessible. Contactez votre interlocuteur commercial pour le renouveler.",
            f"Your contract {latest.number} ended on {latest.end_date.isoformat()}, so support is no longer "
            "available. Contact your sales representative to renew it.")
    return NO_CONTRACT, text(
        "Votre organisation n'a pas de contrat en cours : le support n'est pas accessible. Contactez votre "
        "interlocuteur commercial.",
        "Your organisation has no current contract, so support is not available. Contact your sales "
        "representative.")


def _cascade_contract(contract: Contract) -> dict[str, Any]:
    """Serialise a contract with the choices it offers on the ticket form (supported versions only)."""
    return {
        "id": contract.id,
        "number": contract.number,
        "start_date": contract.start_date.isoformat(),
        "end_date": contract.end_date.isoformat(),
        "support_level": contract.support_level.value,
        "services": [serializers.service(item) for item in contract.services],
        "products": [
            {**serializers.product_summary(product),
             "versions": [serializers.version(item) for item in product.versions if item.supported]}
            for product in contract.products
        ],
        "sites": [serializers.site(item) for item in contract.sites],
    }


def get_entitlements(session: Session, caller: Caller, organisation_id: str) -> dict[str, Any]:
    """Return whether the organisation may open tickets, why not, and the contracts it may use.

    Raises OrganisationNotFound when a customer names another organisation.
    """
    scoped = readable_organisation(caller, organisation_id)
    today = contract_today()
    contracts = organisation_contracts(session, scoped)
    opening = [item for item in contracts if is_active(item, today) and has_assistance(item)]
    if opening:
        # Versions are read for the cascade only here, so they are loaded in one query for all products.
        session.scalars(select(Product).options(selectinload(Product.versions)).where(
            Product.id.in_({product.id for item in opening for product in item.products}))).all()
        return {"support_enabled": True, "reason_code": None, "reason": None,
                "contracts": [_cascade_contract(item) for item in opening]}

    code, reason = closed_reason(contracts, today)
    logger.info("support closed for organisation %s: %s", scoped, code)
    return {"support_enabled": False, "reason_code": code, "reason": reason, "contracts": []}


def _contract_errors(contract: Contract | None, contract_id: str | None, organisation_id: str,
                     today: date) -> list[dict[str, Any]]:
    if not contract_id:
        return [field_error("contract", "REQUIRED", "Choisissez un contrat.", "Choose a contract.")]
    if contract is None or contract.organisation_id != organisation_id:
        return [field_error("contract", "CONTRACT_NOT_FOUND",
                            "Ce contrat n'existe pas pour votre organisation : choisissez-en un dans la liste.",
                            "This contract does not exist for your organisation: choose one from the list.")]
    if contract.start_date > today:
        return [field_error("contract", "CONTRACT_NOT_STARTED",
                            f"Le contrat n° {contract.number} ne commence que le {french_date(contract.start_date)}.",
                            f"Contract {contract.number} starts only on {contract.start_date.isoformat()}.")]
    if contract.end_date < today:
        return [field_error("contract", "CONTRACT_EXPIRED",
                            f"Le contrat n° {contract.number} a pris fin le {french_date(contract.end_date)}.",
                            f"Contract {contract.number} ended on {contract.end_date.isoformat()}.")]
    if not has_assistance(contract):
        return [field_error("contract", "NO_ASSISTANCE",
                            f"Le contrat n° {contract.number} ne comprend pas de prestation d'assistance.",
                            f"Contract {contract.number} includes no assistance service.")]
    return []


def _service_errors(session: Session, contract: Contract, service_ids: list[str]) -> list[dict[str, Any]]:
    if not service_ids:
        return [field_error("services", "REQUIRED", "Choisissez au moins une prestation.",
                            "Choose at least one service.")]
    covered = {item.id for item in contract.services}
    errors = []
    for service_id in dict.fromkeys(service_ids):
        if service_id in covered:
            continue
        service = session.get(Service, service_id)
        if service is None:
            errors.append(field_error("services", "SERVICE_NOT_FOUND",
                                      f"Prestation « {service_id} » inconnue.", f"Unknown service '{service_id}'."))
        else:
            errors.append(field_error(
                "services", "SERVICE_NOT_COVERED",
                f"La prestation « {service.name} » n'est pas comprise dans le contrat n° {contract.number}.",
                f"The service '{service.name}' is not included in contract {contract.number}."))
    return errors


def _product_errors(session: Session, contract: Contract, product_id: str | None) -> list[dict[str, Any]]:
    if not product_id:
        return [field_error("product", "REQUIRED", "Choisissez un produit.", "Choose a product.")]
    if product_id in {item.id for item in contract.products}:
        return []
    product = session.get(Product, product_id)
    if product is None:
        return [field_error("product", "PRODUCT_NOT_FOUND", f"Produit « {product_id} » inconnu.",
                            f"Unknown product '{product_id}'.")]
    return [field_error("product", "PRODUCT_NOT_COVERED",
                        f"Le produit « {product.name} » n'est pas couvert par le contrat n° {contract.number}.",
                        f"The product '{product.name}' is not covered by contract {contract.number}.")]


def _site_errors(session: Session, contract: Contract, site_id: str | None) -> list[dict[str, Any]]:
    if not site_id:
        return [field_error("site", "REQUIRED", "Choisissez un site.", "Choose a site.")]
    if site_id in {item.id for item in contract.sites}:
        return []
    site = session.get(Site, site_id)
    # Another organisation's site is reported as unknown, so this message does not reveal its name.
    if site is None or site.organisation_id != contract.organisation_id:
        return [field_error("site", "SITE_NOT_FOUND", f"Site « {site_id} » inconnu pour votre organisation.",
                            f"Unknown site '{site_id}' for your organisation.")]
    return [field_error("site", "SITE_NOT_COVERED",
                        f"Le site « {site.name} » n'est pas couvert par le contrat n° {contract.number}.",
                        f"The site '{site.name}' is not covered by contract {contract.number}.")]


def _version_errors(version: ProductVersion | None, product: Product | None) -> list[dict[str, Any]]:
    product_name = product.name if product is not None else "?"
    if version is None or product is None or version.product_id != product.id:
        return [field_error("version", "VERSION_NOT_FOUND",
                            f"Cette version n'existe pas pour le produit « {product_name} ».",
                            f"This version does not exist for the product '{product_name}'.")]
    if not version.supported:
        return [field_error("version", "VERSION_NOT_SUPPORTED",
                            f"La version {version.name} de {product_name} n'est plus maintenue : "
                            "mettez à jour votre logiciel ou choisissez une version maintenue.",
                            f"Version {version.name} of {product_name} is no longer supported: "
                            "upgrade or choose a supported version.")]
    return []


def check_ticket_entitlement(session: Session, caller: Caller, organisation_id: str, contract_id: str | None,
                             service_ids: list[str] | None, product_id: str | None, site_id: str | None,
                             version_id: str | None = None) -> dict[str, Any]:
    """Return the names of a ticket's contract choices, or raise EntitlementRejected with every failing field.

    When the contract itself is unusable only that is reported, because the other choices depend on it.
    Raises OrganisationNotFound when a customer names another organisation.
    """
    scoped = readable_organisation(caller, organisation_id)
    today = contract_today()
    contract = session.scalar(contract_query().where(Contract.id == contract_id)) if contract_id else None
    errors = _contract_errors(contract, contract_id, scoped, today)
    if errors or contract is None:
        raise EntitlementRejected(fields=errors)

    service_ids = list(service_ids or [])
    product_errors = _product_errors(session, contract, product_id)
    errors = _service_errors(session, contract, service_ids) + product_errors + _site_errors(session, contract, site_id)
    product = session.get(Product, product_id) if product_id else None
    version = session.get(ProductVersion, version_id) if version_id else None
    # A version is judged against its product, so it is checked only once the product is accepted.
    if version_id and not product_errors:
        errors += _version_errors(version, product)
    if errors:
        logger.info("ticket entitlement rejected for organisation %s on contract %s: %s",
                    scoped, contract.id, [error["code"] for error in errors])
        raise EntitlementRejected(fields=errors)

    services = {item.id: item for item in contract.services}
    site = session.get(Site, site_id)
    assert product is not None and site is not None  # both were checked against the contract above
    return {
        "contract": {"id": contract.id, "number": contract.number},
        "services": [{"id": services[i].id, "name": services[i].name} for i in dict.fromkeys(service_ids)],
        "product": {"id": product.id, "name": product.name},
        "site": {"id": site.id, "name": site.name},
        "version": {"id": version.id, "name": version.name} if version is not None else None,
    }

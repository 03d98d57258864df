"""Support entitlement: who may open tickets, the ticket form's cascade, and the check of a submitted choice."""
import uuid

import pytest

from services.catalog.demo import CONTRACT_SAINT_AUBIN_PREVIOUS, SERVICE_TRAINING
from services.common import demo
from services.common.caller import Caller
from tests.integration.catalog_helpers import (
    AGENT, JDUPONT, PMARTIN, SERVICE_ASSISTANCE, SERVICE_CORRECTIVE, SERVICE_HOSTING, days_ago, error_fields,
    new_customer, remote_error,
)

pytestmark = pytest.mark.integration

CARRUS_5_2 = demo.demo_id("version:carrus:5.2")
CARRUS_4_8 = demo.demo_id("version:carrus:4.8")


def test_entitlements_open_support_with_active_assistance_contract(system):
    entitlements = system.rpc("catalog", "get_entitlements", caller=JDUPONT, organisation_id=demo.ORG_SAINT_AUBIN)

    assert entitlements["support_enabled"] is True
    assert entitlements["reason_code"] is None
    assert [contract["id"] for contract in entitlements["contracts"]] == [demo.CONTRACT_SAINT_AUBIN]


def test_entitlements_cascade_offers_only_covered_choices(system):
    contract = system.rpc("catalog", "get_entitlements", caller=JDUPONT,
                          organisation_id=demo.ORG_SAINT_AUBIN)["contracts"][0]

    assert {service["id"] for service in contract["services"]} == {SERVICE_ASSISTANCE, SERVICE_CORRECTIVE}
    assert {product["name"] for product in contract["products"]} == {"Carrus", "Channel Citoyens"}
    assert {site["id"] for site in contract["sites"]} == {demo.SITE_MAIRIE, demo.SITE_ANNEXE}
    carrus = next(product for product in contract["products"] if product["id"] == demo.PRODUCT_CARRUS)
    assert {version["name"] for version in carrus["versions"]} == {"5.1", "5.2"}


def test_entitlements_leave_out_expired_contract(system):
    contracts = system.rpc("catalog", "get_entitlements", caller=JDUPONT,
                           organisation_id=demo.ORG_SAINT_AUBIN)["contracts"]

    assert CONTRACT_SAINT_AUBIN_PREVIOUS not in [contract["id"] for contract in contracts]


def test_entitlements_without_assistance_close_support_with_reason(system):
    entitlements = system.rpc("catalog", "get_entitlements", caller=PMARTIN, organisation_id=demo.ORG_VALLEE)

    assert entitlements["support_enabled"] is False
    assert entitlements["reason_code"] == "NO_ASSISTANCE"
    assert "ne comprend pas de prestation d'assistance" in entitlements["reason"]["fr"]
    assert "no assistance service" in entitlements["reason"]["en"]
    assert entitlements["contracts"] == []


def test_entitlements_with_expired_contract_close_support_with_reason(system):
    customer, contract = new_customer(system, days_ago(400), days_ago(30))

    entitlements = system.rpc("catalog", "get_entitlements", caller=customer,
                              organisation_id=customer.organisation_id)

    assert entitlements["support_enabled"] is False
    assert entitlements["reason_code"] == "CONTRACT_EXPIRED"
    assert f"Votre contrat n° {contract['number']} a pris fin le" in entitlements["reason"]["fr"]
    assert entitlements["contracts"] == []


def test_entitlements_without_contract_close_support_with_reason(system):
    organisation_id = str(uuid.uuid4())
    customer = Caller(user_id=str(uuid.uuid4()), organisation_id=organisation_id, role="customer")

    entitlements = system.rpc("catalog", "get_entitlements", caller=customer, organisation_id=organisation_id)

    assert entitlements["support_enabled"] is False
    assert entitlements["reason_code"] == "NO_CONTRACT"
    assert "pas de contrat en cours" in entitlements["reason"]["fr"]


def test_entitlements_of_another_organisation_are_not_found(system):
    error = remote_error(lambda: system.rpc("catalog", "get_entitlements", caller=PMARTIN,
                                            organisation_id=demo.ORG_SAINT_AUBIN))

    assert error["exc_type"] == "OrganisationNotFound"


def test_entitlements_without_caller_are_unauthenticated(system):
    error = remote_error(lambda: system.rpc("catalog", "get_entitlements", organisation_id=demo.ORG_SAINT_AUBIN))

    assert error["exc_type"] == "Unauthenticated"


def test_entitlements_of_any_organisation_are_readable_by_agent(system):
    entitlements = system.rpc("catalog", "get_entitlements", caller=AGENT, organisation_id=demo.ORG_VALLEE)

    assert entitlements["reason_code"] == "NO_ASSISTANCE"


def check(system, caller=JDUPONT, **overrides):
    choice = {
        "organisation_id": demo.ORG_SAINT_AUBIN, "contract_id": demo.CONTRACT_SAINT_AUBIN,
        "service_ids": [SERVICE_ASSISTANCE], "product_id": demo.PRODUCT_CARRUS, "site_id": demo.SITE_MAIRIE,
        "version_id": CARRUS_5_2,
    }
    choice.update(overrides)
    return system.rpc("catalog", "check_ticket_entitlement", caller=caller, **choice)


def test_check_entitlement_accepts_covered_choice_with_names(system):
    checked = check(system, service_ids=[SERVICE_ASSISTANCE, SERVICE_CORRECTIVE])

    assert checked["contract"] == {"id": demo.CONTRACT_SAINT_AUBIN, "number": "CTR-2026-0142"}
    assert [service["name"] for service in checked["services"]] == ["Assistance", "Maintenance corrective"]
    assert checked["product"] == {"id": demo.PRODUCT_CARRUS, "name": "Carrus"}
    assert checked["site"] == {"id": demo.SITE_MAIRIE, "name": "Mairie"}
    assert checked["version"] == {"id": CARRUS_5_2, "name": "5.2"}


def test_check_entitlement_accepts_choice_without_version(system):
    checked = check(system, version_id=None, product_id=demo.PRODUCT_CITOYENS, site_id=demo.SITE_ANNEXE)

    assert checked["version"] is None
    assert checked["product"]["name"] == "Channel Citoyens"


def test_check_entitlement_rejects_product_outside_contract(system):
    error = remote_error(lambda: check(system, product_id=demo.PRODUCT_COMPTA, version_id=None))

    assert error["exc_type"] == "EntitlementRejected"
    fields = error_fields(error)
    assert [(item["field"], item["code"]) for item in fields] == [("product", "PRODUCT_NOT_COVERED")]
    assert "Channel Comptabilité" in fields[0]["message"]["fr"]
    assert "CTR-2026-0142" in fields[0]["message"]["en"]


def test_check_entitlement_rejects_each_uncovered_choice(system):
    error = remote_error(lambda: check(system, service_ids=[SERVICE_ASSISTANCE, SERVICE_TRAINING],
                                       site_id=demo.SITE_VALLEE_SIEGE, version_id=CARRUS_4_8))

    codes = [(item["field"], item["code"]) for item in error_fields(error)]
    assert ("services", "SERVICE_NOT_COVERED") in codes
    assert ("site", "SITE_NOT_FOUND") in codes
    assert ("version", "VERSION_NOT_SUPPORTED") in codes
    assert len(codes) == 3


def test_check_entitlement_hides_name_of_other_organisation_site(system):
    error = remote_error(lambda: check(system, site_id=demo.SITE_VALLEE_SIEGE))

    message = error_fields(error)[0]["message"]["fr"]
    assert "Siège" not in message


def test_check_entitlement_rejects_version_of_other_product(system):
    error = remote_error(lambda: check(system, product_id=demo.PRODUCT_CITOYENS))

    assert [(item["field"], item["code"]) for item in error_fields(error)] == [("version", "VERSION_NOT_FOUND")]


def test_check_entitlement_rejects_expired_contract(system):
    error = remote_error(lambda: check(system, contract_id=CONTRACT_SAINT_AUBIN_PREVIOUS))

    fields = error_fields(error)
    assert [(item["field"], item["code"]) for item in fields] == [("contract", "CONTRACT_EXPIRED")]
    assert "a pris fin le 31/12/2025" in fields[0]["message"]["fr"]


def test_check_entitlement_rejects_contract_without_assistance(system):
    error = remote_error(lambda: check(
        system, caller=PMARTIN, organisation_id=demo.ORG_VALLEE, contract_id=demo.CONTRACT_VALLEE,
        service_ids=[SERVICE_HOSTING], product_id=demo.PRODUCT_COMPTA, site_id=demo.SITE_VALLEE_SIEGE,
        version_id=None))

    assert [(item["field"], item["code"]) for item in error_fields(error)] == [("contract", "NO_ASSISTANCE")]


def test_check_entitlement_rejects_other_organisation_contract(system):
    error = remote_error(lambda: check(system, contract_id=demo.CONTRACT_VALLEE))

    assert [(item["field"], item["code"]) for item in error_fields(error)] == [("contract", "CONTRACT_NOT_FOUND")]


def test_check_entitlement_requires_contract_choices(system):
    error = remote_error(lambda: check(system, service_ids=[], product_id=None, site_id=None))

    assert [(item["field"], item["code"]) for item in error_fields(error)] == [
        ("services", "REQUIRED"), ("product", "REQUIRED"), ("site", "REQUIRED")]


def test_check_entitlement_for_another_organisation_is_not_found(system):
    error = remote_error(lambda: check(system, caller=PMARTIN))

    assert error["exc_type"] == "OrganisationNotFound"


def test_entitlements_need_no_catalog_scope_for_token(system):
    # A token that files tickets reaches the entitlement check through the tickets service.
    token = Caller(user_id=demo.USER_MLEROY, organisation_id=demo.ORG_SAINT_AUBIN, role="customer_manager",
                   scopes=("tickets:write",))

    checked = check(system, caller=token)
    spaces_error = remote_error(lambda: system.rpc("catalog", "list_product_spaces", caller=token))

    assert checked["contract"]["id"] == demo.CONTRACT_SAINT_AUBIN
    assert spaces_error["exc_type"] == "Forbidden"

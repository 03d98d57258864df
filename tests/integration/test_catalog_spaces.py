"""Public catalogue, product spaces, FAQ search, and the organisation scoping of sites and contracts."""
import pytest

from services.common import demo
from tests.integration.catalog_helpers import AGENT, JDUPONT, PMARTIN, remote_error

pytestmark = pytest.mark.integration


def test_list_products_needs_no_sign_in(system):
    page = system.rpc("catalog", "list_products", first=10)

    assert [product["name"] for product in page["items"]][:3] == ["Carrus", "Channel Citoyens",
                                                                  "Channel Comptabilité"]
    assert set(page["items"][0]) == {"id", "name", "description"}


def test_get_products_keeps_order_and_marks_unknown(system):
    products = system.rpc("catalog", "get_products", ids=[demo.PRODUCT_COMPTA, "unknown", demo.PRODUCT_CARRUS])

    assert [product and product["name"] for product in products] == ["Channel Comptabilité", None, "Carrus"]


def test_product_spaces_of_customer_are_own_organisation_products(system):
    saint_aubin = system.rpc("catalog", "list_product_spaces", caller=JDUPONT)
    vallee = system.rpc("catalog", "list_product_spaces", caller=PMARTIN)

    assert [space["name"] for space in saint_aubin["items"]] == ["Carrus", "Channel Citoyens"]
    assert [space["name"] for space in vallee["items"]] == ["Channel Comptabilité"]


def test_product_space_carries_presentation_versions_and_faq(system):
    space = system.rpc("catalog", "get_product_space", caller=JDUPONT, product_id=demo.PRODUCT_CARRUS)

    assert "<strong>facturation des services aux usagers</strong>" in space["presentation_html"]
    assert space["links"][0]["label"] == "Notes de version"
    assert [version["name"] for version in space["versions"]] == ["5.2", "5.1", "4.8"]
    # Other tests may add entries to the demo products, so only the demo's own are checked.
    assert {"Connexion", "Exports", "Échéances"} <= set(space["faq_categories"])
    assert len(space["faq_entries"]) >= 4


def test_product_space_of_other_organisation_is_not_found(system):
    error = remote_error(lambda: system.rpc("catalog", "get_product_space", caller=PMARTIN,
                                            product_id=demo.PRODUCT_CARRUS))

    assert error["exc_type"] == "ProductNotFound"


def test_product_spaces_of_organisation_filter_for_agent(system):
    every = system.rpc("catalog", "list_product_spaces", caller=AGENT, first=100)
    vallee = system.rpc("catalog", "list_product_spaces", caller=AGENT, organisation_id=demo.ORG_VALLEE)

    assert {"Carrus", "Channel Citoyens", "Channel Comptabilité"} <= {space["name"] for space in every["items"]}
    assert [space["name"] for space in vallee["items"]] == ["Channel Comptabilité"]


def test_product_spaces_without_sign_in_are_unauthenticated(system):
    error = remote_error(lambda: system.rpc("catalog", "list_product_spaces"))

    assert error["exc_type"] == "Unauthenticated"


def test_faq_search_ignores_accents_and_case(system):
    for query in ("echeance", "ÉCHÉANCE", "Echéance"):
        page = system.rpc("catalog", "search_faq", caller=JDUPONT, query=query)

        questions = [entry["question"] for entry in page["items"]]
        assert questions[0] == "Comment modifier la date d'échéance d'une facture ?", query
        assert "Pourquoi un échéancier de prélèvement n'apparaît-il pas ?" in questions, query


def test_faq_search_ranks_question_match_first(system):
    page = system.rpc("catalog", "search_faq", caller=AGENT, query="mot de passe oublié")

    assert page["items"][0]["question"] == "J'ai oublié mon mot de passe Carrus"
    scores = [entry["score"] for entry in page["items"]]
    assert scores == sorted(scores, reverse=True)


def test_faq_search_stays_in_caller_spaces(system):
    saint_aubin = system.rpc("catalog", "search_faq", caller=JDUPONT, query="export")
    vallee = system.rpc("catalog", "search_faq", caller=PMARTIN, query="export")

    assert {entry["product_name"] for entry in saint_aubin["items"]} == {"Carrus", "Channel Citoyens"}
    assert {entry["product_name"] for entry in vallee["items"]} == {"Channel Comptabilité"}


def test_faq_search_without_match_is_empty(system):
    page = system.rpc("catalog", "search_faq", caller=JDUPONT, query="photosynthèse")

    assert page["total_count"] == 0
    assert page["items"] == []


def test_organisation_product_ids_are_active_contract_products(system):
    product_ids = system.rpc("catalog", "list_organisation_product_ids", caller=JDUPONT,
                             organisation_id=demo.ORG_SAINT_AUBIN)

    assert sorted(product_ids) == sorted([demo.PRODUCT_CARRUS, demo.PRODUCT_CITOYENS])


def test_product_ids_of_other_organisation_hidden(system):
    error = remote_error(lambda: system.rpc("catalog", "list_organisation_product_ids", caller=JDUPONT,
                                            organisation_id=demo.ORG_VALLEE))

    assert error["exc_type"] == "OrganisationNotFound"


def test_sites_of_customer_are_own_organisation_sites(system):
    page = system.rpc("catalog", "list_sites", caller=JDUPONT)

    assert [site["name"] for site in page["items"]] == ["Annexe technique", "Mairie"]
    assert page["items"][1]["address"] == "2 place de l'Hôtel de Ville"


def test_sites_of_another_organisation_are_not_found(system):
    error = remote_error(lambda: system.rpc("catalog", "list_sites", caller=JDUPONT,
                                            organisation_id=demo.ORG_VALLEE))
    batch = system.rpc("catalog", "get_sites", caller=JDUPONT, ids=[demo.SITE_VALLEE_SIEGE, demo.SITE_MAIRIE])

    assert error["exc_type"] == "OrganisationNotFound"
    assert batch[0] is None
    assert batch[1]["name"] == "Mairie"


def test_contracts_of_customer_are_own_organisation_contracts(system):
    page = system.rpc("catalog", "list_contracts", caller=JDUPONT)

    assert [contract["number"] for contract in page["items"]] == ["CTR-2026-0142", "CTR-2023-0087"]
    current = page["items"][0]
    assert current["is_active"] is True
    assert current["opens_support"] is True
    assert page["items"][1]["is_active"] is False


def test_contracts_of_another_organisation_are_hidden(system):
    batch = system.rpc("catalog", "get_contracts", caller=PMARTIN,
                       ids=[demo.CONTRACT_SAINT_AUBIN, demo.CONTRACT_VALLEE])
    error = remote_error(lambda: system.rpc("catalog", "list_contracts", caller=PMARTIN,
                                            organisation_id=demo.ORG_SAINT_AUBIN))

    assert batch[0] is None
    assert batch[1]["number"] == "CTR-2026-0157"
    assert error["exc_type"] == "OrganisationNotFound"


def test_contracts_of_any_organisation_are_readable_by_agent(system):
    batch = system.rpc("catalog", "get_contracts", caller=AGENT, ids=[demo.CONTRACT_SAINT_AUBIN, demo.CONTRACT_VALLEE])

    assert [contract["number"] for contract in batch] == ["CTR-2026-0142", "CTR-2026-0157"]

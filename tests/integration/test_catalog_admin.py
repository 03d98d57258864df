"""Administration of the catalog by agents: validation in French, scoping, and the `contract_changed` event."""
import json
import time
import uuid
from datetime import date, timedelta

import pika
import pytest

from services.common import demo
from tests.integration.catalog_helpers import (
    AGENT, JDUPONT, SERVICE_ASSISTANCE, SERVICE_HOSTING, days_ago, error_fields, new_customer, remote_error,
)

pytestmark = pytest.mark.integration

EVENT_TIMEOUT_SECONDS = 10


@pytest.fixture
def contract_events(system):
    """Yield a function that waits for the next `contract_changed` envelope published by the catalog."""
    connection = pika.BlockingConnection(pika.URLParameters(system.vhost.amqp_uri))
    channel = connection.channel()
    channel.exchange_declare("catalog.events", exchange_type="topic", durable=True)
    queue = channel.queue_declare("", exclusive=True).method.queue
    channel.queue_bind(queue, "catalog.events", routing_key="contract_changed")

    def next_event() -> dict:
        deadline = time.monotonic() + EVENT_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            _method, _properties, body = channel.basic_get(queue, auto_ack=True)
            if body is not None:
                return json.loads(body)
            connection.process_data_events(time_limit=0.1)
        raise AssertionError(f"no contract_changed event within {EVENT_TIMEOUT_SECONDS}s")

    yield next_event
    connection.close()


def test_create_contract_publishes_contract_changed(system, contract_events):
    customer, contract = new_customer(system, days_ago(10), date.today() + timedelta(days=300))

    envelope = contract_events()

    assert envelope["event_type"] == "contract_changed"
    assert envelope["actor"] == {"type": "user", "user_id": AGENT.user_id}
    assert envelope["data"]["contract_id"] == contract["id"]
    assert envelope["data"]["organisation_id"] == customer.organisation_id
    assert envelope["data"]["change"] == "created"
    assert envelope["data"]["opens_support"] is True


def test_update_contract_changes_entitlements_and_publishes(system, contract_events):
    customer, contract = new_customer(system, days_ago(10), date.today() + timedelta(days=300))
    contract_events()

    system.rpc("catalog", "update_contract", caller=AGENT, contract_id=contract["id"],
               values={"service_ids": [SERVICE_HOSTING]})

    envelope = contract_events()
    assert envelope["data"]["change"] == "updated"
    assert envelope["data"]["service_ids"] == [SERVICE_HOSTING]
    assert envelope["data"]["opens_support"] is False
    entitlements = system.rpc("catalog", "get_entitlements", caller=customer,
                              organisation_id=customer.organisation_id)
    assert entitlements["reason_code"] == "NO_ASSISTANCE"


def test_create_contract_invalid_fields_in_french(system):
    error = remote_error(lambda: system.rpc("catalog", "create_contract", caller=AGENT, values={
        "number": "CTR-2026-0142", "organisation_id": demo.ORG_SAINT_AUBIN, "start_date": "2026-12-31",
        "end_date": "2026-01-01", "support_level": "gold", "product_ids": [], "service_ids": ["unknown"],
        "site_ids": [demo.SITE_VALLEE_SIEGE]}))

    assert error["exc_type"] == "InvalidContract"
    messages = {item["field"]: item["message"]["fr"] for item in error_fields(error)}
    assert messages["endDate"] == "La date de fin précède la date de début."
    assert messages["supportLevel"] == "Niveau de support « gold » inconnu."
    assert messages["number"] == "Le contrat n° CTR-2026-0142 existe déjà."
    assert messages["productIds"] == "Choisissez au moins un produit."
    assert messages["serviceIds"] == "Prestations introuvables : unknown."
    assert messages["siteIds"].startswith("Sites introuvables pour cette organisation")


def test_create_contract_by_customer_is_forbidden(system):
    error = remote_error(lambda: system.rpc("catalog", "create_contract", caller=JDUPONT, values={}))

    assert error["exc_type"] == "Forbidden"


def test_created_faq_entry_found_without_accents(system):
    word = f"Télétransmission{uuid.uuid4().hex[:6]}"
    entry = system.rpc("catalog", "create_faq_entry", caller=AGENT, values={
        "product_id": demo.PRODUCT_CARRUS, "category": "Exports", "question": f"Comment activer la {word} ?",
        "answer_markdown": "Dans **Paramètres**."})

    page = system.rpc("catalog", "search_faq", caller=JDUPONT, query=word.lower().replace("é", "e"))

    assert [item["id"] for item in page["items"]] == [entry["id"]]
    assert entry["answer_html"] == "<p>Dans <strong>Paramètres</strong>.</p>\n"


def test_update_faq_entry_refreshes_search(system):
    entry = system.rpc("catalog", "create_faq_entry", caller=AGENT, values={
        "product_id": demo.PRODUCT_CITOYENS, "category": "Divers", "question": "Ancienne question ?",
        "answer_markdown": "Réponse."})
    word = f"Rééditer{uuid.uuid4().hex[:6]}"

    system.rpc("catalog", "update_faq_entry", caller=AGENT, entry_id=entry["id"],
               values={"question": f"Comment {word} un reçu ?"})

    page = system.rpc("catalog", "search_faq", caller=JDUPONT, query=word.upper())
    assert [item["id"] for item in page["items"]] == [entry["id"]]


def test_delete_faq_entry_removes_it(system):
    entry = system.rpc("catalog", "create_faq_entry", caller=AGENT, values={
        "product_id": demo.PRODUCT_CITOYENS, "category": "Divers", "question": "À supprimer ?",
        "answer_markdown": "Oui."})

    system.rpc("catalog", "delete_faq_entry", caller=AGENT, entry_id=entry["id"])

    assert system.rpc("catalog", "get_faq_entries", caller=AGENT, ids=[entry["id"]]) == [None]


def test_create_faq_entry_without_fields_fails_in_french(system):
    error = remote_error(lambda: system.rpc("catalog", "create_faq_entry", caller=AGENT, values={
        "product_id": "unknown", "category": "", "question": "x" * 301, "answer_markdown": ""}))

    messages = {item["field"]: item["message"]["fr"] for item in error_fields(error)}
    assert messages == {
        "category": "La catégorie est obligatoire.",
        "question": "La question dépasse 300 caractères.",
        "answerMarkdown": "La réponse est obligatoire.",
        "productId": "Produit introuvable.",
    }


def test_create_product_rejects_script_link(system):
    error = remote_error(lambda: system.rpc("catalog", "create_product", caller=AGENT, values={
        "name": "Channel Test", "links": [{"label": "Guide", "url": "javascript:alert(1)"}]}))

    codes = [(item["field"], item["code"]) for item in error_fields(error)]
    assert codes == [("links.0.url", "INVALID_URL")]


def test_create_product_rejects_taken_name(system):
    error = remote_error(lambda: system.rpc("catalog", "create_product", caller=AGENT, values={"name": "Carrus"}))

    fields = error_fields(error)
    assert [(item["field"], item["code"]) for item in fields] == [("name", "ALREADY_EXISTS")]
    assert fields[0]["message"]["fr"] == "Un produit s'appelle déjà « Carrus »."


def test_create_product_then_version_and_update(system):
    name = f"Channel Urbanisme {uuid.uuid4().hex[:6]}"
    space = system.rpc("catalog", "create_product", caller=AGENT, values={
        "name": name, "description": "Instruction des autorisations d'urbanisme.",
        "links": [{"label": "Guide", "url": "https://docs.example.fr/urbanisme"}]})
    version = system.rpc("catalog", "create_version", caller=AGENT, values={
        "product_id": space["id"], "name": "1.0", "release_date": "2026-09-01"})

    updated = system.rpc("catalog", "update_product", caller=AGENT, product_id=space["id"],
                         values={"presentation_markdown": "## Urbanisme"})

    assert updated["name"] == name
    assert updated["presentation_html"] == "<h2>Urbanisme</h2>\n"
    assert [item["id"] for item in updated["versions"]] == [version["id"]]
    assert updated["links"] == [{"label": "Guide", "url": "https://docs.example.fr/urbanisme"}]


def test_update_site_keeps_other_fields(system):
    site = system.rpc("catalog", "create_site", caller=AGENT, values={
        "organisation_id": str(uuid.uuid4()), "name": "Médiathèque", "address": "3 rue des Livres",
        "postal_code": "35000", "city": "Rennes"})

    updated = system.rpc("catalog", "update_site", caller=AGENT, site_id=site["id"], values={"name": "Bibliothèque"})

    assert updated["name"] == "Bibliothèque"
    assert updated["address"] == "3 rue des Livres"


def test_contract_not_started_keeps_support_closed(system):
    customer, _contract = new_customer(system, date.today() + timedelta(days=30), date.today() + timedelta(days=400),
                                       service_ids=[SERVICE_ASSISTANCE])

    entitlements = system.rpc("catalog", "get_entitlements", caller=customer,
                              organisation_id=customer.organisation_id)

    assert entitlements["support_enabled"] is False
    assert entitlements["reason_code"] == "NO_CONTRACT"

"""An agent's day in the console, in Chromium, on a system of its own.

The agent takes a new ticket, acknowledges it, suspends it asking for a screenshot, finds the
customer's resumption, replies and resolves. Then news for one product must not reach a customer of
another product, an API token made in the console works from a test client, and two agents act on
one ticket at once.
"""
from __future__ import annotations

import re
from typing import Any, Iterator

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot, serious_accessibility_violations
from tests.support.system import System

pytestmark = pytest.mark.e2e

DEMO_PASSWORD = "Portail-Demo-2026!"
FORM_OPTIONS = """{ ticketFormOptions { contracts { id services { id name } products { id name } sites { id name } } } }"""
CREATE_TICKET = """mutation($input: CreateTicketInput!) { createTicket(input: $input) { ticket { id number } } }"""
RESUME = "mutation($i: ResumeTicketInput!) { resumeTicket(input: $i) { ticket { status } } }"
TICKET_STATUS = "query($id: ID!) { ticket(id: $id) { status messages(first: 20) { edges { node { body internal } } } } }"


@pytest.fixture(scope="module")
def own_system(tmp_path_factory: pytest.TempPathFactory, database_backend: str) -> Iterator[System]:
    running = System(tmp_path_factory.mktemp("agent-day"), database_backend)
    try:
        running.start()
        yield running
    finally:
        running.stop()


def new_tab(browser: Any, system: System) -> Any:
    context = browser.new_context(base_url=system.base_url, locale="fr-FR", bypass_csp=True,
                                  viewport={"width": 1280, "height": 900})
    return context.new_page()


def sign_in(tab: Any, email_address: str) -> None:
    tab.goto("/connexion")
    tab.get_by_label("Adresse e-mail").fill(email_address)
    tab.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    tab.get_by_role("button", name="Se connecter").click()
    expect(tab.get_by_role("button", name="Se déconnecter")).to_be_visible()


def customer_ticket(system: System, title: str) -> tuple[Any, dict[str, Any]]:
    customer = system.client()
    customer.login("mleroy@example.fr", DEMO_PASSWORD)
    contract = customer.data(FORM_OPTIONS)["ticketFormOptions"]["contracts"][0]
    ticket = customer.data(CREATE_TICKET, {"input": {
        "contractId": contract["id"],
        "serviceIds": [next(s["id"] for s in contract["services"] if s["name"] == "Assistance")],
        "productId": next(p["id"] for p in contract["products"] if p["name"] == "Channel Citoyens"),
        "siteId": contract["sites"][0]["id"], "nature": "ASSISTANCE", "severity": "BLOCKING",
        "title": title, "description": "Les demandes en ligne n'arrivent plus depuis ce matin.",
    }})["createTicket"]["ticket"]
    return customer, ticket


def test_agent_day_in_console(browser, own_system):
    customer, ticket = customer_ticket(own_system, "Démarches en ligne bloquées")
    number = ticket["number"]
    tab = new_tab(browser, own_system)
    sign_in(tab, "cbernard@eksae.example.fr")

    # An agent who asked for no page lands on the console, where the new ticket is in the queue.
    expect(tab).to_have_url(re.compile(r"/console$"))
    expect(tab.locator("tr", has_text=number)).to_be_visible()
    screenshot(tab, "console-01-file")
    assert serious_accessibility_violations(tab) == []

    # Take the request, then find it under « Qui me sont attribuées ».
    tab.get_by_role("link", name=number).click()
    tab.get_by_role("button", name="Prendre la demande").click()
    expect(tab.locator("dl.details").first).to_contain_text("Claire Bernard")
    tab.goto("/console?mes-demandes=1")
    expect(tab.locator("tr", has_text=number)).to_contain_text("Claire Bernard")
    tab.get_by_role("link", name=number).click()

    # Acknowledge, then suspend asking for a screenshot.
    tab.get_by_role("button", name="Prendre en compte").click()
    expect(tab.locator("aside")).to_contain_text("Prise en compte")
    tab.get_by_label("Informations attendues du client").fill("Une capture d'écran du message d'erreur.")
    tab.get_by_role("button", name="Suspendre").click()
    expect(tab.locator("aside")).to_contain_text("Suspendue")
    screenshot(tab, "console-02-suspendue")
    assert serious_accessibility_violations(tab) == []

    # The customer resumes; the agent finds it, writes an internal note and replies, then resolves.
    customer.data(RESUME, {"i": {"ticketId": ticket["id"], "comment": "Capture envoyée par e-mail."}})
    tab.reload()
    expect(tab.locator("aside")).not_to_contain_text("Suspendue")
    tab.get_by_label("Note interne (jamais montrée au client)").fill("Serveur de formulaires à redémarrer.")
    tab.get_by_role("button", name="Ajouter la note").click()
    expect(tab.locator(".messages")).to_contain_text("Note interne")
    tab.get_by_label("Répondre au client").fill("Le service est rétabli, pouvez-vous vérifier ?")
    tab.get_by_role("button", name="Envoyer la réponse").click()
    if tab.get_by_role("button", name="Intervenir").count():
        tab.get_by_role("button", name="Intervenir").click()
    tab.get_by_role("button", name="Résoudre").click()
    expect(tab.locator("aside")).to_contain_text("Résolue")
    screenshot(tab, "console-03-resolue")

    # The customer reads the reply but never the internal note.
    seen = customer.data(TICKET_STATUS, {"id": ticket["id"]})["ticket"]
    bodies = [edge["node"]["body"] for edge in seen["messages"]["edges"]]
    assert "Le service est rétabli, pouvez-vous vérifier ?" in bodies
    assert "Serveur de formulaires à redémarrer." not in bodies
    assert seen["status"] == "RESOLVED"


def test_product_news_reaches_only_that_product(browser, own_system):
    tab = new_tab(browser, own_system)
    sign_in(tab, "cbernard@eksae.example.fr")
    tab.goto("/console/actualites")
    tab.get_by_label("Titre").fill("Channel Comptabilité 3.4 : nouveaux états M57")
    tab.get_by_label("Résumé").fill("Les états budgétaires M57 sont disponibles.")
    tab.get_by_label("Les clients de ces produits :").check()
    tab.get_by_role("checkbox", name="Channel Comptabilité").check()
    tab.get_by_role("button", name="Enregistrer").click()
    expect(tab.locator(".notice")).to_contain_text("L'actualité a été enregistrée.")
    screenshot(tab, "console-04-actualite")

    # A Carrus and Channel Citoyens customer does not see it; a Channel Comptabilité customer does.
    saint_aubin = own_system.client()
    saint_aubin.login("mleroy@example.fr", DEMO_PASSWORD)
    titles = [edge["node"]["title"] for edge in saint_aubin.data("{ news(first: 50) { edges { node { title } } } }")
              ["news"]["edges"]]
    assert "Channel Comptabilité 3.4 : nouveaux états M57" not in titles
    vallee = own_system.client()
    vallee.login("pmartin@vallee-du-lys.example.fr", DEMO_PASSWORD)
    titles = [edge["node"]["title"] for edge in vallee.data("{ news(first: 50) { edges { node { title } } } }")
              ["news"]["edges"]]
    assert "Channel Comptabilité 3.4 : nouveaux états M57" in titles


def test_console_api_token_scopes_enforced(browser, own_system):
    tab = new_tab(browser, own_system)
    sign_in(tab, "aroux@eksae.example.fr")
    tab.goto("/console/jetons")
    tab.get_by_label("Usage du jeton").fill("Synchronisation CRM")
    tab.get_by_role("checkbox", name="Consulter les actualités news:read").check()
    tab.get_by_role("button", name="Créer le jeton").click()
    token = tab.locator("#new-token").inner_text().strip()
    assert len(token) > 20
    # The list names each scope in words, with its code, and capitalises the status.
    row = tab.get_by_role("row").filter(has_text="Synchronisation CRM")
    expect(row.get_by_role("cell").nth(2)).to_have_text("Consulter les actualités news:read")
    expect(row.get_by_role("cell").nth(4)).to_have_text("Actif")
    screenshot(tab, "console-05-jeton")

    system_client = httpx.Client(base_url=own_system.base_url, headers={"Authorization": f"Bearer {token}"})
    news = system_client.post("/graphql", json={"query": "{ news(first: 3) { totalCount } }"}).json()
    assert news["data"]["news"]["totalCount"] >= 1
    tickets = system_client.post("/graphql", json={"query": "{ tickets(first: 3) { totalCount } }"}).json()
    assert tickets["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def test_two_agents_at_once_second_sees_conflict(browser, own_system):
    _customer, ticket = customer_ticket(own_system, "Conflit entre agents")
    first = new_tab(browser, own_system)
    second = new_tab(browser, own_system)
    sign_in(first, "cbernard@eksae.example.fr")
    sign_in(second, "lpetit@eksae.example.fr")
    first.goto(f"/console/tickets/{ticket['number']}")
    second.goto(f"/console/tickets/{ticket['number']}")

    first.get_by_role("button", name="Prendre en compte").click()
    expect(first.locator("aside")).to_contain_text("Prise en compte")
    second.get_by_role("button", name="Prendre en compte").click()

    expect(second.locator(".error-summary")).to_contain_text("Quelqu'un d'autre a modifié cette demande")
    expect(second.locator(".error-summary h2")).to_have_text("La demande a changé entre-temps")
    expect(second.locator("aside")).to_contain_text("Prise en compte")
    screenshot(second, "console-06-conflit")
    assert re.search(r"Prise en compte", second.locator("aside").inner_text())

"""A plain customer records a ticket for a colleague, then edits it, in Chromium; pages at tablet size.

Editing is « Modifier la demande »: context, description and followers change, the contract group
does not, every change lands in the history, and a change made meanwhile by someone else is reported
without losing what the customer typed.
"""
from __future__ import annotations

from typing import Any, Iterator

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot, serious_accessibility_violations
from tests.integration.test_auth_admin import PASSWORD, invite_colleague, signed_in

pytestmark = pytest.mark.e2e

FIND = "query($text: String) { tickets(tab: ALL, filter: {text: $text}, first: 5) { edges { node { id number } } } }"
UPDATE = "mutation($i: UpdateTicketInput!) { updateTicket(input: $i) { ticket { version } } }"
CLOSE = "mutation($i: CloseTicketInput!) { closeTicket(input: $i) { ticket { status } } }"
TABLET = {"width": 768, "height": 1024}


@pytest.fixture(scope="module")
def colleague(system: Any) -> tuple[dict[str, Any], Any, Any]:
    """A plain customer of Saint-Aubin (not a manager), with the manager's API client."""
    manager = signed_in(system, "mleroy@example.fr")
    user, client = invite_colleague(system, manager, firstName="Inès", lastName="Rédactrice")
    return user, client, manager


def sign_in(tab: Any, email_address: str) -> None:
    tab.goto("/connexion")
    tab.get_by_label("Adresse e-mail").fill(email_address)
    tab.get_by_label("Mot de passe").fill(PASSWORD)
    tab.get_by_role("button", name="Se connecter").click()
    expect(tab.get_by_role("button", name="Se déconnecter")).to_be_visible()


def ticket_id(client: Any, number: str) -> str:
    edges = client.data(FIND, {"text": number})["tickets"]["edges"]
    return next(edge["node"]["id"] for edge in edges if edge["node"]["number"] == number)


def create_for_manager(tab: Any, title: str) -> str:
    """Fill the creation form naming the manager as requester and oneself as follower; return the number."""
    tab.goto("/support/creation")
    tab.get_by_role("combobox", name="Contrat", exact=True).select_option(label="CTR-2026-0142")
    tab.get_by_role("checkbox", name="Assistance").check()
    tab.get_by_role("combobox", name="Produit", exact=True).select_option(label="Carrus")
    tab.get_by_role("combobox", name="Site", exact=True).select_option(label="Mairie")
    tab.get_by_label("Nature de demande").select_option(label="Incident")
    tab.get_by_label("Gravité").select_option(label="Mineure")
    tab.get_by_label("Référence 1").fill("BON-2026-31")
    tab.get_by_role("textbox", name="Titre", exact=True).fill(title)
    tab.get_by_role("textbox", name="Descriptif", exact=True).fill("Le bouton « Imprimer » ne répond plus.")
    tab.get_by_role("combobox", name="Demandeur").select_option(label="Marie Leroy (mleroy@example.fr)")
    tab.get_by_role("checkbox", name="Inès Rédactrice").check()
    tab.get_by_role("button", name="Créer").click()
    expect(tab.locator("main")).to_contain_text("Votre demande a été créée.")
    return tab.locator("h1").inner_text().split()[1].rstrip(":")


def test_colleague_requester_and_edit(page, colleague):
    user, _client, manager = colleague
    sign_in(page, user["email"])

    number = create_for_manager(page, "Impression des bons impossible")
    expect(page.locator("dl.details").first).to_contain_text("Marie Leroy")

    # « Modifier »: an emptied title is refused in French and nothing changes.
    page.get_by_role("link", name="Modifier", exact=True).click()
    expect(page.locator("h1")).to_have_text(f"Modifier la demande {number}")
    screenshot(page, "modification-01-formulaire")
    assert serious_accessibility_violations(page) == []
    page.get_by_role("textbox", name="Titre", exact=True).fill("")
    page.get_by_role("button", name="Enregistrer les modifications").click()
    expect(page.locator("#title-error")).to_be_visible()
    expect(page.get_by_label("Référence 1")).to_have_value("BON-2026-31")

    # A valid change is saved and shows in the history with the fields' French names.
    page.get_by_role("textbox", name="Titre", exact=True).fill("Impression des bons de commande impossible")
    page.get_by_label("Gravité").select_option(label="Bloquante")
    page.get_by_label("Référence 1").fill("")
    page.get_by_role("button", name="Enregistrer les modifications").click()
    expect(page.locator("main")).to_contain_text("Vos modifications sont enregistrées.")
    expect(page.locator("h1")).to_contain_text("Impression des bons de commande impossible")
    expect(page.locator("dl.details").first).to_contain_text("Bloquante")
    expect(page.locator("dl.details").first).not_to_contain_text("BON-2026-31")
    expect(page.locator("dl.details").first).to_contain_text("Inès Rédactrice")
    expect(page.locator("ol.history")).to_contain_text("modification — Gravité, Référence 1, Titre")
    screenshot(page, "modification-02-enregistree")

    # The manager changes the ticket while the colleague edits: the colleague gets a conflict message and keeps their text.
    page.get_by_role("link", name="Modifier", exact=True).click()
    manager.data(UPDATE, {"i": {"ticketId": ticket_id(manager, number), "reference2": "SERVICE-TECHNIQUE"}})
    page.get_by_role("textbox", name="Descriptif", exact=True).fill("Le bouton « Imprimer » reste grisé.")
    page.get_by_role("button", name="Enregistrer les modifications").click()
    expect(page.locator(".error-summary")).to_contain_text("Quelqu'un a modifié cette demande")
    expect(page.locator(".error-summary h2")).to_have_text("La demande a changé entre-temps")
    expect(page.get_by_role("textbox", name="Descriptif", exact=True)).to_have_value(
        "Le bouton « Imprimer » reste grisé.")
    page.get_by_role("button", name="Enregistrer les modifications").click()
    expect(page.locator("main")).to_contain_text("Vos modifications sont enregistrées.")
    expect(page.locator("dl.details").first).to_contain_text("SERVICE-TECHNIQUE")

    # A closed ticket offers no « Modifier » and its edit page explains why.
    manager.data(CLOSE, {"i": {"ticketId": ticket_id(manager, number)}})
    page.reload()
    expect(page.get_by_role("link", name="Modifier", exact=True)).to_have_count(0)
    page.goto(f"/support/tickets/{number}/modifier")
    expect(page.locator("h1")).to_have_text("Cette demande est clôturée")


@pytest.fixture
def tablet(browser: Any, system: Any) -> Iterator[Any]:
    context = browser.new_context(base_url=system.base_url, locale="fr-FR", viewport=TABLET, bypass_csp=True,
                                  has_touch=True)
    yield context.new_page()
    context.close()


def test_pages_fit_a_tablet(tablet, colleague):
    user, _client, _manager = colleague
    sign_in(tablet, user["email"])
    tablet.goto("/support/toutes")
    first_ticket = tablet.locator("tbody tr a").first.get_attribute("href")

    # Each page fits the tablet's width: the document never scrolls sideways.
    for name, path in (("accueil", "/"), ("liste", "/support/toutes"), ("creation", "/support/creation"),
                       ("demande", first_ticket), ("profil", "/profil"), ("actualites", "/actualites")):
        tablet.goto(path)
        overflow = tablet.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        screenshot(tablet, f"tablette-{name}")
        assert overflow <= 0, f"{path} is {overflow}px wider than a 768px tablet screen"
        assert serious_accessibility_violations(tablet) == []

"""The path of the vendor's user guide, in Chromium, on a system of its own.

The migrated customer signs in with the legacy password, is made to change it, reads the news and an
FAQ answer, creates a ticket with an attachment, finds the agent's reply flagged unread, resumes the
suspended ticket, configures the list's columns, exports it to Excel, closes the ticket and duplicates it. Screenshots of each page go to tests/artifacts/screenshots/.
"""
from __future__ import annotations

import base64
import re
from pathlib import Path
from typing import Any, Iterator

import openpyxl

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot, serious_accessibility_violations
from tests.support.system import System

pytestmark = pytest.mark.e2e

# A 1x1 PNG, as a stand-in for the customer's screenshot.
PNG_BYTES = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")
LEGACY_PASSWORD = "EKSjt2020#."
NEW_PASSWORD = "Nouveau-Portail-2026!"
AGENT = ("cbernard@eksae.example.fr", "Portail-Demo-2026!")
FIND_TICKET = """
query($text: String) { tickets(tab: ALL, filter: {text: $text}, first: 5) {
  edges { node { id number version status } } } }"""


@pytest.fixture(scope="module")
def own_system(tmp_path_factory: pytest.TempPathFactory, database_backend: str) -> Iterator[System]:
    # This path changes jdupont's password, so it gets a system of its own instead of the shared one.
    running = System(tmp_path_factory.mktemp("seed-path"), database_backend)
    try:
        running.start()
        yield running
    finally:
        running.stop()


@pytest.fixture
def tab(browser: Any, own_system: System) -> Iterator[Any]:
    context = browser.new_context(base_url=own_system.base_url, locale="fr-FR", bypass_csp=True,
                                  viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def agent_ticket(agent: Any, number: str) -> dict[str, Any]:
    edges = agent.data(FIND_TICKET, {"text": number})["tickets"]["edges"]
    return next(edge["node"] for edge in edges if edge["node"]["number"] == number)


def assert_accessible(tab: Any) -> None:
    assert serious_accessibility_violations(tab) == []


def test_seed_path_end_to_end(tab, own_system, tmp_path):
    # Sign in with the legacy password: the portal requires a new one first.
    tab.goto("/connexion")
    tab.get_by_label("Adresse e-mail").fill("jdupont@example.fr")
    tab.get_by_label("Mot de passe").fill(LEGACY_PASSWORD)
    tab.get_by_label("Se souvenir de moi").check()
    tab.get_by_role("button", name="Se connecter").click()
    expect(tab).to_have_url(re.compile(r"/mot-de-passe/changer$"))
    tab.goto("/support/en-cours")
    # The portal stays locked until the password is changed.
    expect(tab).to_have_url(re.compile(r"/mot-de-passe/changer$"))
    screenshot(tab, "01-changement-mot-de-passe")
    assert_accessible(tab)

    # A password that breaks the policy is refused with the unmet rules, in French.
    tab.get_by_label("Mot de passe actuel").fill(LEGACY_PASSWORD)
    tab.get_by_label("Nouveau mot de passe", exact=True).fill("court")
    tab.get_by_label("Confirmer le nouveau mot de passe").fill("court")
    tab.get_by_role("button", name="Changer mon mot de passe").click()
    expect(tab.locator(".error-summary")).to_contain_text("12 caractères")

    tab.get_by_label("Mot de passe actuel").fill(LEGACY_PASSWORD)
    tab.get_by_label("Nouveau mot de passe", exact=True).fill(NEW_PASSWORD)
    tab.get_by_label("Confirmer le nouveau mot de passe").fill(NEW_PASSWORD)
    tab.get_by_role("button", name="Changer mon mot de passe").click()
    expect(tab.locator("h1")).to_have_text("Mot de passe modifié")

    # Home: profile, news, the product spaces of the contract, and the support tile.
    tab.goto("/")
    tiles = tab.locator(".tiles").inner_text()
    assert "Espace Carrus" in tiles
    assert "Espace Channel Citoyens" in tiles
    assert "Espace Channel Comptabilité" not in tiles
    assert "Enregistrer une demande" in tiles
    screenshot(tab, "02-accueil")
    assert_accessible(tab)

    # News: the Carrus item is for this customer; the Channel Comptabilité one is not.
    tab.goto("/actualites")
    news = tab.locator("main").inner_text()
    assert "Carrus 5.2 est disponible" in news
    assert "M57" not in news
    tab.get_by_role("link", name="Carrus 5.2 est disponible").click()
    expect(tab.locator("h1")).to_have_text("Carrus 5.2 est disponible")
    screenshot(tab, "03-actualite")

    # FAQ of the Carrus space, searched without accents.
    tab.goto("/")
    tab.get_by_role("link", name="Espace Carrus").click()
    tab.get_by_label("Rechercher dans la FAQ").fill("echeance")
    tab.get_by_role("button", name="Rechercher").click()
    expect(tab.get_by_role("status")).to_contain_text("pour « echeance »")
    assert re.search(r"\d+ réponses? pour « echeance »", tab.locator("main").inner_text())
    assert "chéance" in tab.locator("details").first.inner_text()
    screenshot(tab, "04-faq")
    assert_accessible(tab)

    # Create a ticket through the form's four groups.
    tab.goto("/support/creation")
    screenshot(tab, "05-creation")
    assert_accessible(tab)
    tab.get_by_role("button", name="Créer").click()
    # An empty form is refused field by field.
    expect(tab.locator(".error-summary")).to_be_visible()
    tab.get_by_role("combobox", name="Contrat", exact=True).select_option(label="CTR-2026-0142")
    tab.get_by_role("checkbox", name="Assistance").check()
    tab.get_by_role("combobox", name="Produit", exact=True).select_option(label="Carrus")
    tab.get_by_role("combobox", name="Site", exact=True).select_option(label="Mairie")
    tab.get_by_label("Nature de demande").select_option(label="Incident")
    tab.get_by_label("Gravité").select_option(label="Majeure")
    tab.get_by_label("Référence 1").fill("MAIRIE-2026-17")
    # Typing the title suggests FAQ answers before the ticket is even sent.
    tab.get_by_role("textbox", name="Titre", exact=True).press_sequentially("échéance", delay=20)
    expect(tab.locator("#faq-suggestions")).to_contain_text("chéance")
    tab.get_by_role("textbox", name="Titre", exact=True).fill("Échéancier des loyers non généré")
    tab.get_by_role("textbox", name="Descriptif", exact=True).fill("Le traitement mensuel s'arrête sans message.")
    expect(tab.get_by_role("combobox", name="Demandeur")).to_contain_text("Jean Dupont")
    tab.get_by_role("button", name="Créer").click()
    expect(tab.locator("main")).to_contain_text("Votre demande a été créée.")
    number = tab.locator("h1").inner_text().split()[1]

    # Attach a screenshot with an accented name; it is listed and downloads under the same name.
    screenshot_file = tmp_path / "capture écran échéancier.png"
    screenshot_file.write_bytes(PNG_BYTES)
    tab.get_by_label("Ajouter un fichier ou une capture d'écran (20 Mo au maximum)").set_input_files(str(screenshot_file))
    tab.get_by_role("button", name="Joindre").click()
    expect(tab.get_by_role("link", name="capture écran échéancier.png")).to_be_visible()
    with tab.expect_download() as download_info:
        tab.get_by_role("link", name="capture écran échéancier.png").click()
    download = download_info.value
    assert download.suggested_filename == "capture écran échéancier.png"
    assert Path(download.path()).read_bytes() == PNG_BYTES
    screenshot(tab, "06-demande")

    # The agent acknowledges, replies and suspends, asking for a screenshot.
    agent = own_system.client()
    agent.login(*AGENT)
    ticket = agent_ticket(agent, number)
    agent.data("mutation($i: AcknowledgeTicketInput!) { acknowledgeTicket(input: $i) { ticket { version } } }",
               {"i": {"ticketId": ticket["id"]}})
    agent.data("mutation($i: PostTicketMessageInput!) { postTicketMessage(input: $i) { message { id } } }",
               {"i": {"ticketId": ticket["id"], "body": "Pouvez-vous joindre une capture de l'écran d'erreur ?"}})
    agent.data("mutation($i: SuspendTicketInput!) { suspendTicket(input: $i) { ticket { status } } }",
               {"i": {"ticketId": ticket["id"], "requestedInformation": "Une capture de l'écran d'erreur."}})

    # The customer's list shows the ticket in yellow as unread.
    tab.goto("/support/en-cours")
    row = tab.locator("tr", has_text=number)
    assert "unread" in row.get_attribute("class")
    assert row.evaluate("element => getComputedStyle(element).backgroundColor") == "rgb(255, 243, 176)"
    screenshot(tab, "07-liste-non-lue")
    assert_accessible(tab)

    # The ticket page shows the request for information; the customer replies and resumes.
    row.get_by_role("link", name=number).click()
    expect(tab.locator(".notice")).to_be_visible()
    assert "Une capture de l'écran d'erreur." in tab.locator(".notice").inner_text()
    assert "Pouvez-vous joindre une capture" in tab.locator(".messages").inner_text()
    tab.get_by_label("Votre message").fill("Voici le détail : erreur E-117 à l'étape 3.")
    tab.get_by_role("button", name="Envoyer").click()
    expect(tab.locator(".messages")).to_contain_text("erreur E-117")
    tab.get_by_role("button", name="Reprise").click()
    expect(tab.locator("aside")).not_to_contain_text("Suspendue")
    expect(tab.locator(".notice")).to_have_count(0)
    screenshot(tab, "08-reprise")
    assert_accessible(tab)

    # Configure the columns: keep number, title and status, status first.
    tab.goto("/support/colonnes")
    screenshot(tab, "10-colonnes")
    assert_accessible(tab)
    for checkbox in tab.locator("input[name=columns]").all():
        checkbox.uncheck()
    tab.get_by_role("checkbox", name="Afficher Statut").check()
    tab.get_by_role("spinbutton", name="Position de Statut").fill("1")
    tab.get_by_role("checkbox", name="Afficher Numéro").check()
    tab.get_by_role("spinbutton", name="Position de Numéro").fill("2")
    tab.get_by_role("checkbox", name="Afficher Titre").check()
    tab.get_by_role("spinbutton", name="Position de Titre").fill("3")
    tab.get_by_role("button", name="Enregistrer").click()
    expect(tab.locator("thead th")).to_have_text(["Statut", "Numéro", "Titre"])

    # Export the list to Excel and open the file.
    with tab.expect_download() as download_info:
        tab.get_by_role("link", name="Exporter (Excel)").click()
    export = download_info.value
    assert export.suggested_filename.endswith(".xlsx")
    export.save_as(tmp_path / export.suggested_filename)
    workbook = openpyxl.load_workbook(tmp_path / export.suggested_filename)
    sheet = workbook.active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == ["Statut", "Numéro", "Titre"]
    assert any(row[1] == number and row[2] == "Échéancier des loyers non généré" for row in rows[1:])
    tab.goto(f"/support/tickets/{number}")

    # Close after confirming, then duplicate: the copy is a new ticket linked to the first.
    tab.get_by_role("link", name="Clôturer", exact=True).click()
    tab.get_by_role("button", name="Clôturer la demande").click()
    expect(tab.locator("aside")).to_contain_text("Clôturée")
    tab.get_by_role("link", name="Dupliquer", exact=True).click()
    expect(tab.locator("h1")).to_have_text(f"Dupliquer la demande {number}")
    tab.get_by_role("button", name="Dupliquer la demande").click()
    expect(tab.locator("main")).to_contain_text("créée par duplication")
    assert number in tab.locator("main").inner_text()
    assert tab.locator("h1").inner_text().split()[1] != number
    screenshot(tab, "09-duplication")

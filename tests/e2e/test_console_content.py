"""Content and catalogue administration in the console, in Chromium, on a system of its own.

An agent adds an FAQ entry to Carrus that a Carrus customer then reads on the product page, while a
customer without Carrus cannot open it. An administrator creates a site and a contract, first with
an end date before the start date, then valid. An administrator reads the e-mail log and finds an
e-mail sent during the test.
"""
from __future__ import annotations

import time
from datetime import datetime
from typing import Any, Iterator
from zoneinfo import ZoneInfo

import pytest
from graphql_relay import to_global_id
from playwright.sync_api import expect

from services.common import demo
from tests.e2e.conftest import screenshot, serious_accessibility_violations
from tests.support.smtp import SmtpServer
from tests.support.system import System

pytestmark = pytest.mark.e2e

DEMO_PASSWORD = "Portail-Demo-2026!"
CARRUS_SPACE = to_global_id("ProductSpace", demo.PRODUCT_CARRUS)
VALLEE = to_global_id("Organisation", demo.ORG_VALLEE)
QUESTION = "Comment annuler une facture déjà émise ?"


@pytest.fixture(scope="module")
def own_system(tmp_path_factory: pytest.TempPathFactory, database_backend: str,
               mail_server: SmtpServer) -> Iterator[System]:
    running = System(tmp_path_factory.mktemp("console-content"), database_backend, extra_env=mail_server.env())
    try:
        running.start()
        yield running
    finally:
        running.stop()


@pytest.fixture
def open_tab(browser: Any, own_system: System) -> Iterator[Any]:
    """Open browser tabs on the system; any request to another host fails the test."""
    contexts: list[Any] = []
    foreign: list[str] = []

    def guard(route: Any) -> None:
        if route.request.url.startswith(own_system.base_url):
            route.continue_()
        else:
            foreign.append(route.request.url)
            route.abort()

    def opener() -> Any:
        context = browser.new_context(base_url=own_system.base_url, locale="fr-FR", bypass_csp=True,
                                      viewport={"width": 1280, "height": 900})
        context.route("**/*", guard)
        contexts.append(context)
        return context.new_page()

    yield opener
    for context in contexts:
        context.close()
    assert foreign == [], f"pages requested resources outside the product: {foreign}"


def sign_in(tab: Any, email_address: str) -> None:
    tab.goto("/connexion")
    tab.get_by_label("Adresse e-mail").fill(email_address)
    tab.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    tab.get_by_role("button", name="Se connecter").click()
    expect(tab.get_by_role("button", name="Se déconnecter")).to_be_visible()


def test_agent_faq_entry_reaches_product_customers(open_tab, own_system):
    agent = open_tab()
    sign_in(agent, "cbernard@eksae.example.fr")
    agent.goto("/console/produits")
    agent.get_by_role("link", name="Carrus").click()
    expect(agent.get_by_role("heading", name="Espace Carrus")).to_be_visible()
    assert serious_accessibility_violations(agent) == []

    # A question without an answer is refused, with the error beside the field.
    agent.get_by_role("textbox", name="Catégorie", exact=True).fill("Facturation")
    agent.get_by_role("textbox", name="Question", exact=True).fill(QUESTION)
    agent.get_by_role("button", name="Ajouter la question").click()
    expect(agent.locator("#faq-answerMarkdown-error")).to_contain_text("La réponse est obligatoire.")
    expect(agent.get_by_role("textbox", name="Question", exact=True)).to_have_value(QUESTION)

    # With an answer holding Markdown and a script, the entry is saved; the script is not kept.
    agent.get_by_label("Réponse (Markdown)").fill(
        "Ouvrez la facture puis cliquez sur **Annuler la facture**.\n\n<script>alert('x')</script>")
    agent.get_by_label("Position dans la catégorie").fill("1")
    agent.get_by_role("button", name="Ajouter la question").click()
    expect(agent.locator(".notice")).to_contain_text("La question a été enregistrée.")
    expect(agent.locator("tr", has_text=QUESTION)).to_contain_text("Facturation")
    screenshot(agent, "console-content-01-faq")

    # The Carrus customer reads it on the product page, with the Markdown rendered and no script.
    customer = open_tab()
    sign_in(customer, "mleroy@example.fr")
    customer.goto(f"/produits/{CARRUS_SPACE}")
    entry = customer.locator("details", has_text=QUESTION)
    expect(entry).to_be_visible()
    entry.locator("summary").click()
    expect(entry.locator("strong")).to_have_text("Annuler la facture")
    assert entry.locator("script").count() == 0
    screenshot(customer, "console-content-02-espace-produit")

    # A customer whose organisation has no Carrus contract can neither open the space nor find the entry.
    other = open_tab()
    sign_in(other, "pmartin@vallee-du-lys.example.fr")
    response = other.goto(f"/produits/{CARRUS_SPACE}")
    assert response.status == 404
    expect(other.get_by_text(QUESTION)).to_have_count(0)
    outsider = own_system.client()
    outsider.login("pmartin@vallee-du-lys.example.fr", DEMO_PASSWORD)
    found = outsider.data('{ faqSearch(query: "annuler facture émise", first: 20) { edges { node { question } } } }')
    assert QUESTION not in [edge["node"]["question"] for edge in found["faqSearch"]["edges"]]

    # The agent edits then deletes the entry after confirming; the customer no longer sees it.
    agent.locator("tr", has_text=QUESTION).get_by_role("link", name="Modifier").click()
    agent.get_by_role("textbox", name="Question", exact=True).fill(QUESTION + " (avoir)")
    agent.get_by_role("button", name="Enregistrer la question").click()
    expect(agent.locator("tr", has_text=QUESTION + " (avoir)")).to_be_visible()
    agent.locator("tr", has_text=QUESTION).get_by_role("link", name="Supprimer").click()
    expect(agent.get_by_role("heading", name="Supprimer une question")).to_be_visible()
    assert serious_accessibility_violations(agent) == []
    agent.get_by_role("button", name="Supprimer la question").click()
    expect(agent.locator(".notice")).to_contain_text("La question a été supprimée.")
    customer.reload()
    expect(customer.get_by_text(QUESTION)).to_have_count(0)


def test_agent_edits_presentation_and_versions(open_tab):
    agent = open_tab()
    sign_in(agent, "lpetit@eksae.example.fr")
    agent.goto(f"/console/produits/{CARRUS_SPACE}")
    agent.get_by_role("textbox", name="Nouvelle version", exact=True).fill("5.3")
    agent.get_by_label("Date de sortie de la nouvelle version").fill("2027-03-01")
    agent.get_by_role("button", name="Ajouter la version").click()
    expect(agent.locator(".notice")).to_contain_text("La version a été enregistrée.")

    # Version 5.1 is no longer maintained.
    row = agent.locator("li", has=agent.get_by_role("button", name="Enregistrer la version 5.1"))
    row.get_by_label("Maintenue").uncheck()
    row.get_by_role("button", name="Enregistrer la version 5.1").click()
    expect(agent.locator(".notice")).to_contain_text("La version a été enregistrée.")

    agent.get_by_label("Description courte (catalogue)").fill("Facturation des services aux usagers.")
    agent.get_by_role("button", name="Enregistrer la présentation").click()
    expect(agent.locator(".notice")).to_contain_text("Le produit a été enregistré.")

    customer = open_tab()
    sign_in(customer, "mleroy@example.fr")
    customer.goto(f"/produits/{CARRUS_SPACE}")
    expect(customer.locator(".lead")).to_have_text("Facturation des services aux usagers.")
    versions = customer.locator("section", has=customer.get_by_role("heading", name="Versions"))
    expect(versions).to_contain_text("5.3")
    expect(versions.locator("li", has_text="5.1")).to_contain_text("n'est plus maintenue")


def test_customer_cannot_open_console_content(open_tab):
    customer = open_tab()
    sign_in(customer, "mleroy@example.fr")
    for path in ("/console/produits", f"/console/produits/{CARRUS_SPACE}", "/console/administration/contrats",
                 "/console/administration/envois"):
        response = customer.goto(path)
        assert response.status == 403, path
    agent = open_tab()
    sign_in(agent, "cbernard@eksae.example.fr")
    assert agent.goto("/console/administration/contrats").status == 403
    assert agent.goto("/console/administration/envois").status == 403


def test_admin_creates_site_then_contract(open_tab):
    admin = open_tab()
    sign_in(admin, "aroux@eksae.example.fr")
    admin.goto("/console/administration/contrats")
    admin.get_by_label("Organisation").select_option(label="Communauté de communes de la Vallée du Lys")
    admin.get_by_role("button", name="Afficher").click()
    expect(admin.locator("tr", has_text="CTR-2026-0157")).to_be_visible()
    expect(admin.locator("tr", has_text="CTR-2026-0142")).to_have_count(0)
    assert serious_accessibility_violations(admin) == []

    admin.get_by_role("link", name="Nouveau site").click()
    admin.get_by_label("Nom du site").fill("Pôle enfance")
    admin.get_by_label("Adresse", exact=True).fill("3 rue des Écoles")
    admin.get_by_label("Code postal").fill("37310")
    admin.get_by_label("Ville").fill("Lys-sur-Indre")
    admin.get_by_role("button", name="Enregistrer le site").click()
    expect(admin.locator(".notice")).to_contain_text("Le site a été enregistré.")
    expect(admin.locator("tr", has_text="Pôle enfance")).to_contain_text("Lys-sur-Indre")

    # Editing the site without a name is refused beside the field; a new address is then saved.
    admin.get_by_role("link", name="Pôle enfance").click()
    admin.get_by_label("Nom du site").fill("")
    admin.get_by_role("button", name="Enregistrer le site").click()
    expect(admin.locator("#site-name-error")).to_have_text("Le nom du site est obligatoire.")
    admin.get_by_label("Nom du site").fill("Pôle enfance")
    admin.get_by_label("Adresse", exact=True).fill("5 rue des Écoles")
    admin.get_by_role("button", name="Enregistrer le site").click()
    expect(admin.locator("tr", has_text="Pôle enfance")).to_contain_text("5 rue des Écoles")

    admin.get_by_role("link", name="Nouveau contrat").click()
    admin.get_by_label("Numéro de contrat").fill("CTR-2027-0201")
    admin.get_by_label("Premier jour couvert").fill("2027-06-30")
    admin.get_by_label("Dernier jour couvert").fill("2027-01-01")
    admin.get_by_label("Standard : jours ouvrés").check()
    admin.get_by_role("checkbox", name="Channel Comptabilité").check()
    admin.get_by_role("checkbox", name="Assistance").check()
    admin.get_by_role("checkbox", name="Pôle enfance").check()
    admin.get_by_role("button", name="Enregistrer le contrat").click()
    expect(admin.locator("#contract-endDate-error")).to_have_text("La date de fin précède la date de début.")
    expect(admin.get_by_label("Dernier jour couvert")).to_have_attribute("aria-invalid", "true")
    # What was typed stays, and nothing was saved.
    expect(admin.get_by_role("checkbox", name="Pôle enfance")).to_be_checked()
    screenshot(admin, "console-content-03-contrat-erreur")
    assert serious_accessibility_violations(admin) == []
    admin.goto(f"/console/administration/contrats?organisation={VALLEE}")
    expect(admin.locator("tr", has_text="CTR-2027-0201")).to_have_count(0)

    admin.get_by_role("link", name="Nouveau contrat").click()
    admin.get_by_label("Numéro de contrat").fill("CTR-2027-0201")
    admin.get_by_label("Premier jour couvert").fill("2027-01-01")
    admin.get_by_label("Dernier jour couvert").fill("2027-12-31")
    admin.get_by_role("checkbox", name="Channel Comptabilité").check()
    admin.get_by_role("checkbox", name="Assistance").check()
    admin.get_by_role("checkbox", name="Pôle enfance").check()
    admin.get_by_role("button", name="Enregistrer le contrat").click()
    expect(admin.locator(".notice")).to_contain_text("Le contrat a été enregistré.")
    row = admin.locator("tr", has_text="CTR-2027-0201")
    expect(row).to_contain_text("01/01/2027 – 31/12/2027")
    expect(row).to_contain_text("Pôle enfance")
    screenshot(admin, "console-content-04-contrats")

    # Editing keeps the period check: moving the end before the start is refused.
    row.get_by_role("link", name="CTR-2027-0201").click()
    admin.get_by_label("Dernier jour couvert").fill("2026-12-31")
    admin.get_by_role("button", name="Enregistrer le contrat").click()
    expect(admin.locator("#contract-endDate-error")).to_have_text("La date de fin précède la date de début.")
    admin.goto(f"/console/administration/contrats?organisation={VALLEE}")
    expect(admin.locator("tr", has_text="CTR-2027-0201")).to_contain_text("31/12/2027")


def wait_for_delivery(system: System, address: str, condition: str, accept: Any, timeout: float = 10.0) -> None:
    """Poll the log until an e-mail to `address` passes `accept`; `condition` names it in the failure."""
    admin = system.client()
    admin.login("aroux@eksae.example.fr", DEMO_PASSWORD)
    deadline = time.monotonic() + timeout
    query = 'query($r: String) { emailDeliveries(recipient: $r, first: 5) { edges { node { status attempts } } } }'
    while not any(accept(edge["node"]) for edge in admin.data(query, {"r": address})["emailDeliveries"]["edges"]):
        if time.monotonic() > deadline:
            raise AssertionError(f"no e-mail to {address} {condition} within {timeout}s")
        time.sleep(0.1)


def wait_for_sent_delivery(system: System, address: str) -> None:
    # The mail server receives the e-mail just before notify marks its row sent.
    wait_for_delivery(system, address, "marked sent", lambda node: node["status"] == "SENT")


def wait_for_failed_attempt(system: System, address: str) -> None:
    wait_for_delivery(system, address, "with a failed attempt",
                      lambda node: node["status"] == "QUEUED" and node["attempts"] >= 1)


def test_admin_reads_email_log(open_tab, own_system, mail_server):
    visitor = open_tab()
    visitor.goto("/mot-de-passe/oublie")
    visitor.get_by_label("Adresse e-mail").fill("pmartin@vallee-du-lys.example.fr")
    visitor.get_by_role("button", name="Envoyer le lien").click()
    mail_server.wait_for("pmartin@vallee-du-lys.example.fr")
    wait_for_sent_delivery(own_system, "pmartin@vallee-du-lys.example.fr")

    admin = open_tab()
    sign_in(admin, "aroux@eksae.example.fr")
    admin.goto("/console/administration/envois")
    admin.get_by_label("Adresse du destinataire").fill("PMARTIN@vallee-du-lys.example.fr")
    admin.get_by_label("Statut").select_option(label="envoyé")
    today = datetime.now(ZoneInfo("Europe/Paris")).date().isoformat()
    admin.get_by_label("Du (jour)").fill(today)
    admin.get_by_label("Au (jour, inclus)").fill(today)
    admin.get_by_role("button", name="Filtrer").click()
    row = admin.locator("tbody tr", has_text="pmartin@vallee-du-lys.example.fr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("envoyé")
    expect(row).to_contain_text("Envoyé à")
    screenshot(admin, "console-content-05-envois")
    assert serious_accessibility_violations(admin) == []

    # An e-mail that the mail server turned down for now shows as retrying, with the server's error.
    mail_server.reject_temporarily("jdupont@example.fr", times=5)
    visitor.goto("/mot-de-passe/oublie")
    visitor.get_by_label("Adresse e-mail").fill("jdupont@example.fr")
    visitor.get_by_role("button", name="Envoyer le lien").click()
    wait_for_failed_attempt(own_system, "jdupont@example.fr")
    admin.goto("/console/administration/envois?destinataire=jdupont%40example.fr&statut=QUEUED")
    row = admin.locator("tbody tr", has_text="jdupont@example.fr")
    expect(row).to_contain_text("nouvelle tentative prévue")
    expect(row).to_contain_text("Prochaine tentative à")
    expect(row).to_contain_text("451")

    # A last day before the first is refused in French.
    admin.get_by_label("Du (jour)").fill("2026-12-05")
    admin.get_by_label("Au (jour, inclus)").fill("2026-12-01")
    admin.get_by_role("button", name="Filtrer").click()
    expect(admin.locator("#au-error")).to_have_text("Le dernier jour précède le premier.")

"""An administrator's round of the console's administration pages, in Chromium, on a system of its own.

The admin creates an organisation, checks then applies an import of accounts from the previous
platform, changes an imported account's role, deactivates another and finds the role change in the
security log. An agent who is not an admin is refused every administration page.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any, Iterator
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot, serious_accessibility_violations
from tests.support.system import System

pytestmark = pytest.mark.e2e

DEMO_PASSWORD = "Portail-Demo-2026!"
ORGANISATION = "Communauté d'agglomération du Val d'Essai"
IMPORT_CSV = ("E-mail;Prénom;Nom;Organisation;Téléphone;Rôle\n"
              f"iblanc@val-essai.example.fr;Inès;Blanc;{ORGANISATION};02 40 00 00 01;client\n"
              f"jnoir@val-essai.example.fr;Jules;Noir;{ORGANISATION};;client\n"
              f"pas-une-adresse;Zoé;Erreur;{ORGANISATION};;client\n")
SEARCH_ACCOUNTS = '{ users(first: 10, search: "val-essai") { edges { node { email role isActive } } } }'
RIGHTS = """{ users(first: 1, search: "iblanc@val-essai") { edges { node {
    usageRights { supportAccess allProductSpaces productSpaceIds } } } } }"""
ADMIN_PAGES = ("/console/administration/comptes", "/console/administration/organisations",
               "/console/administration/import", "/console/administration/journal")


@pytest.fixture(scope="module")
def own_system(tmp_path_factory: pytest.TempPathFactory, database_backend: str) -> Iterator[System]:
    running = System(tmp_path_factory.mktemp("console-admin"), database_backend)
    try:
        running.start()
        yield running
    finally:
        running.stop()


@pytest.fixture
def tab(browser: Any, own_system: System) -> Iterator[Any]:
    context = browser.new_context(base_url=own_system.base_url, locale="fr-FR", bypass_csp=True,
                                  viewport={"width": 1280, "height": 900})
    # The pages must need nothing from outside: any request to another host fails the test.
    foreign: list[str] = []

    def guard(route: Any) -> None:
        if route.request.url.startswith(own_system.base_url):
            route.continue_()
        else:
            foreign.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    yield context.new_page()
    context.close()
    assert foreign == [], f"pages requested resources outside the product: {foreign}"


def sign_in(tab: Any, email_address: str) -> None:
    tab.goto("/connexion")
    tab.get_by_label("Adresse e-mail").fill(email_address)
    tab.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    tab.get_by_role("button", name="Se connecter").click()
    expect(tab.get_by_role("button", name="Se déconnecter")).to_be_visible()


def open_account(tab: Any, email_address: str) -> None:
    tab.goto("/console/administration/comptes")
    tab.get_by_label("Nom ou e-mail").fill(email_address)
    tab.get_by_role("button", name="Appliquer").click()
    tab.locator("tr", has_text=email_address).get_by_role("link").click()
    expect(tab.get_by_role("heading", level=2)).to_be_visible()


def test_agent_refused_administration(tab):
    sign_in(tab, "cbernard@eksae.example.fr")

    for path in ADMIN_PAGES:
        response = tab.goto(path)
        assert response.status == 403, path
        expect(tab.get_by_role("heading", name="Accès refusé")).to_be_visible()
        expect(tab.locator("main")).to_contain_text("réservées aux administrateurs")
    tab.goto("/console")
    expect(tab.get_by_role("link", name="Administration")).to_have_count(0)


def test_admin_round_of_administration(tab, own_system):
    sign_in(tab, "aroux@eksae.example.fr")

    # Create the organisation the import will fill.
    tab.goto("/console")
    tab.get_by_role("link", name="Administration").click()
    tab.get_by_role("link", name="Organisations").click()
    tab.get_by_label("Nom officiel").fill(ORGANISATION)
    tab.get_by_role("button", name="Créer l'organisation").click()
    expect(tab.locator(".notice")).to_contain_text(f"L'organisation « {ORGANISATION} » a été créée.")
    expect(tab.locator("tr", has_text=ORGANISATION)).to_contain_text("Client")
    screenshot(tab, "admin-01-organisations")
    assert serious_accessibility_violations(tab) == []

    # The same name again is refused in French, beside the field.
    tab.get_by_label("Nom officiel").fill(ORGANISATION.upper())
    tab.get_by_role("button", name="Créer l'organisation").click()
    expect(tab.locator(".field-error")).to_contain_text("Une organisation s'appelle déjà")

    # Check the export with a dry run: nothing is written yet.
    tab.get_by_role("link", name="Import des comptes").click()
    tab.locator("#import-file").set_input_files(
        {"name": "comptes.csv", "mimeType": "text/csv", "buffer": IMPORT_CSV.encode("utf-8-sig")})
    tab.get_by_label("Un e-mail d'invitation pour choisir un mot de passe").check()
    tab.get_by_role("button", name="Vérifier le fichier (essai à blanc)").click()
    expect(tab.get_by_role("heading", name="Essai à blanc : rien n'a encore été enregistré")).to_be_visible()
    expect(tab.locator("main")).to_contain_text("2 à créer, 0 à mettre à jour, 0 inchangés, 1 rejetés")
    expect(tab.locator("tr", has_text="pas-une-adresse")).to_contain_text("adresse e-mail « pas-une-adresse » invalide")
    screenshot(tab, "admin-02-import-essai")
    assert serious_accessibility_violations(tab) == []
    admin = own_system.client()
    admin.login("aroux@eksae.example.fr", DEMO_PASSWORD)
    assert admin.data(SEARCH_ACCOUNTS)["users"]["edges"] == []

    # Apply it from the dry run's page.
    tab.get_by_role("button", name="Appliquer l'import").click()
    expect(tab.get_by_role("heading", name="Import appliqué")).to_be_visible()
    expect(tab.locator("main")).to_contain_text("2 créés, 0 mis à jour, 0 inchangés, 1 rejetés")
    screenshot(tab, "admin-03-import-applique")

    # The imported accounts are listed under their organisation.
    tab.get_by_role("link", name="Comptes", exact=True).click()
    tab.get_by_label("Organisation", exact=True).select_option(label=ORGANISATION)
    tab.get_by_role("button", name="Appliquer").click()
    expect(tab.locator("main")).to_contain_text("2 comptes")
    expect(tab.locator("tr", has_text="iblanc@val-essai.example.fr")).to_contain_text("invité")
    screenshot(tab, "admin-04-comptes")
    assert serious_accessibility_violations(tab) == []

    # Make one of them the organisation's manager.
    open_account(tab, "iblanc@val-essai.example.fr")
    tab.get_by_label("Nouveau rôle").select_option(label="Responsable client")
    tab.get_by_role("button", name="Changer le rôle").click()
    expect(tab.locator(".notice")).to_contain_text("Le rôle a été modifié.")
    expect(tab.locator("dl.details")).to_contain_text("Responsable client")
    expect(tab.locator("section", has_text="Événements de sécurité récents")).to_contain_text("Rôle modifié")
    screenshot(tab, "admin-05-compte")
    assert serious_accessibility_violations(tab) == []

    # Limit the manager to one product space, without the support desk.
    tab.get_by_label("Accès au support").uncheck()
    tab.get_by_label("Tous les espaces produits des contrats de l'organisation").uncheck()
    tab.get_by_role("checkbox", name="Carrus").check()
    tab.get_by_role("button", name="Enregistrer les droits").click()
    expect(tab.locator(".notice")).to_contain_text("Les droits ont été enregistrés.")
    expect(tab.get_by_role("checkbox", name="Carrus")).to_be_checked()
    expect(tab.get_by_label("Accès au support")).not_to_be_checked()

    # Deactivate the other one.
    open_account(tab, "jnoir@val-essai.example.fr")
    tab.get_by_role("button", name="Désactiver le compte").click()
    expect(tab.locator(".notice")).to_contain_text("Le compte a été désactivé")
    expect(tab.locator("dl.details")).to_contain_text("désactivé")
    expect(tab.get_by_role("button", name="Réactiver le compte")).to_be_visible()

    # The security log shows the role change, its actor and its Paris time.
    tab.get_by_role("link", name="Journal de sécurité", exact=True).click()
    tab.get_by_label("Type d'événement").select_option(label="Rôle modifié")
    tab.get_by_label("Adresse e-mail (ou une partie)").fill("iblanc@val-essai")
    tab.get_by_role("button", name="Appliquer").click()
    row = tab.locator("tbody tr").first
    expect(row).to_contain_text("iblanc@val-essai.example.fr")
    expect(row).to_contain_text("Client → Responsable client")
    expect(row).to_contain_text("Anne Roux")
    assert re.match(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}", row.locator("td").first.inner_text())
    expect(tab.locator("main")).to_contain_text("heures de Paris")
    screenshot(tab, "admin-06-journal")
    assert serious_accessibility_violations(tab) == []

    # The date range is in Paris days: today holds the change, yesterday nothing.
    today = datetime.now(ZoneInfo("Europe/Paris")).date()
    tab.get_by_label("Du").fill(today.isoformat())
    tab.get_by_role("button", name="Appliquer").click()
    expect(tab.locator("main")).to_contain_text("1 événement")
    tab.get_by_label("Du").fill((today - timedelta(days=1)).isoformat())
    tab.get_by_label("Au (inclus)").fill((today - timedelta(days=1)).isoformat())
    tab.get_by_role("button", name="Appliquer").click()
    expect(tab.locator("main")).to_contain_text("Aucun événement ne correspond à ces filtres.")

    # What the pages did is what the API reports.
    accounts = admin.data(SEARCH_ACCOUNTS)
    assert sorted((edge["node"]["email"], edge["node"]["role"], edge["node"]["isActive"])
                  for edge in accounts["users"]["edges"]) == [
        ("iblanc@val-essai.example.fr", "CUSTOMER_MANAGER", True),
        ("jnoir@val-essai.example.fr", "CUSTOMER", False)]
    rights = admin.data(RIGHTS)["users"]["edges"][0]["node"]["usageRights"]
    assert rights["supportAccess"] is False
    assert rights["allProductSpaces"] is False
    assert len(rights["productSpaceIds"]) == 1


def test_oversized_import_refused_before_reading(own_system):
    admin = own_system.client()
    admin.login("aroux@eksae.example.fr", DEMO_PASSWORD)

    response = admin.http.post("/console/administration/import", data={"step": "check"},
                               files={"file": ("comptes.csv", b"e" * 1_100_000, "text/csv")})

    assert response.status_code == 413
    assert "Le fichier dépasse 700 Ko" in response.text


def test_admin_removes_lost_second_factor(tab, own_system):
    from tests.integration.auth_helpers import NEW_ACCOUNT_PASSWORD, new_account
    from tests.integration.test_auth_second_factor import enrol

    _user_id, email = new_account(own_system, "CUSTOMER")
    owner = own_system.client()
    owner.login(email, NEW_ACCOUNT_PASSWORD)
    enrol(owner)

    sign_in(tab, "aroux@eksae.example.fr")
    open_account(tab, email)
    tab.get_by_role("button", name="Retirer le second facteur (appareil perdu)").click()
    expect(tab.locator("main")).to_contain_text("Le second facteur est retiré")
    expect(tab.get_by_role("button", name="Retirer le second facteur (appareil perdu)")).to_have_count(0)
    screenshot(tab, "console-admin-second-facteur-retire")

    # The owner's session ended with the reset; the password alone signs in again.
    assert owner.execute("{ me { user { email } } }")["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert owner.login(email, NEW_ACCOUNT_PASSWORD)["user"]["email"] == email

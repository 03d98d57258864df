"""Forgotten password, « Mon organisation » and the notification centre, in Chromium, on a system of its own.

Without SMTP the notify service writes e-mails under var/mail, as in the one-command run. The tests
read the reset and invitation links from there as a user would from their inbox.
"""
from __future__ import annotations

import email
import email.policy
import re
import time
from pathlib import Path
from typing import Any, Iterator

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot, serious_accessibility_violations
from tests.support.system import System

pytestmark = pytest.mark.e2e

RESET_LINK = re.compile(r"https?://\S+/mot-de-passe/reinitialiser\?token=[^\s\"<>]+")


@pytest.fixture(scope="module")
def own_system(tmp_path_factory: pytest.TempPathFactory, database_backend: str) -> Iterator[System]:
    running = System(tmp_path_factory.mktemp("account"), database_backend)
    try:
        running.start()
        yield running
    finally:
        running.stop()


@pytest.fixture
def tab(browser: Any, own_system: System) -> Iterator[Any]:
    context = browser.new_context(base_url=own_system.base_url, locale="fr-FR", bypass_csp=True)
    yield context.new_page()
    context.close()


def reset_link_for(mail_dir: Path, address: str, timeout: float = 20.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in sorted(mail_dir.glob("*.eml")) if mail_dir.exists() else []:
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            if address in str(message["To"]):
                body = message.get_body(preferencelist=("plain",)).get_content()
                found = RESET_LINK.search(body)
                if found:
                    return found.group(0)
        time.sleep(0.2)
    raise AssertionError(f"no reset e-mail for {address} under {mail_dir} within {timeout}s")


@pytest.mark.parametrize("address, error", [
    ("", "Saisissez votre adresse e-mail."),
    ("mleroy", "Saisissez une adresse e-mail valide, par exemple nom@mairie.fr."),
    ("mleroy@example", "Saisissez une adresse e-mail valide, par exemple nom@mairie.fr."),
])
def test_forgotten_password_rejects_bad_address(tab, address, error):
    tab.goto("/mot-de-passe/oublie")
    tab.get_by_label("Adresse e-mail").fill(address)

    tab.get_by_role("button", name="Envoyer le lien").click()

    expect(tab.locator("#email-error")).to_have_text(error)
    expect(tab.locator("h1")).to_have_text("Mot de passe oublié ?")


def test_forgotten_password_same_answer_for_unknown_account(tab):
    tab.goto("/mot-de-passe/oublie")
    tab.get_by_label("Adresse e-mail").fill("personne-inconnue@example.fr")

    tab.get_by_role("button", name="Envoyer le lien").click()

    expect(tab.locator("h1")).to_have_text("Consultez votre messagerie")


def test_forgotten_password_by_email_link(tab, own_system):
    tab.goto("/connexion")
    tab.get_by_role("link", name="Mot de passe oublié ?").click()
    tab.get_by_label("Adresse e-mail").fill("pmartin@vallee-du-lys.example.fr")
    tab.get_by_role("button", name="Envoyer le lien").click()
    expect(tab.locator("h1")).to_have_text("Consultez votre messagerie")
    answer_for_known = tab.locator("main p").first.inner_text()

    # An unknown address gets exactly the same message, so accounts cannot be discovered.
    tab.goto("/mot-de-passe/oublie")
    tab.get_by_label("Adresse e-mail").fill("personne@example.fr")
    tab.get_by_role("button", name="Envoyer le lien").click()
    expect(tab.locator("h1")).to_have_text("Consultez votre messagerie")
    assert tab.locator("main p").first.inner_text() == answer_for_known

    link = reset_link_for(own_system.work_dir / "var" / "mail", "pmartin@vallee-du-lys.example.fr")
    tab.goto(link)
    screenshot(tab, "compte-01-reinitialisation")
    assert serious_accessibility_violations(tab) == []
    tab.get_by_label("Nouveau mot de passe", exact=True).fill("Vallee-du-Lys-2027!")
    tab.get_by_label("Confirmer le nouveau mot de passe").fill("Vallee-du-Lys-2027!")
    tab.get_by_role("button", name="Enregistrer le mot de passe").click()
    expect(tab.locator("h1")).to_have_text("Mot de passe enregistré")

    # The link is single-use.
    tab.goto(link)
    tab.get_by_label("Nouveau mot de passe", exact=True).fill("Encore-Une-Fois-2027!")
    tab.get_by_label("Confirmer le nouveau mot de passe").fill("Encore-Une-Fois-2027!")
    tab.get_by_role("button", name="Enregistrer le mot de passe").click()
    expect(tab.locator(".error-summary")).to_be_visible()

    tab.goto("/connexion")
    tab.get_by_label("Adresse e-mail").fill("pmartin@vallee-du-lys.example.fr")
    tab.get_by_label("Mot de passe").fill("Vallee-du-Lys-2027!")
    tab.get_by_role("button", name="Se connecter").click()
    expect(tab.get_by_role("heading", level=1)).to_contain_text("Bienvenue")


def test_customer_without_support_sees_why(tab, own_system):
    tab.goto("/connexion")
    tab.get_by_label("Adresse e-mail").fill("pmartin@vallee-du-lys.example.fr")
    tab.get_by_label("Mot de passe").fill("Vallee-du-Lys-2027!")
    tab.get_by_role("button", name="Se connecter").click()
    expect(tab.locator(".tiles")).to_be_visible()
    assert "Enregistrer une demande" not in tab.locator(".tiles").inner_text()
    assert tab.get_by_role("link", name="Support").count() == 0

    tab.goto("/support/creation")
    expect(tab.locator("h1")).to_have_text("Le support ne vous est pas accessible")
    assert "assistance" in tab.locator("main").inner_text().lower()
    screenshot(tab, "compte-02-sans-support")


def test_notification_centre_marks_all_read(tab, own_system):
    tab.goto("/connexion")
    tab.get_by_label("Adresse e-mail").fill("cbernard@eksae.example.fr")
    tab.get_by_label("Mot de passe").fill("Portail-Demo-2026!")
    tab.get_by_role("button", name="Se connecter").click()
    tab.goto("/notifications")
    expect(tab.locator("h1")).to_have_text("Notifications")
    screenshot(tab, "compte-03-notifications")
    assert serious_accessibility_violations(tab) == []
    if tab.get_by_role("button", name="Tout marquer comme lu").count():
        tab.get_by_role("button", name="Tout marquer comme lu").click()
    expect(tab.get_by_role("status")).to_have_text("0 notification non lue")

    tab.goto("/notifications/preferences")
    tab.get_by_role("checkbox", name="E-mail — Actualités").uncheck()
    tab.get_by_role("button", name="Enregistrer").click()
    expect(tab.locator(".notice")).to_contain_text("Vos préférences ont été enregistrées.")
    assert not tab.get_by_role("checkbox", name="E-mail — Actualités").is_checked()


def invitation_sent_to(mail_dir: Path, address: str, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in mail_dir.glob("*.eml") if mail_dir.exists() else []:
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            if address in str(message["To"]) and "/invitation?token=" in message.get_body(
                    preferencelist=("plain",)).get_content():
                return True
        time.sleep(0.2)
    return False


def test_manager_invites_colleague(tab, own_system):
    tab.goto("/connexion")
    tab.get_by_label("Adresse e-mail").fill("mleroy@example.fr")
    tab.get_by_label("Mot de passe").fill("Portail-Demo-2026!")
    tab.get_by_role("button", name="Se connecter").click()
    tab.get_by_role("link", name="Mon organisation").click()
    expect(tab.locator("h1")).to_contain_text("Ville de Saint-Aubin")
    assert "Jean Dupont" in tab.locator("table").inner_text()

    tab.get_by_label("Adresse e-mail").fill("nouveau.collegue@example.fr")
    tab.get_by_label("Prénom").fill("Nadia")
    tab.get_by_label("Nom", exact=True).fill("Collègue")
    tab.get_by_role("button", name="Envoyer l'invitation").click()
    expect(tab.locator(".notice")).to_contain_text("nouveau.collegue@example.fr")
    row = tab.locator("tr", has_text="nouveau.collegue@example.fr")
    expect(row).to_contain_text("invité")
    screenshot(tab, "compte-04-mon-organisation")
    assert serious_accessibility_violations(tab) == []
    assert invitation_sent_to(own_system.work_dir / "var" / "mail", "nouveau.collegue@example.fr")

    # Withdraw the colleague's support right, then deactivate the account.
    row.get_by_role("checkbox", name="Accès au support").uncheck()
    row.get_by_role("button", name="Enregistrer").click()
    row = tab.locator("tr", has_text="nouveau.collegue@example.fr")
    expect(row.get_by_role("checkbox", name="Accès au support")).not_to_be_checked()
    row.get_by_role("button", name="Désactiver").click()
    expect(tab.locator("tr", has_text="nouveau.collegue@example.fr")).to_contain_text("désactivé")


def test_plain_customer_has_no_organisation_page(tab, own_system):
    tab.goto("/connexion")
    tab.get_by_label("Adresse e-mail").fill("pmartin@vallee-du-lys.example.fr")
    tab.get_by_label("Mot de passe").fill("Vallee-du-Lys-2027!")
    tab.get_by_role("button", name="Se connecter").click()
    expect(tab.locator(".tiles")).to_be_visible()
    assert tab.get_by_role("link", name="Mon organisation").count() == 0

    response = tab.goto("/mon-organisation")

    assert response.status == 403

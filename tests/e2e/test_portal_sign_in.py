"""Sign-in pages in a real Chromium: French first, English on request, accessible, self-contained."""
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot, serious_accessibility_violations
from tests.integration.test_auth_admin import PASSWORD, invite_colleague, signed_in

pytestmark = pytest.mark.e2e


def test_home_redirects_to_french_sign_in(page):
    page.goto("/")

    assert page.url.endswith("/connexion?suivant=/")
    assert page.locator("h1").inner_text() == "Se connecter"
    assert page.get_by_label("Se souvenir de moi").is_visible()
    screenshot(page, "connexion")


def test_sign_in_page_has_no_serious_accessibility_violation(page):
    page.goto("/connexion")

    assert serious_accessibility_violations(page) == []


def test_language_switch_shows_english(page):
    page.goto("/connexion")

    page.get_by_role("button", name="English").click()

    assert page.locator("h1").inner_text() == "Sign in"
    assert page.locator("html").get_attribute("lang") == "en"


def test_language_switch_saves_account_language(page, browser, system):
    # A fresh account, so that the demo accounts other tests sign in with stay French.
    manager = signed_in(system, "mleroy@example.fr")
    user, colleague = invite_colleague(system, manager)
    page.goto("/connexion")
    page.get_by_label("Adresse e-mail").fill(user["email"])
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()

    page.get_by_role("button", name="English").click()

    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    assert colleague.data("{ me { user { language } } }")["me"]["user"]["language"] == "en"
    # Another browser, without the language cookie, signs in to English pages.
    other = browser.new_context(base_url=system.base_url, locale="fr-FR")
    try:
        tab = other.new_page()
        tab.goto("/connexion")
        tab.get_by_label("Adresse e-mail").fill(user["email"])
        tab.get_by_label("Mot de passe").fill(PASSWORD)
        tab.get_by_role("button", name="Se connecter").click()
        expect(tab.get_by_role("button", name="Sign out")).to_be_visible()
        assert tab.locator("html").get_attribute("lang") == "en"
    finally:
        other.close()

    page.get_by_role("button", name="Français").click()

    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()
    assert colleague.data("{ me { user { language } } }")["me"]["user"]["language"] == "fr"


def test_empty_sign_in_names_missing_fields(page):
    page.goto("/connexion")

    page.get_by_role("button", name="Se connecter").click()

    expect(page.locator("#email-error")).to_have_text("Saisissez votre adresse e-mail.")
    expect(page.locator("#password-error")).to_have_text("Saisissez votre mot de passe.")
    expect(page.get_by_text("Adresse e-mail ou mot de passe incorrect.")).to_have_count(0)

    page.get_by_label("Adresse e-mail").fill("mleroy@example.fr")
    page.get_by_role("button", name="Se connecter").click()

    expect(page.locator("#email-error")).to_have_count(0)
    expect(page.locator("#password-error")).to_have_text("Saisissez votre mot de passe.")
    expect(page.get_by_label("Adresse e-mail")).to_have_value("mleroy@example.fr")


def test_sign_in_reachable_by_keyboard(page):
    page.goto("/connexion")

    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "email"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "password"


def test_unknown_address_gets_french_page(page):
    response = page.goto("/page-qui-n-existe-pas")

    assert response.status == 404
    assert page.locator("h1").inner_text() == "Page introuvable"

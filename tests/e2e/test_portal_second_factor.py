"""Two-factor authentication in Chromium: enabling it from « Sécurité du compte », then signing in with a
code from the app and with a recovery code, and the console switch that requires it of staff."""
from __future__ import annotations

import time
from typing import Any

import pyotp
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot, serious_accessibility_violations
from tests.integration.auth_helpers import NEW_ACCOUNT_PASSWORD, NewAccounts

pytestmark = pytest.mark.e2e


@pytest.fixture
def accounts(system):
    made = NewAccounts(system)
    yield made
    made.deactivate_all()


def sign_in_with_password(page: Any, email: str) -> None:
    page.goto("/connexion")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(NEW_ACCOUNT_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def sign_out(page: Any) -> None:
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.locator("h1")).to_have_text("Se connecter")


def test_customer_second_factor_sign_in(page, system, accounts):
    _, email = accounts.create(role="CUSTOMER")
    sign_in_with_password(page, email)
    expect(page.get_by_role("link", name="Mon profil", exact=True)).to_be_visible()

    # Enrolment, from the profile page.
    page.goto("/profil")
    page.get_by_role("link", name="Sécurité du compte : double authentification").click()
    expect(page.locator("h1")).to_have_text("Sécurité du compte")
    assert serious_accessibility_violations(page) == []
    page.get_by_role("button", name="Activer la double authentification").click()
    expect(page.locator("h1")).to_have_text("Activer la double authentification")
    expect(page.get_by_role("img", name="QR code à scanner avec votre application d'authentification")).to_be_visible()
    screenshot(page, "double-authentification-01-activation")
    assert serious_accessibility_violations(page) == []
    secret = page.locator("#secondfactor-secret").inner_text().replace(" ", "")
    totp = pyotp.TOTP(secret)

    page.get_by_label("Code à 6 chiffres de votre application").fill("000000" if totp.now() != "000000" else "111111")
    page.get_by_role("button", name="Confirmer et activer").click()
    expect(page.locator(".error-summary")).to_contain_text("Code de vérification incorrect")
    assert page.locator("#secondfactor-secret").inner_text().replace(" ", "") == secret
    page.get_by_label("Code à 6 chiffres de votre application").fill(totp.now())
    page.get_by_role("button", name="Confirmer et activer").click()
    expect(page.locator("h1")).to_have_text("Codes de secours")
    recovery_codes = page.locator(".recovery-codes code").all_inner_texts()
    assert len(recovery_codes) == 10
    screenshot(page, "double-authentification-02-codes-de-secours")
    assert serious_accessibility_violations(page) == []
    page.get_by_role("link", name="J'ai conservé mes codes").click()
    expect(page.locator("main")).to_contain_text("La double authentification est activée depuis le")
    expect(page.locator("main")).to_contain_text("10 codes de secours inutilisés restants.")
    sign_out(page)

    # Password, then a code from the app. The enrolment used the current time step, so the next one is due.
    sign_in_with_password(page, email)
    expect(page.locator("h1")).to_have_text("Code de vérification")
    assert "/connexion/verification" in page.url
    code_field = page.get_by_label("Code à 6 chiffres")
    assert code_field.get_attribute("autocomplete") == "one-time-code"
    assert code_field.get_attribute("inputmode") == "numeric"
    screenshot(page, "double-authentification-03-code-de-verification")
    assert serious_accessibility_violations(page) == []
    code_field.fill(totp.at(time.time() + 30))
    page.get_by_role("button", name="Vérifier").click()
    expect(page.get_by_role("link", name="Mon profil", exact=True)).to_be_visible()
    sign_out(page)

    # Password, then a recovery code, which works once only.
    sign_in_with_password(page, email)
    page.get_by_role("link", name="Utiliser plutôt un code de secours").click()
    page.get_by_label("Code de secours").fill(recovery_codes[0])
    page.get_by_role("button", name="Vérifier").click()
    expect(page.get_by_role("link", name="Mon profil", exact=True)).to_be_visible()
    sign_out(page)

    sign_in_with_password(page, email)
    page.get_by_role("link", name="Utiliser plutôt un code de secours").click()
    page.get_by_label("Code de secours").fill(recovery_codes[0])
    page.get_by_role("button", name="Vérifier").click()
    expect(page.locator(".error-summary")).to_contain_text("Code de vérification incorrect ou déjà utilisé")
    screenshot(page, "double-authentification-04-code-refuse")
    assert serious_accessibility_violations(page) == []
    page.get_by_label("Code de secours").fill(recovery_codes[1])
    page.get_by_role("button", name="Vérifier").click()
    expect(page.get_by_role("link", name="Mon profil", exact=True)).to_be_visible()
    page.goto("/profil/securite")
    expect(page.locator("main")).to_contain_text("8 codes de secours inutilisés restants.")


def test_console_requires_staff_second_factor(page, system, accounts):
    _, admin_email = accounts.create(role="ADMIN")
    _, agent_email = accounts.create(role="AGENT")
    sign_in_with_password(page, admin_email)

    # The switch refuses an admin who has no second factor, then works once theirs is on.
    page.goto("/console/securite")
    assert serious_accessibility_violations(page) == []
    page.get_by_label("Exiger la double authentification des agents et des administrateurs").check()
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator(".error-summary")).to_contain_text("Activez d'abord la double authentification")
    page.goto("/profil/securite")
    page.get_by_role("button", name="Activer la double authentification").click()
    totp = pyotp.TOTP(page.locator("#secondfactor-secret").inner_text().replace(" ", ""))
    page.get_by_label("Code à 6 chiffres de votre application").fill(totp.now())
    page.get_by_role("button", name="Confirmer et activer").click()
    expect(page.locator("h1")).to_have_text("Codes de secours")
    page.goto("/console/securite")
    page.get_by_label("Exiger la double authentification des agents et des administrateurs").check()
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("main")).to_contain_text("Paramètres de sécurité enregistrés.")
    screenshot(page, "double-authentification-05-console")

    try:
        # An agent without a second factor lands on the enrolment page and can reach nothing else.
        sign_out(page)
        sign_in_with_password(page, agent_email)
        expect(page.locator("h1")).to_have_text("Sécurité du compte")
        expect(page.locator("main")).to_contain_text("Les administrateurs exigent la double authentification")
        assert serious_accessibility_violations(page) == []
        page.goto("/console")
        expect(page.locator("h1")).to_have_text("Sécurité du compte")
        page.get_by_role("button", name="Activer la double authentification").click()
        agent_totp = pyotp.TOTP(page.locator("#secondfactor-secret").inner_text().replace(" ", ""))
        page.get_by_label("Code à 6 chiffres de votre application").fill(agent_totp.now())
        page.get_by_role("button", name="Confirmer et activer").click()
        expect(page.locator("h1")).to_have_text("Codes de secours")
        page.goto("/console")
        expect(page.locator("h1")).to_have_text("Console du support")
    finally:
        admin = system.client()
        admin.http.cookies.clear()
        reset = admin.execute("""mutation($input: LoginInput!) { login(input: $input) { secondFactorChallenge } }""",
                              {"input": {"email": admin_email, "password": NEW_ACCOUNT_PASSWORD}})
        challenge = reset["data"]["login"]["secondFactorChallenge"]
        admin.data("""mutation($input: VerifySecondFactorInput!) { verifySecondFactor(input: $input) {
                        secondFactorRequired } }""",
                   {"input": {"challenge": challenge, "code": totp.at(time.time() + 30)}})
        admin.data("""mutation { updateSecuritySettings(input: {secondFactorRequiredForStaff: false}) {
                        securitySettings { secondFactorRequiredForStaff } } }""")

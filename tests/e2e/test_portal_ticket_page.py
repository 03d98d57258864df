"""The customer's ticket pages in Chromium: « Dupliquer », « Clôturer » and their confirmations, an unknown
ticket, a conflict."""
from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from playwright.sync_api import expect

from services.common import demo
from tests.e2e.conftest import screenshot, serious_accessibility_violations
from tests.integration.test_auth_admin import signed_in

pytestmark = pytest.mark.e2e

DEMO_PASSWORD = "Portail-Demo-2026!"
FORM_OPTIONS = """
{ ticketFormOptions { contracts { id number services { id name } products { id name } sites { id name } } } }"""
CREATE = "mutation($input: CreateTicketInput!) { createTicket(input: $input) { ticket { id number } } }"
UPDATE = "mutation($i: UpdateTicketInput!) { updateTicket(input: $i) { ticket { version } } }"
FIND = "query($text: String) { tickets(tab: ALL, filter: {text: $text}, first: 20) { edges { node { number } } } }"


def sign_in(tab: Any, email_address: str) -> None:
    tab.goto("/connexion")
    tab.get_by_label("Adresse e-mail").fill(email_address)
    tab.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    tab.get_by_role("button", name="Se connecter").click()
    expect(tab.get_by_role("button", name="Se déconnecter")).to_be_visible()


def create_ticket(client: Any, title: str, **fields: Any) -> dict[str, Any]:
    contracts = client.data(FORM_OPTIONS)["ticketFormOptions"]["contracts"]
    contract = next(item for item in contracts if item["number"] == "CTR-2026-0142")
    return client.data(CREATE, {"input": {
        "contractId": contract["id"],
        "serviceIds": [next(item["id"] for item in contract["services"] if item["name"] == "Assistance")],
        "productId": next(item["id"] for item in contract["products"] if item["name"] == "Carrus"),
        "siteId": contract["sites"][0]["id"], "nature": "ASSISTANCE", "severity": "MINOR",
        "title": title, "description": "Les relances du mois ne partent plus.", **fields,
    }})["createTicket"]["ticket"]


def numbers_titled(client: Any, title: str) -> list[str]:
    return [edge["node"]["number"] for edge in client.data(FIND, {"text": title})["tickets"]["edges"]]


def test_duplicate_asks_confirmation_first(page, system):
    # The manager files the ticket for Jean Dupont, so the manager follows it and Jean Dupont is its requester.
    manager = signed_in(system, "mleroy@example.fr")
    title = "Relances de loyers à dupliquer"
    desired = date(date.today().year + 1, 6, 30)
    ticket = create_ticket(manager, title, requesterId=demo.USER_JDUPONT, reference1="LOYERS-2026-04",
                           desiredDeliveryDate=desired.isoformat())
    number = ticket["number"]
    sign_in(page, "mleroy@example.fr")
    page.goto(f"/support/tickets/{number}")

    # « Dupliquer » opens a page that lists what the copy will contain, and creates nothing yet.
    page.get_by_role("link", name="Dupliquer", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/support/tickets/{number}/dupliquer$"))
    expect(page.locator("h1")).to_have_text(f"Dupliquer la demande {number}")
    details = page.locator("dl.details")
    expect(details).to_contain_text("CTR-2026-0142")
    expect(details).to_contain_text("Carrus")
    expect(details).to_contain_text("LOYERS-2026-04")
    expect(details).to_contain_text(desired.strftime("%d/%m/%Y"))
    expect(details).to_contain_text(title)
    expect(details.locator("dt:has-text('Demandeur') + dd")).to_have_text("Vous")
    expect(details.locator("dt:has-text('Collègues qui suivent la demande') + dd")).to_have_text("Jean Dupont")
    expect(page.locator(".prose")).to_contain_text("Les relances du mois ne partent plus.")
    screenshot(page, "duplication-01-confirmation")
    assert serious_accessibility_violations(page) == []
    assert numbers_titled(manager, title) == [number]

    # « Annuler » goes back to the ticket without a copy.
    page.get_by_role("link", name="Annuler").click()
    expect(page).to_have_url(re.compile(rf"/support/tickets/{number}$"))
    assert numbers_titled(manager, title) == [number]

    # « Dupliquer la demande » creates the copy, linked to the original.
    page.get_by_role("link", name="Dupliquer", exact=True).click()
    page.get_by_role("button", name="Dupliquer la demande").click()
    expect(page.locator("main")).to_contain_text("Cette demande a été créée par duplication")
    copy_number = page.locator("h1").inner_text().split()[1].rstrip(":")
    assert copy_number != number
    # The copy has the requester and followers the confirmation page announced.
    copied = page.locator("dl.details").first
    expect(copied.locator("dt:has-text('Dupliquée de') + dd")).to_have_text(number)
    expect(copied.locator("dt:has-text('Demandeur') + dd")).to_have_text("Marie Leroy")
    expect(copied.locator("dt:has-text('Collègues qui suivent la demande') + dd")).to_have_text("Jean Dupont")
    assert sorted(numbers_titled(manager, title)) == sorted([number, copy_number])


def test_unknown_ticket_page_keeps_support_menu(page):
    sign_in(page, "mleroy@example.fr")
    page.goto("/support/toutes")
    menu = page.get_by_role("navigation", name="Menu principal").get_by_role("link")
    list_menu = menu.all_inner_texts()

    response = page.goto("/support/tickets/1999-999999")

    assert response.status == 404
    expect(page.locator("h1")).to_have_text("Demande introuvable")
    assert "Support" in list_menu
    assert menu.all_inner_texts() == list_menu
    expect(menu.filter(has_text="Support")).to_have_attribute("aria-current", "page")


def test_conflict_has_its_own_heading(page, system):
    manager = signed_in(system, "mleroy@example.fr")
    ticket = create_ticket(manager, "Clôture en même temps qu'une modification")
    number = ticket["number"]
    sign_in(page, "mleroy@example.fr")
    page.goto(f"/support/tickets/{number}")

    # Another session changes the ticket after the confirmation was shown, so « Clôturer la demande »
    # sends a stale version.
    page.get_by_role("link", name="Clôturer", exact=True).click()
    manager.data(UPDATE, {"i": {"ticketId": ticket["id"], "reference2": "SERVICES-TECHNIQUES"}})
    with page.expect_response(lambda response: response.request.method == "POST") as posted:
        page.get_by_role("button", name="Clôturer la demande").click()

    assert posted.value.status == 409
    box = page.get_by_role("alert")
    expect(box.get_by_role("heading")).to_have_text("La demande a changé entre-temps")
    expect(box).to_contain_text("Quelqu'un d'autre a modifié cette demande avant votre action")
    expect(page.get_by_text("Veuillez corriger les points suivants")).to_have_count(0)
    expect(page.locator("dl.details").first).to_contain_text("SERVICES-TECHNIQUES")
    screenshot(page, "conflit-01-cloture")

    # The link reloads the ticket page, still open, without the notice.
    box.get_by_role("link", name="Recharger la demande").click()
    expect(page).to_have_url(re.compile(rf"/support/tickets/{number}$"))
    expect(page.get_by_role("alert")).to_have_count(0)
    expect(page.get_by_role("link", name="Clôturer", exact=True)).to_be_visible()


def test_close_asks_confirmation_first(page, system):
    manager = signed_in(system, "mleroy@example.fr")
    number = create_ticket(manager, "Demande à clôturer après confirmation")["number"]
    sign_in(page, "mleroy@example.fr")
    page.goto(f"/support/tickets/{number}")

    # « Clôturer » opens a page that explains what closing means, and closes nothing yet.
    page.get_by_role("link", name="Clôturer", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/support/tickets/{number}/cloturer$"))
    expect(page.locator("h1")).to_have_text(f"Clôturer la demande {number}")
    expect(page.locator("main")).to_contain_text("ne peut plus être rouverte")
    screenshot(page, "cloture-01-confirmation")
    assert serious_accessibility_violations(page) == []

    # « Annuler » goes back to the ticket, still open.
    page.get_by_role("link", name="Annuler").click()
    expect(page).to_have_url(re.compile(rf"/support/tickets/{number}$"))
    expect(page.get_by_role("link", name="Clôturer", exact=True)).to_be_visible()

    # « Clôturer la demande » closes it, with the reason in its history.
    page.get_by_role("link", name="Clôturer", exact=True).click()
    page.get_by_label("Motif de la clôture (facultatif)").fill("Réglé par téléphone")
    page.get_by_role("button", name="Clôturer la demande").click()
    expect(page).to_have_url(re.compile(rf"/support/tickets/{number}$"))
    tracking = page.get_by_role("complementary", name="Suivi de la demande")
    expect(tracking.locator("dt:has-text('Statut') + dd")).to_have_text("Clôturée")
    expect(page.locator("main")).to_contain_text("Réglé par téléphone")
    expect(page.get_by_role("link", name="Clôturer", exact=True)).to_have_count(0)

    # The confirmation of a closed ticket leads back to the ticket.
    page.goto(f"/support/tickets/{number}/cloturer")
    expect(page).to_have_url(re.compile(rf"/support/tickets/{number}$"))


def test_close_without_csrf_token_rejected(page, system):
    manager = signed_in(system, "mleroy@example.fr")
    number = create_ticket(manager, "Clôture sans jeton CSRF")["number"]
    sign_in(page, "mleroy@example.fr")

    response = page.request.post(f"/support/tickets/{number}/cloturer", form={"version": "1"})

    assert response.status == 403
    page.goto(f"/support/tickets/{number}")
    expect(page.get_by_role("link", name="Clôturer", exact=True)).to_be_visible()

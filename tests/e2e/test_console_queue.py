"""The console's queue in Chromium: filters by organisation, state and assignee, saved views, assigning."""
from __future__ import annotations

import uuid
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot, serious_accessibility_violations
from tests.e2e.test_console_agent_day import customer_ticket, sign_in

pytestmark = pytest.mark.e2e


def test_saved_view_and_assignment(page: Any, system: Any):
    _customer, ticket = customer_ticket(system, f"Paiement en ligne refusé {uuid.uuid4().hex[:6]}")
    number = ticket["number"]
    view_name = f"Bloquantes à prendre {uuid.uuid4().hex[:4]}"
    sign_in(page, "cbernard@eksae.example.fr")

    # Blocking tickets that no agent has taken and that wait for support include the new ticket.
    page.goto("/console")
    page.get_by_label("Gravité").select_option(label="Bloquante")
    page.get_by_label("État", exact=True).select_option(label="En attente du support")
    page.get_by_label("Attribuée à").select_option(label="Non attribuées")
    page.get_by_role("button", name="Appliquer").click()
    expect(page.locator("tr", has_text=number)).to_be_visible()

    # The organisation filter keeps the ticket for its organisation and drops it for another.
    page.get_by_label("Organisation", exact=True).select_option(label="Communauté de communes de la Vallée du Lys")
    page.get_by_role("button", name="Appliquer").click()
    expect(page.locator("tr", has_text=number)).to_have_count(0)
    page.get_by_label("Organisation", exact=True).select_option(label="Ville de Saint-Aubin")
    page.get_by_role("button", name="Appliquer").click()
    expect(page.locator("tr", has_text=number)).to_be_visible()

    # Saved under a name, the view comes back in one click from the plain queue.
    page.get_by_label("Enregistrer ces filtres sous le nom").fill(view_name)
    page.get_by_role("button", name="Enregistrer la vue").click()
    page.goto("/console?onglet=toutes")
    page.get_by_role("link", name=view_name).click()
    expect(page.get_by_label("Gravité")).to_have_value("BLOCKING")
    expect(page.get_by_label("Attribuée à")).to_have_value("personne")
    expect(page.get_by_label("Organisation", exact=True)).not_to_have_value("")
    expect(page.get_by_role("link", name=view_name)).to_have_attribute("aria-current", "true")
    expect(page.locator("tr", has_text=number)).to_be_visible()
    screenshot(page, "console-file-vue-enregistree")
    assert serious_accessibility_violations(page) == []

    # An empty name is refused in French, next to the field (past the browser's own check).
    page.get_by_label("Enregistrer ces filtres sous le nom").evaluate("input => input.removeAttribute('required')")
    page.get_by_role("button", name="Enregistrer la vue").click()
    expect(page.locator("#view-name-error")).to_contain_text("Donnez un nom à la vue.")

    # Assign the ticket to a colleague from its page; it leaves the view of unassigned tickets.
    page.goto(f"/console/tickets/{number}")
    page.get_by_label("Attribuer à").select_option(label="Luc Petit")
    page.get_by_role("button", name="Attribuer", exact=True).click()
    expect(page.locator("dl.details").first).to_contain_text("Luc Petit")
    expect(page.locator("ol.history")).to_contain_text("attribution")
    screenshot(page, "console-demande-attribuee")
    page.get_by_role("link", name="File d'attente").click()
    page.get_by_role("link", name=view_name).click()
    expect(page.locator("tr", has_text=number)).to_have_count(0)

    # The colleague finds it under his name; the view is deleted from the list.
    page.get_by_label("Attribuée à").select_option(label="Luc Petit")
    page.get_by_label("État", exact=True).select_option(label="Tous les états")
    page.get_by_role("button", name="Appliquer").click()
    expect(page.locator("tr", has_text=number)).to_be_visible()
    page.get_by_role("button", name=f"Supprimer la vue {view_name}").click()
    expect(page.get_by_role("link", name=view_name)).to_have_count(0)

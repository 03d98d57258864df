"""The first flow through every layer, and how the system behaves when a service stops.

This module runs its own system with the real auth service behind notify (no stand-in directory) and
no SMTP server, as the one-command run does, so e-mails land as `.eml` files under the var directory.
"""
from __future__ import annotations

import email
import email.policy
import time
from pathlib import Path
from typing import Any, Iterator

import pytest

from tests.support.system import GraphQLClient, System

pytestmark = pytest.mark.integration

DEMO_PASSWORD = "Portail-Demo-2026!"
RPC_TIMEOUT_SECONDS = 3.0  # PORTAIL_RPC_TIMEOUT of the test system

FORM_OPTIONS = """{ ticketFormOptions { contracts { id number services { id name }
  products { id name } sites { id name } } } }"""
CREATE_TICKET = """mutation($input: CreateTicketInput!) {
  createTicket(input: $input) { ticket { id number title statusLabel } } }"""
AGENT_QUEUE = """{ tickets(tab: ALL, first: 50, sort: NEWEST_FIRST) {
  totalCount edges { node { number title organisationId } } } }"""


@pytest.fixture(scope="module")
def plain_system(tmp_path_factory: pytest.TempPathFactory, database_backend: str) -> Iterator[System]:
    running = System(tmp_path_factory.mktemp("foundation"), database_backend)
    try:
        running.start()
        yield running
    finally:
        running.stop()


def signed_in(system: System, email_address: str) -> GraphQLClient:
    client = system.client()
    client.login(email_address, DEMO_PASSWORD)
    return client


def ticket_input(customer: GraphQLClient, title: str) -> dict[str, Any]:
    contract = customer.data(FORM_OPTIONS)["ticketFormOptions"]["contracts"][0]
    assistance = next(service for service in contract["services"] if service["name"] == "Assistance")
    return {
        "contractId": contract["id"], "serviceIds": [assistance["id"]],
        "productId": next(p["id"] for p in contract["products"] if p["name"] == "Carrus"),
        "siteId": next(s["id"] for s in contract["sites"] if s["name"] == "Mairie"),
        "nature": "INCIDENT", "severity": "MAJOR", "title": title,
        "description": "Le traitement mensuel s'arrête sans message.",
    }


def wait_for_mail(mail_dir: Path, number: str, timeout: float = 20.0) -> list[email.message.EmailMessage]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = []
        for path in mail_dir.glob("*.eml") if mail_dir.exists() else []:
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            if number in str(message["Subject"]):
                found.append(message)
        if found:
            return found
        time.sleep(0.2)
    return []


def test_first_flow_through_every_layer(plain_system):
    customer = signed_in(plain_system, "mleroy@example.fr")

    news = customer.data("{ news(first: 10) { edges { node { title } } } }")["news"]["edges"]
    titles = [edge["node"]["title"] for edge in news]
    assert "Bienvenue sur votre nouveau portail client" in titles
    assert "Carrus 5.2 est disponible" in titles

    spaces = customer.data("{ productSpaces(first: 10) { edges { node { name } } } }")["productSpaces"]["edges"]
    assert sorted(edge["node"]["name"] for edge in spaces) == ["Carrus", "Channel Citoyens"]

    created = customer.data(CREATE_TICKET, {"input": ticket_input(customer, "Échéancier non généré")})
    ticket = created["createTicket"]["ticket"]
    assert ticket["statusLabel"] == "Nouvelle"

    agent = signed_in(plain_system, "cbernard@eksae.example.fr")
    queue = agent.data(AGENT_QUEUE)["tickets"]["edges"]
    assert ticket["number"] in [edge["node"]["number"] for edge in queue]

    # ticket_created left the tickets service's outbox, crossed the broker and reached notify,
    # which asked auth for the agents and wrote one e-mail each.
    messages = wait_for_mail(plain_system.work_dir / "var" / "mail", ticket["number"])
    recipients = sorted(str(message["To"]) for message in messages)
    assert any("cbernard@eksae.example.fr" in address for address in recipients)
    assert any("lpetit@eksae.example.fr" in address for address in recipients)
    assert all(message["Auto-Submitted"] == "auto-generated" for message in messages)


def test_stopped_service_gives_clear_error_then_recovers(plain_system):
    customer = signed_in(plain_system, "mleroy@example.fr")
    values = ticket_input(customer, "Demande pendant l'arrêt du service")

    plain_system.stop_service("tickets")
    try:
        started = time.monotonic()
        body = customer.execute(CREATE_TICKET, {"input": values})
        elapsed = time.monotonic() - started
    finally:
        plain_system.start_service("tickets")

    error = body["errors"][0]
    assert error["extensions"]["code"] in ("SERVICE_UNAVAILABLE", "TIMEOUT")
    assert "réessayez" in error["message"]
    assert elapsed < RPC_TIMEOUT_SECONDS + 2.0

    # Same gateway process, same request: it succeeds once the service is back.
    created = customer.data(CREATE_TICKET, {"input": values})
    assert created["createTicket"]["ticket"]["number"]

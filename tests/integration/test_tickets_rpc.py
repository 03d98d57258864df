"""The tickets service over RPC: creation, visibility between organisations, life cycle, messages, events.

Calls go through the real broker with the identity a gateway would forward. The catalog and auth
services answer the entitlement and contact checks with their demo data.
"""
from __future__ import annotations

import io
import json
import re
import threading
import time
from datetime import datetime, timedelta, timezone
from typing import Any

import openpyxl
import pytest
from sqlalchemy import text, update

from services.common import demo
from services.common.caller import CONTEXT_KEY, Caller
from services.common.database import make_engine
from services.common.sync_rpc import RpcCallFailed, SyncRpcClient
from services.tickets.models import Ticket

pytestmark = pytest.mark.integration

JDUPONT = Caller(user_id=demo.USER_JDUPONT, organisation_id=demo.ORG_SAINT_AUBIN, role="customer")
MLEROY = Caller(user_id=demo.USER_MLEROY, organisation_id=demo.ORG_SAINT_AUBIN, role="customer_manager")
PMARTIN = Caller(user_id=demo.USER_PMARTIN, organisation_id=demo.ORG_VALLEE, role="customer")
CBERNARD = Caller(user_id=demo.AGENT_CBERNARD, organisation_id=demo.VENDOR_ORG, role="agent")
LPETIT = Caller(user_id=demo.AGENT_LPETIT, organisation_id=demo.VENDOR_ORG, role="agent")
EVENT_TIMEOUT_SECONDS = 10


def _remote_method_missing(exc: RpcCallFailed) -> bool:
    return exc.exc_type == "MethodNotFound"


@pytest.fixture(scope="module")
def form(system) -> dict[str, Any]:
    """Return valid form values for Saint-Aubin's support contract, read from the catalog."""
    try:
        entitlements = system.rpc("catalog", "get_entitlements", caller=CBERNARD,
                                  organisation_id=demo.ORG_SAINT_AUBIN)
        system.rpc("auth", "get_users", caller=CBERNARD, ids=[demo.USER_JDUPONT])
    except RpcCallFailed as exc:
        if _remote_method_missing(exc):
            pytest.skip(f"the catalog or auth service of this tree lacks a method tickets need: {exc}")
        raise
    contract = next(item for item in entitlements["contracts"] if item["id"] == demo.CONTRACT_SAINT_AUBIN)
    assistance = [service["id"] for service in contract["services"] if service["is_assistance"]]
    return {
        "contract_id": contract["id"], "service_ids": assistance, "product_id": demo.PRODUCT_CARRUS,
        "site_id": demo.SITE_MAIRIE, "nature": "incident", "severity": "major",
        "title": "Le calcul des échéances s'arrête", "description": "Depuis ce matin, **aucune** échéance.",
    }


def create(system, caller: Caller, form: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return system.rpc("tickets", "create_ticket", caller=caller, values=dict(form, **changes))


def rpc_error(system, caller: Caller, method: str, **kwargs: Any) -> RpcCallFailed:
    with pytest.raises(RpcCallFailed) as raised:
        system.rpc("tickets", method, caller=caller, **kwargs)
    return raised.value


def error_fields(exc: RpcCallFailed) -> list[tuple[str, str]]:
    args = exc.error.get("exc_args") or []
    return [(item["field"], item["code"]) for item in (args[1] if len(args) > 1 else [])]


def count_all(system, caller: Caller) -> int:
    return system.rpc("tickets", "count_tickets", caller=caller)["all"]


def outbox_events(system, event_type: str, ticket_id: str) -> list[dict[str, Any]]:
    engine = make_engine(system.databases.url("tickets"))
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT payload, published_at FROM outbox WHERE event_type = :type ORDER BY id"),
                {"type": event_type}).all()
    finally:
        engine.dispose()
    events = []
    for payload, published_at in rows:
        envelope = json.loads(payload)
        if envelope["data"]["ticket_id"] == ticket_id:
            events.append(dict(envelope, published=published_at is not None))
    return events


def transition(system, caller: Caller, ticket: dict[str, Any], name: str, **kwargs: Any) -> dict[str, Any]:
    return system.rpc("tickets", "transition_ticket", caller=caller, ticket_id=ticket["id"], transition=name,
                      **kwargs)


# Demo tickets (no catalog or auth call needed) ------------------------------------------------

DEMO_NEW = demo.demo_id("ticket:echeances")
DEMO_SUSPENDED = demo.demo_id("ticket:formulaire-etat-civil")
DEMO_RESOLVED = demo.demo_id("ticket:export-budget")


def test_demo_tickets_visible_to_requester_and_follower(system):
    listed = system.rpc("tickets", "list_tickets", caller=JDUPONT, tab="all", first=100)
    suspended = system.rpc("tickets", "get_ticket", caller=JDUPONT, ticket_id=DEMO_SUSPENDED)

    assert {DEMO_NEW, DEMO_SUSPENDED, DEMO_RESOLVED} <= {item["id"] for item in listed["items"]}
    assert suspended["state_label"]["fr"] == "Reprise demandée par le client"
    assert suspended["allowed_transitions"] == ["resume", "close"]
    assert suspended["unread"] is True


def test_demo_ticket_unreachable_from_other_organisation(system):
    listed = system.rpc("tickets", "list_tickets", caller=PMARTIN, tab="all", first=100)

    assert DEMO_SUSPENDED not in [item["id"] for item in listed["items"]]
    for method, kwargs in [("get_ticket", {}), ("list_ticket_messages", {}), ("list_ticket_attachments", {}),
                           ("transition_ticket", {"transition": "resume"}), ("update_ticket", {"changes": {}})]:
        exc = rpc_error(system, PMARTIN, method, ticket_id=DEMO_SUSPENDED, **kwargs)
        assert exc.exc_type == "TicketNotFound", method


# Creation -------------------------------------------------------------------------------------

def test_create_ticket_valid_form(system, form):
    ticket = create(system, JDUPONT, form, reference_1="DOSSIER-12", desired_delivery_date="2099-01-31")

    assert re.fullmatch(r"\d{4}-\d{6}", ticket["number"])
    assert ticket["status"] == "new"
    assert ticket["status_label"] == {"fr": "Nouvelle", "en": "New"}
    assert ticket["state"] == "awaiting_support"
    assert ticket["organisation_id"] == demo.ORG_SAINT_AUBIN
    assert ticket["requester_id"] == demo.USER_JDUPONT
    assert ticket["product"]["name"] == "Carrus"
    assert ticket["site"]["name"] == "Mairie"
    assert ticket["contract"]["number"]
    assert ticket["reference_1"] == "DOSSIER-12"
    assert ticket["desired_delivery_date"] == "2099-01-31"
    assert "<strong>aucune</strong>" in ticket["description_html"]
    assert ticket["entered_at"] is not None
    assert ticket["received_at"] is None
    assert system.rpc("tickets", "get_ticket", caller=JDUPONT, ticket_id=ticket["id"])["number"] == ticket["number"]


def test_create_ticket_invalid_stores_nothing(system, form):
    before = count_all(system, CBERNARD)

    exc = rpc_error(system, JDUPONT, "create_ticket", values=dict(
        form, title="", severity="critique", follower_ids=[demo.USER_PMARTIN]))

    assert exc.exc_type == "InvalidTicket"
    assert error_fields(exc) == [("severity", "INVALID_CHOICE"), ("title", "REQUIRED"),
                                 ("followerIds", "NOT_IN_ORGANISATION")]
    assert exc.error["exc_args"][1][1]["message"]["fr"] == "Le champ « Titre » est obligatoire."
    assert count_all(system, CBERNARD) == before


def test_create_ticket_uncovered_product_rejected(system, form):
    before = count_all(system, CBERNARD)

    exc = rpc_error(system, JDUPONT, "create_ticket", values=dict(form, product_id=demo.PRODUCT_COMPTA))

    assert exc.exc_type == "InvalidTicket"
    assert [field for field, _code in error_fields(exc)] == ["productId"]
    assert count_all(system, CBERNARD) == before


def test_create_ticket_without_assistance_rejected(system, form):
    exc = rpc_error(system, PMARTIN, "create_ticket", values=dict(
        form, contract_id=demo.CONTRACT_VALLEE, product_id=demo.PRODUCT_COMPTA, site_id=demo.SITE_VALLEE_SIEGE))

    assert exc.exc_type == "InvalidTicket"
    assert error_fields(exc)[0][0] == "contractId"


def test_create_ticket_numbers_unique_when_concurrent(system, form):
    numbers: list[str] = []
    failures: list[BaseException] = []
    start = threading.Barrier(6)

    def create_one() -> None:
        with SyncRpcClient(system.vhost.amqp_uri) as client:
            start.wait()
            try:
                ticket = client.call("tickets", "create_ticket", context={CONTEXT_KEY: JDUPONT.to_header()},
                                     values=form)
                numbers.append(ticket["number"])
            except Exception as exc:  # collected so that the assertion shows it
                failures.append(exc)

    threads = [threading.Thread(target=create_one) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert len(set(numbers)) == 6


def test_ticket_created_event_published_from_outbox(system, form):
    ticket = create(system, JDUPONT, form, follower_ids=[demo.USER_MLEROY])

    deadline = time.monotonic() + EVENT_TIMEOUT_SECONDS
    events = outbox_events(system, "ticket_created", ticket["id"])
    while not (events and events[0]["published"]) and time.monotonic() < deadline:
        time.sleep(0.1)
        events = outbox_events(system, "ticket_created", ticket["id"])

    assert len(events) == 1
    assert events[0]["published"]
    data = events[0]["data"]
    assert data["number"] == ticket["number"]
    assert data["title"] == form["title"]
    assert data["organisation_id"] == demo.ORG_SAINT_AUBIN
    assert data["requester_id"] == demo.USER_JDUPONT
    assert data["follower_ids"] == [demo.USER_MLEROY]
    assert data["status"] == "new"
    assert data["actor_id"] == demo.USER_JDUPONT
    assert {contact["id"] for contact in data["contacts"]} == {demo.USER_JDUPONT, demo.USER_MLEROY}
    assert events[0]["actor"] == {"type": "user", "user_id": demo.USER_JDUPONT}


# Visibility -----------------------------------------------------------------------------------

def test_other_organisation_reaches_no_ticket(system, form):
    ticket = create(system, JDUPONT, form)
    ticket_id = ticket["id"]

    listed = system.rpc("tickets", "list_tickets", caller=PMARTIN, tab="all", first=100)
    assert ticket_id not in [item["id"] for item in listed["items"]]
    assert system.rpc("tickets", "get_tickets", caller=PMARTIN, ids=[ticket_id]) == [None]
    for method, kwargs in [
        ("get_ticket", {}), ("get_ticket_history", {}), ("list_ticket_messages", {}), ("mark_ticket_read", {}),
        ("duplicate_ticket", {}), ("post_ticket_message", {"body": "Bonjour"}),
        ("transition_ticket", {"transition": "close"}), ("transition_ticket", {"transition": "acknowledge"}),
    ]:
        exc = rpc_error(system, PMARTIN, method, ticket_id=ticket_id, **kwargs)
        assert exc.exc_type == "TicketNotFound", method
    assert system.rpc("tickets", "get_ticket", caller=JDUPONT, ticket_id=ticket_id)["status"] == "new"


def test_customer_sees_requested_or_followed_only(system, form):
    own = create(system, MLEROY, form)
    followed = create(system, MLEROY, form, follower_ids=[demo.USER_JDUPONT])
    for_colleague = create(system, MLEROY, form, requester_id=demo.USER_JDUPONT)

    assert rpc_error(system, JDUPONT, "get_ticket", ticket_id=own["id"]).exc_type == "TicketNotFound"
    assert system.rpc("tickets", "get_ticket", caller=JDUPONT, ticket_id=followed["id"])["id"] == followed["id"]
    assert system.rpc("tickets", "get_ticket", caller=JDUPONT, ticket_id=for_colleague["id"])["id"]
    # The manager who wrote for a colleague follows the ticket, and sees the whole organisation anyway.
    assert demo.USER_MLEROY in for_colleague["follower_ids"]
    manager_ids = [item["id"] for item in
                   system.rpc("tickets", "list_tickets", caller=MLEROY, tab="all", first=100)["items"]]
    assert {own["id"], followed["id"], for_colleague["id"]} <= set(manager_ids)


def test_list_tickets_tabs_and_counts(system, form):
    ticket = create(system, JDUPONT, form, title="Onglets et compteurs")
    transition(system, CBERNARD, ticket, "start_intervention")
    transition(system, CBERNARD, ticket, "resolve")

    resolved = system.rpc("tickets", "list_tickets", caller=JDUPONT, tab="resolved",
                          filters={"text": "onglets"}, first=10)
    in_progress = system.rpc("tickets", "list_tickets", caller=JDUPONT, tab="in_progress",
                             filters={"text": "onglets"}, first=10)

    assert [item["id"] for item in resolved["items"]] == [ticket["id"]]
    assert in_progress["items"] == []
    assert resolved["counts"] == {"in_progress": 0, "resolved": 1, "closed": 0, "all": 1, "unread": 0}


def search_ids(system, caller: Caller, searched: str) -> list[str]:
    page = system.rpc("tickets", "list_tickets", caller=caller, tab="all", filters={"text": searched}, first=100)
    return [item["id"] for item in page["items"]]


def test_text_filter_ignores_accents_and_case(system, form):
    ticket = create(system, JDUPONT, form, title="Échéances bloquées", reference_1="Régie-Été-7")

    for searched in ("echeances", "ÉCHÉANCES", "bloquees", "echeances BLOQUÉES", "regie-ete", ticket["number"]):
        assert ticket["id"] in search_ids(system, JDUPONT, searched), searched
    assert ticket["id"] not in search_ids(system, JDUPONT, "échéances débloquées")


def test_text_filter_follows_edit_and_duplicate(system, form):
    ticket = create(system, JDUPONT, form, title="Échéances bloquées")

    system.rpc("tickets", "update_ticket", caller=JDUPONT, ticket_id=ticket["id"],
               changes={"title": "Relances arrêtées", "reference_2": "Trésorerie-4"})
    copy = system.rpc("tickets", "duplicate_ticket", caller=JDUPONT, ticket_id=ticket["id"])

    assert ticket["id"] not in search_ids(system, JDUPONT, "bloquees")
    assert ticket["id"] in search_ids(system, JDUPONT, "relances arretees")
    assert ticket["id"] in search_ids(system, JDUPONT, "tresorerie-4")
    assert copy["id"] in search_ids(system, JDUPONT, "relances arretees")
    assert copy["id"] in search_ids(system, JDUPONT, "tresorerie-4")


def test_text_filter_hides_other_organisations(system, form):
    ticket = create(system, JDUPONT, form, title="Échéances bloquées")

    page = system.rpc("tickets", "list_tickets", caller=PMARTIN, tab="all", filters={"text": "echeances"}, first=100)

    assert ticket["id"] not in [item["id"] for item in page["items"]]
    assert {item["organisation_id"] for item in page["items"]} <= {demo.ORG_VALLEE}
    assert page["counts"]["all"] == len(page["items"])


def test_list_tickets_unread_count_of_tab(system, form):
    unread = create(system, JDUPONT, form, title="Non lus par onglet")
    resolved = create(system, JDUPONT, form, title="Non lus par onglet")
    transition(system, CBERNARD, resolved, "start_intervention")
    transition(system, CBERNARD, resolved, "resolve")
    system.rpc("tickets", "mark_ticket_read", caller=JDUPONT, ticket_id=resolved["id"])
    system.rpc("tickets", "post_ticket_message", caller=CBERNARD, ticket_id=unread["id"], body="Réponse du support")

    pages = {tab: system.rpc("tickets", "list_tickets", caller=JDUPONT, tab=tab,
                             filters={"text": "non lus par onglet"}, first=10)
             for tab in ("in_progress", "resolved", "closed", "all")}

    assert {tab: page["unread_count"] for tab, page in pages.items()} == {
        "in_progress": 1, "resolved": 0, "closed": 0, "all": 1}
    assert {tab: page["counts"]["unread"] for tab, page in pages.items()} == {
        "in_progress": 1, "resolved": 1, "closed": 1, "all": 1}


def test_list_tickets_unknown_tab_rejected(system, form):
    exc = rpc_error(system, JDUPONT, "list_tickets", tab="creation")

    assert exc.exc_type == "InvalidTicketQuery"
    assert error_fields(exc) == [("tab", "INVALID")]


def test_list_tickets_sends_only_the_keys_asked_for(system, form):
    ticket = create(system, JDUPONT, form, title="Liste réduite aux clés demandées")
    whole = system.rpc("tickets", "get_ticket", caller=JDUPONT, ticket_id=ticket["id"])

    page = system.rpc("tickets", "list_tickets", caller=JDUPONT, tab="all", first=10,
                      filters={"text": "réduite aux clés"}, keys=["id", "title", "status_label", "follower_ids"])

    assert page["items"] == [{"id": whole["id"], "title": whole["title"], "status_label": whole["status_label"],
                              "follower_ids": whole["follower_ids"]}]


def test_list_tickets_unknown_key_rejected(system, form):
    exc = rpc_error(system, JDUPONT, "list_tickets", tab="all", keys=["title", "password"])

    assert exc.exc_type == "InvalidTicketQuery"
    assert error_fields(exc) == [("keys", "INVALID")]


# Life cycle -----------------------------------------------------------------------------------

def test_customer_acknowledge_forbidden(system, form):
    ticket = create(system, JDUPONT, form)

    exc = rpc_error(system, JDUPONT, "transition_ticket", ticket_id=ticket["id"], transition="acknowledge")

    assert exc.exc_type == "TransitionNotAllowed"


def test_life_cycle_sets_dates_and_history(system, form):
    ticket = create(system, JDUPONT, form)

    ticket = transition(system, CBERNARD, ticket, "acknowledge")
    assert ticket["status"] == "acknowledged"
    assert ticket["received_at"] is not None
    missing_reason = rpc_error(system, CBERNARD, "transition_ticket", ticket_id=ticket["id"], transition="suspend")
    assert error_fields(missing_reason) == [("reason", "REQUIRED")]
    ticket = transition(system, CBERNARD, ticket, "suspend", reason="Quelle version de Carrus ?")
    assert ticket["state_label"]["fr"] == "Reprise demandée par le client"
    assert ticket["suspension_reason"] == "Quelle version de Carrus ?"
    ticket = transition(system, JDUPONT, ticket, "resume")
    assert ticket["status"] == "in_progress"
    assert ticket["intervention_at"] is not None
    ticket = transition(system, CBERNARD, ticket, "resolve", reason="Paramètre corrigé")
    assert ticket["resolved_at"] is not None
    ticket = transition(system, JDUPONT, ticket, "reopen", reason="Toujours en erreur")
    assert ticket["resolved_at"] is None
    ticket = transition(system, CBERNARD, ticket, "resolve")
    ticket = transition(system, JDUPONT, ticket, "close")
    assert ticket["status"] == "closed"
    assert ticket["closed_at"] is not None
    assert ticket["allowed_transitions"] == []
    assert ticket["version"] == 8

    history = system.rpc("tickets", "get_ticket_history", caller=JDUPONT, ticket_id=ticket["id"])
    assert [entry["action"] for entry in history] == [
        "create", "acknowledge", "suspend", "resume", "resolve", "reopen", "resolve", "close"]
    assert history[2]["actor_id"] == demo.AGENT_CBERNARD
    assert history[2]["reason"] == "Quelle version de Carrus ?"
    assert (history[5]["from_status"], history[5]["to_status"]) == ("resolved", "in_progress")
    events = outbox_events(system, "ticket_status_changed", ticket["id"])
    assert [event["data"]["transition"] for event in events] == [
        "acknowledge", "suspend", "resume", "resolve", "reopen", "resolve", "close"]


def test_concurrent_transitions_one_conflict(system, form):
    ticket = create(system, JDUPONT, form)
    results: list[str] = []
    start = threading.Barrier(2)

    def act(caller: Caller, name: str, reason: str | None) -> None:
        with SyncRpcClient(system.vhost.amqp_uri) as client:
            start.wait()
            try:
                client.call("tickets", "transition_ticket", context={CONTEXT_KEY: caller.to_header()},
                            ticket_id=ticket["id"], transition=name, reason=reason, expected_version=1)
                results.append("ok")
            except RpcCallFailed as exc:
                results.append(exc.exc_type)

    threads = [threading.Thread(target=act, args=(CBERNARD, "acknowledge", None)),
               threading.Thread(target=act, args=(JDUPONT, "close", "Réglé entre-temps"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == ["TicketChanged", "ok"]
    history = system.rpc("tickets", "get_ticket_history", caller=CBERNARD, ticket_id=ticket["id"])
    assert len(history) == 2


def test_stale_version_conflicts(system, form):
    ticket = create(system, JDUPONT, form)
    transition(system, CBERNARD, ticket, "acknowledge", expected_version=1)

    exc = rpc_error(system, LPETIT, "transition_ticket", ticket_id=ticket["id"], transition="start_intervention",
                    expected_version=1)

    assert exc.exc_type == "TicketChanged"


# Messages, unread, duplicate ------------------------------------------------------------------

def test_internal_note_hidden_from_customer(system, form):
    ticket = create(system, JDUPONT, form)
    system.rpc("tickets", "post_ticket_message", caller=CBERNARD, ticket_id=ticket["id"],
               body="Pouvez-vous joindre le journal ?")
    system.rpc("tickets", "post_ticket_message", caller=CBERNARD, ticket_id=ticket["id"],
               body="Client déjà relancé hier", internal=True)

    customer_view = system.rpc("tickets", "list_ticket_messages", caller=JDUPONT, ticket_id=ticket["id"])
    agent_view = system.rpc("tickets", "list_ticket_messages", caller=LPETIT, ticket_id=ticket["id"])

    assert [message["body"] for message in customer_view["items"]] == ["Pouvez-vous joindre le journal ?"]
    assert [message["internal"] for message in agent_view["items"]] == [False, True]
    note_exc = rpc_error(system, JDUPONT, "post_ticket_message", ticket_id=ticket["id"], body="x", internal=True)
    assert note_exc.exc_type == "MessageNotAllowed"
    events = outbox_events(system, "ticket_message_posted", ticket["id"])
    assert [event["data"]["internal"] for event in events] == [False, True]
    assert events[1]["data"]["body"] is None


def test_unread_flag_until_marked_read(system, form):
    ticket = create(system, JDUPONT, form)
    assert system.rpc("tickets", "get_ticket", caller=JDUPONT, ticket_id=ticket["id"])["unread"] is False
    system.rpc("tickets", "post_ticket_message", caller=CBERNARD, ticket_id=ticket["id"], body="Note", internal=True)
    assert system.rpc("tickets", "get_ticket", caller=JDUPONT, ticket_id=ticket["id"])["unread"] is False

    system.rpc("tickets", "post_ticket_message", caller=CBERNARD, ticket_id=ticket["id"], body="Réponse du support")
    unread_before = system.rpc("tickets", "count_tickets", caller=JDUPONT, filters={"unread": True})["all"]
    assert system.rpc("tickets", "get_ticket", caller=JDUPONT, ticket_id=ticket["id"])["unread"] is True
    assert system.rpc("tickets", "get_ticket", caller=CBERNARD, ticket_id=ticket["id"])["unread"] is False

    marked = system.rpc("tickets", "mark_ticket_read", caller=JDUPONT, ticket_id=ticket["id"])

    assert marked["unread"] is False
    assert system.rpc("tickets", "count_tickets", caller=JDUPONT, filters={"unread": True})["all"] == unread_before - 1


def test_duplicate_ticket_links_original(system, form):
    original = create(system, JDUPONT, form, reference_2="R2")
    transition(system, JDUPONT, original, "close")

    copy = system.rpc("tickets", "duplicate_ticket", caller=JDUPONT, ticket_id=original["id"])

    assert copy["id"] != original["id"]
    assert copy["number"] != original["number"]
    assert copy["duplicated_from_id"] == original["id"]
    assert copy["status"] == "new"
    assert (copy["title"], copy["reference_2"], copy["product_id"]) == (form["title"], "R2", form["product_id"])
    history = system.rpc("tickets", "get_ticket_history", caller=JDUPONT, ticket_id=copy["id"])
    assert [entry["action"] for entry in history] == ["duplicate"]


# Columns and Excel export ---------------------------------------------------------------------

def _export_sheet(system, caller: Caller, **kwargs: Any) -> Any:
    exported = system.rpc("tickets", "export_tickets", caller=caller, **kwargs)
    key = exported["storage_key"]
    path = system.work_dir / "var" / "attachments" / "exports" / key[:2] / key
    content = path.read_bytes()
    path.unlink()
    assert len(content) == exported["size"]
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    return exported, workbook.active


def test_export_keeps_formula_text_and_hides_other_organisations(system, form):
    title = "=HYPERLINK(\"http://exemple.invalid\") export"
    ticket = create(system, JDUPONT, form, title=title)

    exported, sheet = _export_sheet(system, JDUPONT, tab="all", filters={"text": "exemple.invalid"},
                                    columns=["number", "title", "entered_at"])
    _other, other_sheet = _export_sheet(system, PMARTIN, tab="all", columns=["number", "title"])

    assert exported["filename"].endswith(".xlsx")
    assert exported["row_count"] == 1
    assert [cell.value for cell in sheet[1]] == ["Numéro", "Titre", "Date de saisie"]
    assert sheet["A2"].value == ticket["number"]
    assert sheet["B2"].value == title
    assert sheet["B2"].data_type == "s"
    assert sheet["C2"].is_date
    assert ticket["number"] not in [row[0] for row in other_sheet.iter_rows(min_row=2, values_only=True)]


def test_export_text_filter_ignores_accents(system, form):
    ticket = create(system, JDUPONT, form, title="Échéances bloquées à l'export")

    exported, sheet = _export_sheet(system, JDUPONT, tab="all", filters={"text": "BLOQUEES A L'EXPORT"},
                                    columns=["number", "title"])
    _other, other_sheet = _export_sheet(system, PMARTIN, tab="all", filters={"text": "bloquees a l'export"},
                                        columns=["number", "title"])

    assert exported["row_count"] == 1
    assert [cell.value for cell in sheet[2]] == [ticket["number"], ticket["title"]]
    assert other_sheet.max_row == 1


def test_export_in_english(system, form):
    create(system, JDUPONT, form, title="Export in English")

    exported, sheet = _export_sheet(system, JDUPONT, tab="all", columns=["title", "status"], language="en")

    assert exported["filename"].startswith("tickets-")
    assert sheet.title == "Tickets"
    assert [cell.value for cell in sheet[1]] == ["Title", "Status"]
    assert "New" in [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]


def test_ticket_columns_saved_per_user(system, form):
    default = system.rpc("tickets", "get_ticket_columns", caller=MLEROY)["columns"]

    saved = system.rpc("tickets", "save_ticket_columns", caller=JDUPONT, columns=["status", "number", "site"])
    _exported, sheet = _export_sheet(system, JDUPONT, tab="all")
    rejected = rpc_error(system, JDUPONT, "save_ticket_columns", columns=["number", "secret"])

    assert [column["key"] for column in saved["columns"]] == ["status", "number", "site"]
    assert [column["key"] for column in system.rpc("tickets", "get_ticket_columns", caller=JDUPONT)["columns"]] == [
        "status", "number", "site"]
    assert system.rpc("tickets", "get_ticket_columns", caller=MLEROY)["columns"] == default
    assert [cell.value for cell in sheet[1]] == ["Statut", "Numéro", "Site"]
    assert error_fields(rejected) == [("columns", "INVALID_CHOICE")]


# Assignment -----------------------------------------------------------------------------------

def test_assign_ticket_records_event_and_filters(system, form):
    ticket = create(system, JDUPONT, form)

    assigned = system.rpc("tickets", "assign_ticket", caller=CBERNARD, ticket_id=ticket["id"],
                          assignee_id=demo.AGENT_LPETIT, expected_version=1)
    mine = system.rpc("tickets", "list_tickets", caller=LPETIT, tab="all",
                      filters={"assignee_id": demo.AGENT_LPETIT}, first=100)

    assert assigned["assignee_id"] == demo.AGENT_LPETIT
    assert assigned["version"] == 2
    assert ticket["id"] in [item["id"] for item in mine["items"]]
    events = outbox_events(system, "ticket_assigned", ticket["id"])
    assert [event["data"]["assignee_id"] for event in events] == [demo.AGENT_LPETIT]
    assert events[0]["data"]["assignee"]["email"] == "lpetit@eksae.example.fr"


def test_assign_ticket_rejects_customer_and_non_agent(system, form):
    ticket = create(system, JDUPONT, form)

    by_customer = rpc_error(system, MLEROY, "assign_ticket", ticket_id=ticket["id"], assignee_id=demo.AGENT_LPETIT)
    to_customer = rpc_error(system, CBERNARD, "assign_ticket", ticket_id=ticket["id"], assignee_id=demo.USER_MLEROY)

    assert by_customer.exc_type == "Forbidden"
    assert error_fields(to_customer) == [("assigneeId", "NOT_AN_AGENT")]
    assert system.rpc("tickets", "get_ticket", caller=CBERNARD, ticket_id=ticket["id"])["assignee_id"] is None


# Suspended tickets: reminder, then automatic closing ------------------------------------------

AROUX = Caller(user_id=demo.ADMIN_AROUX, organisation_id=demo.VENDOR_ORG, role="admin")


def age_suspension(system, ticket_id: str, suspended_days_ago: int, reminded_days_ago: int | None) -> None:
    """Move a ticket's suspension into the past, as if the days had gone by."""
    now = datetime.now(timezone.utc)
    values: dict[str, Any] = {"suspended_at": now - timedelta(days=suspended_days_ago)}
    if reminded_days_ago is not None:
        values["suspension_reminded_at"] = now - timedelta(days=reminded_days_ago)
    engine = make_engine(system.databases.url("tickets"))
    try:
        with engine.begin() as connection:
            connection.execute(update(Ticket).where(Ticket.id == ticket_id).values(**values))
    finally:
        engine.dispose()


def test_suspended_ticket_reminded_then_closed(system, form):
    ticket = create(system, JDUPONT, form)
    transition(system, CBERNARD, ticket, "acknowledge")
    transition(system, CBERNARD, ticket, "suspend", reason="Merci de joindre une capture d'écran")

    age_suspension(system, ticket["id"], suspended_days_ago=8, reminded_days_ago=None)
    first = system.rpc("tickets", "run_suspension_checks", caller=AROUX)
    age_suspension(system, ticket["id"], suspended_days_ago=31, reminded_days_ago=23)
    second = system.rpc("tickets", "run_suspension_checks", caller=AROUX)

    assert first["reminded"] >= 1
    assert second["closed"] >= 1
    reminders = outbox_events(system, "ticket_suspension_reminded", ticket["id"])
    assert len(reminders) == 1
    assert reminders[0]["data"]["suspension_reason"] == "Merci de joindre une capture d'écran"
    assert reminders[0]["data"]["auto_close_at"] is not None
    closed = system.rpc("tickets", "get_ticket", caller=JDUPONT, ticket_id=ticket["id"])
    assert closed["status"] == "closed"
    history = system.rpc("tickets", "get_ticket_history", caller=JDUPONT, ticket_id=ticket["id"])
    assert (history[-1]["action"], history[-1]["actor_id"]) == ("auto_close", None)
    changes = outbox_events(system, "ticket_status_changed", ticket["id"])
    assert changes[-1]["data"]["automatic"] is True
    assert changes[-1]["actor"] == {"type": "system"}


def test_suspended_ticket_not_closed_without_notice(system, form):
    ticket = create(system, JDUPONT, form)
    transition(system, CBERNARD, ticket, "start_intervention")
    transition(system, CBERNARD, ticket, "suspend", reason="Quel poste ?")

    # The reminder went out only yesterday, so the announced closing date has not come yet.
    age_suspension(system, ticket["id"], suspended_days_ago=40, reminded_days_ago=1)
    system.rpc("tickets", "run_suspension_checks", caller=AROUX)

    assert system.rpc("tickets", "get_ticket", caller=JDUPONT, ticket_id=ticket["id"])["status"] == "suspended"
    assert rpc_error(system, CBERNARD, "run_suspension_checks").exc_type == "Forbidden"


# Editing --------------------------------------------------------------------------------------

def test_update_ticket_records_edit(system, form):
    ticket = create(system, JDUPONT, form)

    updated = system.rpc("tickets", "update_ticket", caller=JDUPONT, ticket_id=ticket["id"], expected_version=1,
                         changes={"severity": "blocking", "description": "Plus de détails", "reference_2": "R-9"})
    stale = rpc_error(system, JDUPONT, "update_ticket", ticket_id=ticket["id"], expected_version=1,
                      changes={"title": "Autre titre"})
    invalid = rpc_error(system, JDUPONT, "update_ticket", ticket_id=ticket["id"],
                        changes={"title": "", "follower_ids": [demo.USER_PMARTIN], "product_id": demo.PRODUCT_COMPTA})

    assert (updated["severity"], updated["description"], updated["reference_2"]) == ("blocking", "Plus de détails",
                                                                                     "R-9")
    assert updated["version"] == 2
    assert stale.exc_type == "TicketChanged"
    assert error_fields(invalid) == [("product_id", "NOT_EDITABLE")]
    history = system.rpc("tickets", "get_ticket_history", caller=JDUPONT, ticket_id=ticket["id"])
    assert (history[-1]["action"], history[-1]["reason"]) == ("edit", "severity, reference_2, description")


def test_update_ticket_followers_checked(system, form):
    ticket = create(system, JDUPONT, form)

    foreign = rpc_error(system, JDUPONT, "update_ticket", ticket_id=ticket["id"],
                        changes={"follower_ids": [demo.USER_PMARTIN]})
    updated = system.rpc("tickets", "update_ticket", caller=JDUPONT, ticket_id=ticket["id"],
                         changes={"follower_ids": [demo.USER_MLEROY]})
    other = rpc_error(system, PMARTIN, "update_ticket", ticket_id=ticket["id"], changes={"title": "x"})

    assert error_fields(foreign) == [("followerIds", "NOT_IN_ORGANISATION")]
    assert updated["follower_ids"] == [demo.USER_MLEROY]
    assert other.exc_type == "TicketNotFound"

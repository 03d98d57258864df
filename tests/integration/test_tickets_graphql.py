"""Tickets through the GraphQL gateway, signed in as the demo users.

The whole support flow of a customer and an agent runs here: create, acknowledge, suspend, resume
(« Reprise »), resolve, close (« Clôturer ») and duplicate (« Dupliquer »).
"""
from __future__ import annotations

import io
import re
import time
from typing import Any
from urllib.parse import quote

import httpx
import openpyxl
import pytest

from services.common import demo
from services.common.caller import Caller
from services.common.sync_rpc import RpcCallFailed

pytestmark = pytest.mark.integration

DEMO_PASSWORD = "Portail-Demo-2026!"
AGENT = Caller(user_id=demo.AGENT_CBERNARD, organisation_id=demo.VENDOR_ORG, role="agent")

TICKET_FIELDS = """
    id number status statusLabel state stateLabel version title severity nature natureLabel
    reference1 reference2 enteredAt receivedAt interventionAt resolvedAt closedAt suspensionReason
    allowedTransitions unread
    product { id name } site { id name } contract { id number }
    requester { id displayName } followers { id }
    duplicatedFrom { id number }
"""



# Sent by the portal's upload script; cookie-authenticated uploads need it.
FROM_PORTAL = {"X-Requested-With": "portail"}

def _login(system, email: str) -> Any:
    client = system.client()
    client.login(email, DEMO_PASSWORD)
    return client


@pytest.fixture(scope="module")
def clients(system) -> dict[str, Any]:
    probe = system.client().execute('{ __type(name: "LoginInput") { name } }')
    if not (probe.get("data") or {}).get("__type"):
        pytest.skip("the auth plugin of this tree has no login mutation")
    return {
        "manager": _login(system, "mleroy@example.fr"),
        "other": _login(system, "pmartin@vallee-du-lys.example.fr"),
        "agent": _login(system, "cbernard@eksae.example.fr"),
    }


@pytest.fixture(scope="module")
def form_input(system, clients) -> dict[str, Any]:
    try:
        entitlements = system.rpc("catalog", "get_entitlements", caller=AGENT, organisation_id=demo.ORG_SAINT_AUBIN)
    except RpcCallFailed as exc:
        pytest.skip(f"the catalog of this tree cannot list entitlements: {exc}")
    contract = next(item for item in entitlements["contracts"] if item["id"] == demo.CONTRACT_SAINT_AUBIN)
    return {
        "contractId": contract["id"],
        "serviceIds": [service["id"] for service in contract["services"] if service["is_assistance"]],
        "productId": demo.PRODUCT_CARRUS, "siteId": demo.SITE_ANNEXE,
        "nature": "ASSISTANCE", "severity": "MINOR", "reference1": "BON-2026-77",
        "title": "Paramétrer les relances", "description": "Comment *activer* les relances automatiques ?",
    }


def create(client: Any, form_input: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return client.data(
        f"mutation($input: CreateTicketInput!) {{ createTicket(input: $input) {{ ticket {{ {TICKET_FIELDS} }} }} }}",
        {"input": dict(form_input, **changes)})["createTicket"]["ticket"]


def act(client: Any, mutation: str, ticket: dict[str, Any], **fields: Any) -> dict[str, Any]:
    input_type = mutation[0].upper() + mutation[1:] + "Input"
    body = client.execute(
        f"mutation($input: {input_type}!) {{ {mutation}(input: $input) {{ ticket {{ {TICKET_FIELDS} }} }} }}",
        {"input": dict(fields, ticketId=ticket["id"])})
    return body


def ticket_of(body: dict[str, Any], mutation: str) -> dict[str, Any]:
    assert not body.get("errors"), body.get("errors")
    return body["data"][mutation]["ticket"]


def error_code(body: dict[str, Any]) -> str:
    return body["errors"][0]["extensions"]["code"]


def test_support_flow_end_to_end(clients, form_input):
    customer, agent = clients["manager"], clients["agent"]

    ticket = create(customer, form_input)
    assert ticket["statusLabel"] == "Nouvelle"
    assert ticket["product"]["name"] == "Carrus"
    assert ticket["site"]["name"] == "Annexe technique"
    assert ticket["requester"]["id"] == demo.USER_MLEROY
    assert ticket["reference1"] == "BON-2026-77"

    ticket = ticket_of(act(agent, "acknowledgeTicket", ticket, expectedVersion=1), "acknowledgeTicket")
    assert ticket["statusLabel"] == "Prise en compte"
    assert ticket["receivedAt"] is not None
    ticket = ticket_of(act(agent, "suspendTicket", ticket, requestedInformation="Quel site est concerné ?"),
                       "suspendTicket")
    assert (ticket["status"], ticket["stateLabel"]) == ("SUSPENDED", "Reprise demandée par le client")
    ticket = ticket_of(act(customer, "resumeTicket", ticket, comment="Le site de l'annexe"), "resumeTicket")
    assert ticket["status"] == "IN_PROGRESS"
    assert ticket["interventionAt"] is not None
    ticket = ticket_of(act(agent, "resolveTicket", ticket, resolution="Relances activées"), "resolveTicket")
    assert ticket["resolvedAt"] is not None
    ticket = ticket_of(act(customer, "closeTicket", ticket), "closeTicket")
    assert ticket["statusLabel"] == "Clôturée"
    assert ticket["closedAt"] is not None

    body = customer.execute("mutation($input: DuplicateTicketInput!) { duplicateTicket(input: $input) "
                            "{ ticket { id number status duplicatedFrom { id number } } } }",
                            {"input": {"ticketId": ticket["id"]}})
    copy = body["data"]["duplicateTicket"]["ticket"]
    assert copy["status"] == "NEW"
    assert copy["duplicatedFrom"] == {"id": ticket["id"], "number": ticket["number"]}

    listed = customer.data('{ tickets(tab: CLOSED, filter: {text: "relances"}, first: 50) '
                           "{ totalCount counts { closed inProgress all } edges { node { id } } } }")["tickets"]
    assert ticket["id"] in [edge["node"]["id"] for edge in listed["edges"]]
    assert listed["counts"]["closed"] >= 1

    exported = customer.http.get("/tickets/export.xlsx", params={"tab": "closed", "columns": "number,status"})
    rows = list(openpyxl.load_workbook(io.BytesIO(exported.content)).active.iter_rows(values_only=True))
    assert (ticket["number"], "Clôturée") in rows


def test_resolved_ticket_offers_customer_close_or_reopen(clients, form_input):
    ticket = create(clients["manager"], form_input)
    ticket_of(act(clients["agent"], "startTicketIntervention", ticket), "startTicketIntervention")

    ticket = ticket_of(act(clients["agent"], "resolveTicket", ticket), "resolveTicket")
    seen_by_customer = clients["manager"].data(
        "query($id: ID!) { ticket(id: $id) { allowedTransitions stateLabel } }", {"id": ticket["id"]})["ticket"]

    assert seen_by_customer["allowedTransitions"] == ["REOPEN", "CLOSE"]
    assert seen_by_customer["stateLabel"] == "En attente de confirmation du client"


def test_other_organisation_gets_not_found(clients, form_input):
    ticket = create(clients["manager"], form_input)
    other = clients["other"]

    by_field = other.execute("query($id: ID!) { ticket(id: $id) { number } }", {"id": ticket["id"]})
    by_node = other.execute("query($id: ID!) { node(id: $id) { id } }", {"id": ticket["id"]})
    closing = act(other, "closeTicket", ticket)
    posting = other.execute("mutation($input: PostTicketMessageInput!) { postTicketMessage(input: $input) "
                            "{ message { id } } }", {"input": {"ticketId": ticket["id"], "body": "Bonjour"}})
    listed = other.data("{ tickets(tab: ALL, first: 100) { edges { node { id } } } }")["tickets"]

    own_node = clients["manager"].data("query($id: ID!) { node(id: $id) { id ... on Ticket { number } } }",
                                       {"id": ticket["id"]})["node"]
    assert own_node == {"id": ticket["id"], "number": ticket["number"]}
    assert error_code(by_field) == "NOT_FOUND"
    assert error_code(by_node) == "NOT_FOUND"
    assert error_code(closing) == "NOT_FOUND"
    assert error_code(posting) == "NOT_FOUND"
    assert ticket["id"] not in [edge["node"]["id"] for edge in listed["edges"]]


def test_create_ticket_invalid_fields_in_french(clients, form_input):
    body = clients["manager"].execute(
        "mutation($input: CreateTicketInput!) { createTicket(input: $input) { ticket { id } } }",
        {"input": dict(form_input, title="", desiredDeliveryDate="2001-01-01", siteId=demo.SITE_VALLEE_SIEGE)})

    assert error_code(body) == "VALIDATION_FAILED"
    fields = body["errors"][0]["extensions"]["fields"]
    assert [item["field"] for item in fields] == ["siteId", "desiredDeliveryDate", "title"]
    assert fields[2]["message"] == "Le champ « Titre » est obligatoire."


def test_stale_expected_version_conflict(clients, form_input):
    ticket = create(clients["manager"], form_input)
    ticket_of(act(clients["agent"], "acknowledgeTicket", ticket, expectedVersion=1), "acknowledgeTicket")

    body = act(clients["agent"], "startTicketIntervention", ticket, expectedVersion=1)

    assert error_code(body) == "CONFLICT"


def test_customer_acknowledge_forbidden(clients, form_input):
    ticket = create(clients["manager"], form_input)

    body = act(clients["manager"], "acknowledgeTicket", ticket)

    assert error_code(body) == "FORBIDDEN"


def test_messages_unread_and_internal_notes(clients, form_input):
    customer, agent = clients["manager"], clients["agent"]
    ticket = create(customer, form_input)
    post = ("mutation($input: PostTicketMessageInput!) { postTicketMessage(input: $input) "
            "{ message { id internal author { id } } } }")
    agent.data(post, {"input": {"ticketId": ticket["id"], "body": "Pouvez-vous préciser ?"}})
    agent.data(post, {"input": {"ticketId": ticket["id"], "body": "Note pour l'équipe", "internal": True}})
    refused = customer.execute(post, {"input": {"ticketId": ticket["id"], "body": "x", "internal": True}})

    thread = customer.data("query($id: ID!) { ticket(id: $id) { unread messages(first: 10) "
                           "{ totalCount edges { node { body internal author { id } } } } } }",
                           {"id": ticket["id"]})["ticket"]
    marked = customer.data("mutation($input: MarkTicketReadInput!) { markTicketRead(input: $input) "
                           "{ ticket { unread } } }", {"input": {"ticketId": ticket["id"]}})

    assert error_code(refused) == "FORBIDDEN"
    assert thread["unread"] is True
    assert thread["messages"]["totalCount"] == 1
    assert thread["messages"]["edges"][0]["node"]["body"] == "Pouvez-vous préciser ?"
    assert thread["messages"]["edges"][0]["node"]["author"]["id"] == demo.AGENT_CBERNARD
    assert marked["markTicketRead"]["ticket"]["unread"] is False


def test_unread_count_follows_tab(clients, form_input):
    customer, agent = clients["manager"], clients["agent"]
    unread = create(customer, form_input, title="Non lus de l'onglet")
    resolved = create(customer, form_input, title="Non lus de l'onglet")
    ticket_of(act(agent, "startTicketIntervention", resolved), "startTicketIntervention")
    ticket_of(act(agent, "resolveTicket", resolved), "resolveTicket")
    customer.data("mutation($input: MarkTicketReadInput!) { markTicketRead(input: $input) { ticket { unread } } }",
                  {"input": {"ticketId": resolved["id"]}})
    agent.data("mutation($input: PostTicketMessageInput!) { postTicketMessage(input: $input) { message { id } } }",
               {"input": {"ticketId": unread["id"], "body": "Pouvez-vous préciser ?"}})

    query = ('query($tab: TicketTab) { tickets(tab: $tab, filter: {text: "non lus de l\'onglet"}) '
             "{ totalCount unreadCount counts { unread } } }")
    lists = {tab: customer.data(query, {"tab": tab})["tickets"] for tab in ("IN_PROGRESS", "RESOLVED", "CLOSED")}
    pages = {slug: customer.http.get(f"/support/{slug}", params={"texte": "non lus de l'onglet"})
             for slug in ("en-cours", "resolues", "cloturees")}

    assert lists["IN_PROGRESS"] == {"totalCount": 1, "unreadCount": 1, "counts": {"unread": 1}}
    assert lists["RESOLVED"] == {"totalCount": 1, "unreadCount": 0, "counts": {"unread": 1}}
    assert lists["CLOSED"] == {"totalCount": 0, "unreadCount": 0, "counts": {"unread": 1}}
    assert status_line(pages["en-cours"].text) == "1 demande, 1 avec des messages non lus"
    assert status_line(pages["resolues"].text) == "1 demande"
    assert status_line(pages["cloturees"].text) == "0 demande"


def status_line(html: str) -> str:
    """Return the text of the list page's status line (« N demandes, M avec des messages non lus »)."""
    found = re.search(r'<p role="status">(.*?)</p>', html, re.DOTALL)
    assert found, "the list page has no status line"
    return found.group(1).strip()


def test_export_download_as_attachment(system, clients, form_input):
    ticket = create(clients["manager"], form_input, title="Export « accentué »")
    clients["manager"].data("mutation($input: SaveTicketColumnsInput!) { saveTicketColumns(input: $input) "
                            "{ columns { columns { key } } } }", {"input": {"columns": ["NUMBER", "TITLE"]}})

    response = clients["manager"].http.get("/tickets/export.xlsx", params={"tab": "all", "text": "accentué"})
    anonymous = system.client().http.get("/tickets/export.xlsx")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert response.headers["content-disposition"].startswith("attachment;")
    assert "filename*=UTF-8''demandes-" in response.headers["content-disposition"]
    assert response.headers["x-content-type-options"] == "nosniff"
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert list(sheet.iter_rows(values_only=True)) == [("Numéro", "Titre"), (ticket["number"], ticket["title"])]
    assert anonymous.status_code == 401
    assert anonymous.json()["code"] == "UNAUTHENTICATED"
    assert int(response.headers["content-length"]) == len(response.content)
    # The file passed through the export store and is deleted once downloaded.
    exports = system.work_dir / "var" / "attachments" / "exports"
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(path.is_file() for path in exports.rglob("*")):
        time.sleep(0.1)
    assert not any(path.is_file() for path in exports.rglob("*"))


def test_export_without_support_contract_403(clients):
    # Vallée du Lys has no support contract, so its customers' support pages return 403, and so must the export.
    customer = clients["other"]

    page = customer.http.get("/support/toutes")
    export = customer.http.get("/tickets/export.xlsx", params={"tab": "all"})

    assert page.status_code == 403
    assert export.status_code == 403
    assert export.headers["content-type"].startswith("text/html")
    assert "<h1>Le support ne vous est pas accessible</h1>" in page.text
    assert "<h1>Le support ne vous est pas accessible</h1>" in export.text


def test_ticket_action_without_support_contract_403(clients, form_input):
    ticket = create(clients["manager"], form_input)
    customer = clients["other"]
    customer.http.get("/support/toutes")  # sets the CSRF cookie that the portal's forms echo back
    token = customer.http.cookies["portail_csrf"]

    response = customer.http.post(f"/support/tickets/{ticket['number']}/message",
                                  data={"csrf_token": token, "body": "Bonjour"})

    assert response.status_code == 403
    assert "<h1>Le support ne vous est pas accessible</h1>" in response.text


def test_ticket_columns_query_lists_available(clients):
    columns = clients["agent"].data("{ ticketColumns { columns { key label } available { key } } }")["ticketColumns"]

    assert columns["columns"][0] == {"key": "NUMBER", "label": "Numéro"}
    assert len(columns["available"]) > len(columns["columns"])


def test_assign_ticket_shows_assignee(clients, form_input):
    ticket = create(clients["manager"], form_input)
    assign = ("mutation($input: AssignTicketInput!) { assignTicket(input: $input) "
              "{ ticket { version assignee { id displayName } } } }")

    assigned = clients["agent"].data(assign, {"input": {"ticketId": ticket["id"], "assigneeId": demo.AGENT_LPETIT}})
    by_customer = clients["manager"].execute(assign, {"input": {"ticketId": ticket["id"],
                                                                "assigneeId": demo.AGENT_LPETIT}})

    assert assigned["assignTicket"]["ticket"]["assignee"]["id"] == demo.AGENT_LPETIT
    assert assigned["assignTicket"]["ticket"]["version"] == 2
    assert error_code(by_customer) == "FORBIDDEN"


def test_update_ticket_changes_fields(clients, form_input):
    ticket = create(clients["manager"], form_input)

    body = clients["manager"].data(
        "mutation($input: UpdateTicketInput!) { updateTicket(input: $input) "
        "{ ticket { severity title version history { action reason } } } }",
        {"input": {"ticketId": ticket["id"], "expectedVersion": 1, "severity": "BLOCKING", "title": "Nouveau titre"}})

    updated = body["updateTicket"]["ticket"]
    assert (updated["severity"], updated["title"], updated["version"]) == ("BLOCKING", "Nouveau titre", 2)
    assert updated["history"][-1] == {"action": "edit", "reason": "severity, title"}


def test_update_ticket_null_date_clears_it(clients, form_input):
    ticket = create(clients["manager"], form_input, desiredDeliveryDate="2099-06-30")
    update = ("mutation($input: UpdateTicketInput!) { updateTicket(input: $input) "
              "{ ticket { desiredDeliveryDate reference1 history { reason } } } }")

    omitted = clients["manager"].data(update, {"input": {"ticketId": ticket["id"], "title": "Titre revu"}})
    cleared = clients["manager"].data(update, {"input": {"ticketId": ticket["id"], "desiredDeliveryDate": None}})

    assert omitted["updateTicket"]["ticket"]["desiredDeliveryDate"] == "2099-06-30"
    assert cleared["updateTicket"]["ticket"]["desiredDeliveryDate"] is None
    assert cleared["updateTicket"]["ticket"]["history"][-1] == {"reason": "desired_delivery_date"}


# Attachments ----------------------------------------------------------------------------------

ATTACHMENT_LIMIT_BYTES = 20 * 1024 * 1024


def stored_files(system) -> list[str]:
    root = system.work_dir / "var" / "attachments"
    return sorted(str(path) for path in root.rglob("*") if path.is_file()) if root.exists() else []


def attachments_of(client: Any, ticket: dict[str, Any]) -> list[dict[str, Any]]:
    return client.data("query($id: ID!) { ticket(id: $id) { attachments { id filename size sha256 contentType "
                       "downloadUrl uploadedBy { id } } } }", {"id": ticket["id"]})["ticket"]["attachments"]


def test_attachment_accented_name_round_trip(system, clients, form_input):
    ticket = create(clients["manager"], form_input)
    name = "Capture d'écran – été 2026.png"
    content = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40

    uploaded = clients["manager"].http.post(f"/tickets/{ticket['id']}/attachments", params={"filename": name},
                                            content=content, headers={"Content-Type": "image/png", **FROM_PORTAL})
    listed = attachments_of(clients["agent"], ticket)
    download = clients["agent"].http.get(uploaded.json()["downloadUrl"])
    foreign = clients["other"].http.get(uploaded.json()["downloadUrl"])
    anonymous = system.client().http.get(uploaded.json()["downloadUrl"])

    assert uploaded.status_code == 201, uploaded.text
    assert uploaded.json()["filename"] == name
    assert [item["filename"] for item in listed] == [name]
    assert listed[0]["size"] == len(content)
    assert listed[0]["uploadedBy"]["id"] == demo.USER_MLEROY
    assert download.status_code == 200
    assert download.content == content
    assert download.headers["content-type"] == "image/png"
    assert download.headers["x-content-type-options"] == "nosniff"
    assert download.headers["content-disposition"] == (
        "attachment; filename=\"Capture d'?cran ? ?t? 2026.png\"; "
        "filename*=UTF-8''Capture%20d%27%C3%A9cran%20%E2%80%93%20%C3%A9t%C3%A9%202026.png")
    assert foreign.status_code == 404
    assert foreign.json()["code"] == "NOT_FOUND"
    assert anonymous.status_code == 401


def test_attachment_link_in_browser_gets_pages(system, clients, form_input):
    ticket = create(clients["manager"], form_input)
    uploaded = clients["manager"].http.post(f"/tickets/{ticket['id']}/attachments", params={"filename": "note.txt"},
                                            content=b"bonjour", headers={"Content-Type": "text/plain", **FROM_PORTAL})
    link = uploaded.json()["downloadUrl"]
    browser_accept = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}

    anonymous = system.client().http.get(link, headers=browser_accept)
    foreign = clients["other"].http.get(link, headers=browser_accept)
    malformed = clients["other"].http.get("/tickets/attachments/bidon", headers=browser_accept)
    api_anonymous = system.client().http.get(link, headers={"Accept": "application/json"})
    own = clients["manager"].http.get(link, headers=browser_accept)

    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == f"/connexion?suivant={quote(link)}"
    assert foreign.status_code == 404
    assert foreign.headers["content-type"].startswith("text/html")
    assert "Page introuvable" in foreign.text
    assert malformed.status_code == 404
    assert "Page introuvable" in malformed.text
    assert api_anonymous.status_code == 401
    assert api_anonymous.json()["code"] == "UNAUTHENTICATED"
    assert own.status_code == 200
    assert own.content == b"bonjour"


def test_attachment_oversized_stores_nothing(system, clients, form_input):
    ticket = create(clients["manager"], form_input)
    before = stored_files(system)

    declared = clients["manager"].http.post(f"/tickets/{ticket['id']}/attachments", params={"filename": "gros.bin"},
                                            content=b"\0" * (ATTACHMENT_LIMIT_BYTES + 1), headers=FROM_PORTAL)

    def chunks() -> Any:
        for _ in range(21):
            yield b"\0" * (1024 * 1024)

    streamed_status = None
    try:
        streamed = clients["manager"].http.post(f"/tickets/{ticket['id']}/attachments",
                                                params={"filename": "flux.bin"}, content=chunks(),
                                                headers=FROM_PORTAL)
        streamed_status = streamed.status_code
    except httpx.HTTPError:
        # The server may close the connection after its 413 response, before the client has sent everything.
        streamed_status = 413

    assert declared.status_code == 413
    assert declared.json()["fields"][0]["code"] == "TOO_LARGE"
    assert declared.json()["fields"][0]["message"] == "Le fichier dépasse la taille maximale de 20\u00a0Mo."
    assert streamed_status == 413
    assert attachments_of(clients["manager"], ticket) == []
    assert stored_files(system) == before


def test_cookie_upload_without_portal_header_refused(system, clients, form_input):
    ticket = create(clients["manager"], form_input)
    before = stored_files(system)

    # A cross-site form can send the session cookie but never a custom header.
    response = clients["manager"].http.post(f"/tickets/{ticket['id']}/attachments", params={"filename": "x.txt"},
                                            content=b"bonjour")

    assert response.status_code == 403
    assert response.json()["code"] == "FORBIDDEN"
    assert stored_files(system) == before


def test_attachment_on_other_organisation_ticket_refused(system, clients, form_input):
    ticket = create(clients["manager"], form_input)
    before = stored_files(system)

    response = clients["other"].http.post(f"/tickets/{ticket['id']}/attachments", params={"filename": "x.txt"},
                                          content=b"bonjour", headers=FROM_PORTAL)

    assert response.status_code == 404
    assert stored_files(system) == before


def test_read_only_api_token_cannot_create(system, clients, form_input):
    created = clients["manager"].data(
        "mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token } }",
        {"input": {"name": "Outil de suivi de la mairie", "scopes": ["TICKETS_READ"]}})["createApiToken"]
    api = system.client(token=created["token"])
    ticket = create(clients["manager"], form_input)

    listed = api.data("{ tickets(tab: ALL, first: 100) { edges { node { id } } } }")["tickets"]
    creating = api.execute("mutation($input: CreateTicketInput!) { createTicket(input: $input) { ticket { id } } }",
                           {"input": form_input})
    closing = act(api, "closeTicket", ticket)

    assert ticket["id"] in [edge["node"]["id"] for edge in listed["edges"]]
    assert error_code(creating) == "FORBIDDEN"
    assert error_code(closing) == "FORBIDDEN"


def test_write_api_token_creates_ticket(system, clients, form_input):
    created = clients["manager"].data(
        "mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token } }",
        {"input": {"name": "Outil de la mairie", "scopes": ["TICKETS_READ", "TICKETS_WRITE"]}})["createApiToken"]
    api = system.client(token=created["token"])

    ticket = create(api, form_input, title="Demande venue d'un outil tiers")

    assert ticket["requester"]["id"] == demo.USER_MLEROY
    assert ticket["product"]["name"] == "Carrus"


def test_message_attachments_follow_message_visibility(system, clients, form_input):
    customer, agent = clients["manager"], clients["agent"]
    ticket = create(customer, form_input)
    post = ("mutation($input: PostTicketMessageInput!) { postTicketMessage(input: $input) "
            "{ message { id attachments { id } } } }")
    public = customer.data(post, {"input": {"ticketId": ticket["id"], "body": "Voici le journal"}})
    note = agent.data(post, {"input": {"ticketId": ticket["id"], "body": "Trace serveur", "internal": True}})
    public_id = public["postTicketMessage"]["message"]["id"]
    note_id = note["postTicketMessage"]["message"]["id"]
    before = stored_files(system)

    def upload(client: Any, filename: str, message_id: str) -> Any:
        return client.http.post(f"/tickets/{ticket['id']}/attachments", content=b"journal", headers=FROM_PORTAL,
                                params={"filename": filename, "messageId": message_id})

    with_public = upload(customer, "journal.log", public_id)
    with_note = upload(agent, "trace-serveur.log", note_id)
    on_others_message = upload(customer, "x.log", note_id)
    stored_after = stored_files(system)

    thread = customer.data("query($id: ID!) { ticket(id: $id) { attachments { filename } messages(first: 10) "
                           "{ edges { node { attachments { filename } } } } } }", {"id": ticket["id"]})["ticket"]
    agent_files = [item["filename"] for item in attachments_of(agent, ticket)]
    hidden_download = customer.http.get(with_note.json()["downloadUrl"])

    assert with_public.status_code == 201, with_public.text
    assert with_note.status_code == 201, with_note.text
    assert on_others_message.status_code == 400
    assert on_others_message.json()["fields"][0]["field"] == "messageId"
    assert len(stored_after) == len(before) + 2
    assert [item["filename"] for item in thread["attachments"]] == ["journal.log"]
    assert thread["messages"]["edges"][0]["node"]["attachments"] == [{"filename": "journal.log"}]
    assert sorted(agent_files) == ["journal.log", "trace-serveur.log"]
    assert hidden_download.status_code == 404

"""Administration for the console: organisations, one account's page, invitations again, the import
mutation and the audit log's filters, each allowed to admins and refused or scoped for everyone else."""
import base64
import io
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from graphql_relay import to_global_id
from openpyxl import Workbook

from services.common import demo
from tests.integration.auth_helpers import DEMO_PASSWORD, AuthEvents, error_codes
from tests.integration.test_auth_admin import invite_colleague

pytestmark = pytest.mark.integration

ORGANISATIONS = """query($search: String) { organisations(first: 100, search: $search) {
    totalCount edges { node { id name kind userCount } } } }"""
CREATE_ORGANISATION = """mutation($input: CreateOrganisationInput!) { createOrganisation(input: $input) {
    organisation { id name kind } } }"""
UPDATE_ORGANISATION = """mutation($input: UpdateOrganisationInput!) { updateOrganisation(input: $input) {
    organisation { id name } } }"""
MANAGED_USER = """query($id: ID!) { managedUser(id: $id) { email role hasPassword
    usageRights { supportAccess allProductSpaces } organisation { name } } }"""
RESEND = "mutation($input: UserIdInput!) { resendInvitation(input: $input) { user { email } } }"
IMPORT = """mutation($input: ImportAccountsInput!) { importAccounts(input: $input) {
    dryRun created updated unchanged organisationsCreated rejected { line code message } } }"""
AUDIT = """query($actions: [AuditAction!], $email: String, $after: DateTime, $before: DateTime) {
    securityAuditLog(first: 50, actions: $actions, email: $email, occurredAfter: $after, occurredBefore: $before) {
        totalCount edges { node { action email occurredAt user { email } actor { email } details } } } }"""
USERS = """query($roles: [UserRole!], $org: ID) { users(first: 100, roles: $roles, organisationId: $org) {
    totalCount edges { node { email role } } } }"""
SEARCH_USERS = "query($search: String) { users(first: 100, search: $search) { totalCount } }"


def signed_in(system, email, password=DEMO_PASSWORD):
    client = system.client()
    client.login(email, password)
    return client


def unique(prefix):
    return f"{prefix} {uuid.uuid4().hex[:8]}"


def encoded_csv(text):
    return base64.b64encode(text.encode("utf-8-sig")).decode()


def test_admin_creates_and_renames_organisation(system):
    admin = signed_in(system, "aroux@eksae.example.fr")
    name = unique("Syndicat des eaux")

    created = admin.data(CREATE_ORGANISATION, {"input": {"name": f"  {name}  "}})["createOrganisation"]
    renamed = admin.data(UPDATE_ORGANISATION, {"input": {"organisationId": created["organisation"]["id"],
                                                         "name": f"{name} du Lys"}})["updateOrganisation"]
    listed = admin.data(ORGANISATIONS, {"search": name.upper()})["organisations"]
    audit = admin.data(AUDIT, {"actions": ["ORGANISATION_RENAMED"]})["securityAuditLog"]

    assert created["organisation"]["name"] == name
    assert created["organisation"]["kind"] == "CUSTOMER"
    assert renamed["organisation"]["name"] == f"{name} du Lys"
    assert [edge["node"]["name"] for edge in listed["edges"]] == [f"{name} du Lys"]
    assert listed["edges"][0]["node"]["userCount"] == 0
    assert f'"old_name": "{name}"' in audit["edges"][0]["node"]["details"]


def test_organisation_name_rules(system):
    admin = signed_in(system, "aroux@eksae.example.fr")

    empty = admin.execute(CREATE_ORGANISATION, {"input": {"name": "   "}})
    duplicate = admin.execute(CREATE_ORGANISATION, {"input": {"name": "VILLE DE SAINT-AUBIN"}})
    too_long = admin.execute(CREATE_ORGANISATION, {"input": {"name": "x" * 201}})
    rename_taken = admin.execute(UPDATE_ORGANISATION, {"input": {
        "organisationId": to_global_id("Organisation", demo.ORG_VALLEE), "name": "Ville de Saint-Aubin"}})
    unknown = admin.execute(UPDATE_ORGANISATION, {"input": {
        "organisationId": to_global_id("Organisation", str(uuid.uuid4())), "name": "Nouveau nom"}})

    assert error_codes(empty) == ["VALIDATION_FAILED"]
    assert empty["errors"][0]["extensions"]["fields"][0]["code"] == "REQUIRED"
    assert empty["errors"][0]["extensions"]["fields"][0]["message"] == "Indiquez le nom de l'organisation."
    assert duplicate["errors"][0]["extensions"]["fields"][0]["code"] == "TAKEN"
    assert "« VILLE DE SAINT-AUBIN »" in duplicate["errors"][0]["extensions"]["fields"][0]["message"]
    assert too_long["errors"][0]["extensions"]["fields"][0]["code"] == "TOO_LONG"
    assert rename_taken["errors"][0]["extensions"]["fields"][0]["code"] == "TAKEN"
    assert error_codes(unknown) == ["NOT_FOUND"]


def test_organisations_scoped_for_customers(system):
    manager = signed_in(system, "mleroy@example.fr")
    customer = signed_in(system, "pmartin@vallee-du-lys.example.fr")

    own = manager.data(ORGANISATIONS)["organisations"]
    other = customer.data(ORGANISATIONS)["organisations"]

    assert [edge["node"]["name"] for edge in own["edges"]] == ["Ville de Saint-Aubin"]
    assert own["totalCount"] == 1
    assert [edge["node"]["name"] for edge in other["edges"]] == ["Communauté de communes de la Vallée du Lys"]
    assert other["totalCount"] == 1


@pytest.mark.parametrize("email", ["mleroy@example.fr", "pmartin@vallee-du-lys.example.fr",
                                   "cbernard@eksae.example.fr"])
def test_organisation_changes_refused_to_non_admins(system, email):
    client = signed_in(system, email)

    created = client.execute(CREATE_ORGANISATION, {"input": {"name": unique("Intrus")}})
    renamed = client.execute(UPDATE_ORGANISATION, {"input": {
        "organisationId": to_global_id("Organisation", demo.ORG_SAINT_AUBIN), "name": "Renommée"}})

    assert error_codes(created) == ["FORBIDDEN"]
    assert error_codes(renamed) == ["FORBIDDEN"]
    admin = signed_in(system, "aroux@eksae.example.fr")
    assert admin.data(ORGANISATIONS, {"search": "Saint-Aubin"})["organisations"]["edges"][0]["node"]["name"] \
        == "Ville de Saint-Aubin"


def test_managed_user_scoped_to_manager_organisation(system):
    manager = signed_in(system, "mleroy@example.fr")
    admin = signed_in(system, "aroux@eksae.example.fr")
    agent = signed_in(system, "cbernard@eksae.example.fr")

    own = manager.data(MANAGED_USER, {"id": to_global_id("User", demo.USER_JDUPONT)})["managedUser"]
    other = manager.execute(MANAGED_USER, {"id": to_global_id("User", demo.USER_PMARTIN)})
    by_admin = admin.data(MANAGED_USER, {"id": to_global_id("User", demo.USER_PMARTIN)})["managedUser"]
    by_agent = agent.execute(MANAGED_USER, {"id": to_global_id("User", demo.USER_PMARTIN)})

    assert own["email"] == "jdupont@example.fr"
    assert own["usageRights"]["supportAccess"] is True
    assert error_codes(other) == ["NOT_FOUND"]
    assert other["data"]["managedUser"] is None
    assert by_admin["organisation"] == {"name": "Communauté de communes de la Vallée du Lys"}
    assert error_codes(by_agent) == ["FORBIDDEN"]


def test_users_filtered_by_role(system):
    admin = signed_in(system, "aroux@eksae.example.fr")

    staff = admin.data(USERS, {"roles": ["AGENT", "ADMIN"]})["users"]
    managers = admin.data(USERS, {"roles": ["CUSTOMER_MANAGER"],
                                  "org": to_global_id("Organisation", demo.ORG_SAINT_AUBIN)})["users"]

    assert {edge["node"]["role"] for edge in staff["edges"]} == {"AGENT", "ADMIN"}
    assert "aroux@eksae.example.fr" in [edge["node"]["email"] for edge in staff["edges"]]
    assert "mleroy@example.fr" in [edge["node"]["email"] for edge in managers["edges"]]
    assert {edge["node"]["role"] for edge in managers["edges"]} == {"CUSTOMER_MANAGER"}


def test_resend_invitation_sends_new_link(system):
    admin = signed_in(system, "aroux@eksae.example.fr")
    email = f"relance-{uuid.uuid4().hex[:8]}@example.fr"
    events = AuthEvents(system.vhost.amqp_uri, "user_invited")
    user = admin.data("""mutation($input: CreateUserInput!) { createUser(input: $input) { user { id } } }""",
                      {"input": {"email": email, "organisationId": to_global_id("Organisation", demo.ORG_VALLEE)}}
                      )["createUser"]["user"]
    first = events.wait_for(lambda e: e["data"]["email"] == email)

    admin.data(RESEND, {"input": {"userId": user["id"]}})
    second = events.wait_for(lambda e: e["data"]["email"] == email)
    events.close()
    already = admin.execute(RESEND, {"input": {"userId": to_global_id("User", demo.USER_JDUPONT)}})
    manager_other = signed_in(system, "mleroy@example.fr").execute(RESEND, {"input": {"userId": user["id"]}})

    assert second["data"]["token"] != first["data"]["token"]
    assert already["errors"][0]["extensions"]["fields"][0]["code"] == "ALREADY_ACTIVATED"
    assert error_codes(manager_other) == ["NOT_FOUND"]


def test_import_dry_run_then_apply(system):
    admin = signed_in(system, "aroux@eksae.example.fr")
    domain = f"import-{uuid.uuid4().hex[:6]}.example.fr"
    organisation = unique("Commune d'Import")
    content = encoded_csv("E-mail;Prénom;Nom;Organisation;Téléphone;Rôle\n"
                          f"ana@{domain};Ana;Lopez;{organisation};;client\n"
                          f"bob@{domain};Bob;Morel;{organisation};;gestionnaire\n"
                          f"ana@{domain};Ana;Double;{organisation};;client\n"
                          "pas-une-adresse;Zoé;Erreur;Ailleurs;;client\n"
                          f"agent@{domain};Yves;Agent;{organisation};;agent\n")
    values = {"fileName": "comptes.csv", "contentBase64": content, "start": "INVITATION"}

    dry = admin.data(IMPORT, {"input": {**values, "dryRun": True}})["importAccounts"]
    nothing_yet = admin.data(SEARCH_USERS, {"search": domain})["users"]
    applied = admin.data(IMPORT, {"input": {**values, "dryRun": False}})["importAccounts"]
    again = admin.data(IMPORT, {"input": {**values, "dryRun": False}})["importAccounts"]

    assert dry["dryRun"] is True
    assert dry["created"] == [f"ana@{domain}", f"bob@{domain}"]
    assert dry["organisationsCreated"] == [organisation]
    assert [(item["line"], item["code"]) for item in dry["rejected"]] == [
        (4, "DUPLICATE"), (5, "INVALID_EMAIL"), (6, "WRONG_ORGANISATION")]
    assert dry["rejected"][1]["message"] == "adresse e-mail « pas-une-adresse » invalide"
    assert nothing_yet["totalCount"] == 0
    assert applied["dryRun"] is False
    assert applied["created"] == dry["created"]
    assert again["created"] == []
    assert again["unchanged"] == [f"ana@{domain}", f"bob@{domain}"]
    assert again["organisationsCreated"] == []
    listed = admin.data(ORGANISATIONS, {"search": organisation})["organisations"]["edges"]
    assert [(edge["node"]["name"], edge["node"]["userCount"]) for edge in listed] == [(organisation, 2)]


def test_import_role_change_is_audited(system):
    admin = signed_in(system, "aroux@eksae.example.fr")
    domain = f"role-{uuid.uuid4().hex[:6]}.example.fr"
    organisation = unique("Bourg du Rôle")
    header = "email,first name,last name,organisation,phone,role\n"
    first = encoded_csv(header + f"carla@{domain},Carla,Petit,{organisation},,client\n")
    second = encoded_csv(header + f"carla@{domain},Carla,Petit,{organisation},,gestionnaire\n")

    admin.data(IMPORT, {"input": {"fileName": "a.csv", "contentBase64": first, "dryRun": False}})
    updated = admin.data(IMPORT, {"input": {"fileName": "a.csv", "contentBase64": second, "dryRun": False}})
    audit = admin.data(AUDIT, {"actions": ["ROLE_CHANGED"], "email": f"carla@{domain}"})["securityAuditLog"]

    assert updated["importAccounts"]["updated"] == [f"carla@{domain}"]
    node = audit["edges"][0]["node"]
    assert node["user"] == {"email": f"carla@{domain}"}
    assert node["actor"] == {"email": "aroux@eksae.example.fr"}
    assert '"new_role": "customer_manager"' in node["details"]


def test_import_xlsx_with_legacy_passwords(system):
    admin = signed_in(system, "aroux@eksae.example.fr")
    domain = f"xlsx-{uuid.uuid4().hex[:6]}.example.fr"
    workbook = Workbook()
    workbook.active.append(["Courriel", "Prénom", "Nom", "Collectivité", "Tél", "Rôle"])
    workbook.active.append([f"dina@{domain}", "Dina", "Roy", unique("Ville Excel"), None, "client"])
    buffer = io.BytesIO()
    workbook.save(buffer)

    report = admin.data(IMPORT, {"input": {"fileName": "export.XLSX", "start": "LEGACY_PASSWORD", "dryRun": False,
                                           "contentBase64": base64.b64encode(buffer.getvalue()).decode()}})

    assert report["importAccounts"]["created"] == [f"dina@{domain}"]
    signed = system.client().login(f"dina@{domain}", "EKSda2020#.")
    assert signed["mustChangePassword"] is True


def test_import_unusable_files_rejected(system):
    admin = signed_in(system, "aroux@eksae.example.fr")

    def fields(body):
        return [(item["field"], item["code"]) for item in body["errors"][0]["extensions"]["fields"]]

    wrong_type = admin.execute(IMPORT, {"input": {"fileName": "comptes.pdf", "contentBase64": encoded_csv("x")}})
    no_email = admin.execute(IMPORT, {"input": {"fileName": "c.csv", "contentBase64": encoded_csv("nom;prénom\n")}})
    not_base64 = admin.execute(IMPORT, {"input": {"fileName": "c.csv", "contentBase64": "%%%"}})
    too_large = admin.execute(IMPORT, {"input": {"fileName": "c.csv",
                                                 "contentBase64": base64.b64encode(b"a" * 700_001).decode()}})
    broken_xlsx = admin.execute(IMPORT, {"input": {"fileName": "c.xlsx", "contentBase64": encoded_csv("a;b")}})

    assert fields(wrong_type) == [("file", "UNREADABLE")]
    assert "non pris en charge" in wrong_type["errors"][0]["extensions"]["fields"][0]["message"]
    assert fields(no_email) == [("file", "UNREADABLE")]
    assert fields(not_base64) == [("contentBase64", "INVALID_BASE64")]
    assert fields(too_large) == [("file", "TOO_LARGE")]
    assert fields(broken_xlsx) == [("file", "UNREADABLE")]


@pytest.mark.parametrize("email", ["mleroy@example.fr", "pmartin@vallee-du-lys.example.fr",
                                   "cbernard@eksae.example.fr"])
def test_import_refused_to_non_admins(system, email):
    client = signed_in(system, email)
    content = encoded_csv(f"email,organisation\nintrus-{uuid.uuid4().hex[:6]}@example.fr,Ville de Saint-Aubin\n")

    body = client.execute(IMPORT, {"input": {"fileName": "c.csv", "contentBase64": content, "dryRun": False}})

    assert error_codes(body) == ["FORBIDDEN"]


def test_audit_log_filters_by_email_and_dates(system):
    admin = signed_in(system, "aroux@eksae.example.fr")
    manager = signed_in(system, "mleroy@example.fr")
    user, _colleague = invite_colleague(system, manager)
    manager.data("""mutation($input: UserIdInput!) { deactivateUser(input: $input) { user { id } } }""",
                 {"input": {"userId": user["id"]}})
    now = datetime.now(timezone.utc)

    by_email = admin.data(AUDIT, {"email": user["email"].upper()})["securityAuditLog"]
    recent = admin.data(AUDIT, {"email": user["email"], "after": (now - timedelta(minutes=5)).isoformat()})
    old = admin.data(AUDIT, {"email": user["email"], "before": (now - timedelta(days=1)).isoformat()})
    refused = manager.execute(AUDIT, {"email": user["email"]})

    actions = [edge["node"]["action"] for edge in by_email["edges"]]
    assert "USER_DEACTIVATED" in actions
    assert "USER_CREATED" in actions
    assert all(user["email"] in str(edge["node"]) for edge in by_email["edges"])
    assert recent["securityAuditLog"]["totalCount"] == by_email["totalCount"]
    assert old["securityAuditLog"]["totalCount"] == 0
    assert error_codes(refused) == ["FORBIDDEN"]

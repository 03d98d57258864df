"""Importing accounts from the previous platform's export, in both modes, from real CSV and XLSX files."""
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest
from openpyxl import Workbook
from sqlalchemy import text

from tests.integration.auth_helpers import LOGIN, AuthEvents, auth_database, error_codes, run_sql

pytestmark = pytest.mark.integration

HEADER = ["E-mail", "Prénom", "Nom", "Organisation", "Téléphone", "Rôle"]


def run_import(system, path, *options):
    env = system.env()
    return subprocess.run([sys.executable, "-m", "services.auth.import_accounts", str(path), *options],
                          env=env, capture_output=True, text=True, timeout=60)


def count_users(system, domain):
    engine = auth_database(system)
    with engine.connect() as connection:
        count = connection.execute(text("SELECT count(*) FROM user_account WHERE email LIKE :pattern"),
                                   {"pattern": f"%@{domain}"}).scalar()
    engine.dispose()
    return count


def test_import_xlsx_legacy_twice_no_duplicates(system, tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.append(["AGarnier@Ville-Import.example.fr", "Alice", "Garnier", "Ville d'Import", "02 40 11 22 33",
                  "gestionnaire"])
    sheet.append(["bfaure@ville-import.example.fr", "Bruno", "Faure", "Ville d'Import", None, "client"])
    sheet.append(["pas-une-adresse", "Zoé", "Erreur", "Ville d'Import", None, "client"])
    sheet.append(["faux-agent@ville-import.example.fr", "Yves", "Erreur", "Ville d'Import", None, "agent"])
    path = tmp_path / "comptes.xlsx"
    workbook.save(path)

    first = run_import(system, path, "--legacy-passwords")
    second = run_import(system, path, "--legacy-passwords")

    assert first.returncode == 1, first.stderr
    assert "2 created, 0 updated, 0 unchanged, 2 rejected, 1 organisations created" in first.stdout
    assert "line 4: invalid e-mail 'pas-une-adresse'" in first.stdout
    assert "line 5: role agent does not suit organisation \"Ville d'Import\"" in first.stdout
    assert "0 created, 0 updated, 2 unchanged, 2 rejected, 0 organisations created" in second.stdout
    assert count_users(system, "ville-import.example.fr") == 2
    client = system.client()
    signed_in = client.login("agarnier@ville-import.example.fr", "EKSar2020#.")
    assert signed_in["mustChangePassword"] is True
    assert signed_in["user"]["role"] == "CUSTOMER_MANAGER"
    assert error_codes(client.execute("{ mySessions { id } }")) == ["PASSWORD_CHANGE_REQUIRED"]


def test_import_csv_invites_then_updates(system, tmp_path):
    events = AuthEvents(system.vhost.amqp_uri, "user_invited")
    path = tmp_path / "comptes.csv"
    path.write_text("E-mail;Prénom;Nom;Organisation;Téléphone;Rôle\n"
                    "cmoreau@bourg-import.example.fr;Chloé;Moreau;Bourg d'Import;;client\n",
                    encoding="utf-8-sig")

    first = run_import(system, path)
    invited = events.wait_for(lambda e: e["data"]["email"] == "cmoreau@bourg-import.example.fr")
    path.write_text("E-mail;Prénom;Nom;Organisation;Téléphone;Rôle\n"
                    "cmoreau@bourg-import.example.fr;Chloé;Moreau-Lambert;Bourg d'Import;;client\n",
                    encoding="utf-8-sig")
    second = run_import(system, path)
    events.close()

    assert first.returncode == 0, first.stderr
    assert "1 created, 0 updated" in first.stdout
    assert "0 created, 1 updated" in second.stdout
    assert count_users(system, "bourg-import.example.fr") == 1
    assert invited["data"]["url"] == f"{system.base_url}/invitation?token={invited['data']['token']}"
    # The invited account has no password until it follows its link.
    refused = system.client().execute(LOGIN, {"input": {"email": "cmoreau@bourg-import.example.fr",
                                                        "password": "EKScu2020#."}})
    assert error_codes(refused) == ["UNAUTHENTICATED"]
    system.client().data("""mutation($input: CompletePasswordResetInput!) {
        completePasswordReset(input: $input) { email } }""",
                         {"input": {"token": invited["data"]["token"], "newPassword": "Bienvenue-2026!?"}})
    assert system.client().login("cmoreau@bourg-import.example.fr", "Bienvenue-2026!?")["mustChangePassword"] is False


def test_import_dry_run_changes_nothing(system, tmp_path):
    path = tmp_path / "comptes.csv"
    path.write_text("email,first name,last name,organisation,phone,role\n"
                    "dry@essai-import.example.fr,Dora,Essai,Essai d'Import,,client\n", encoding="utf-8")

    result = run_import(system, path, "--dry-run", "--legacy-passwords")

    assert result.returncode == 0, result.stderr
    assert "[dry run] 1 created" in result.stdout
    assert count_users(system, "essai-import.example.fr") == 0


def test_imported_initial_password_expires(system, tmp_path):
    path = tmp_path / "comptes.csv"
    path.write_text("email,first name,last name,organisation,phone,role\n"
                    "expire@delai-import.example.fr,Éric,Délai,Délai d'Import,,client\n", encoding="utf-8")
    assert run_import(system, path, "--legacy-passwords").returncode == 0
    credentials = {"input": {"email": "expire@delai-import.example.fr", "password": "EKSee2020#."}}
    assert "errors" not in system.client().execute(LOGIN, credentials)

    run_sql(system, "UPDATE user_account SET password_expires_at = :moment WHERE email = :email",
            moment=datetime.now(timezone.utc) - timedelta(minutes=1), email="expire@delai-import.example.fr")
    body = system.client().execute(LOGIN, credentials)

    assert error_codes(body) == ["UNAUTHENTICATED"]
    assert body["errors"][0]["message"].startswith("Ce mot de passe initial a expiré")

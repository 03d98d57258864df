"""Import accounts from the previous platform's export (CSV or XLSX), idempotently.

Each row names an e-mail, a first and last name, an organisation, a phone and a role. A row whose
e-mail already has an account updates that account's details and never touches its password, so a
second run of the same file changes nothing. A new account starts in one of two ways:
- `invitation` (the default): no password, and a single-use link sent by e-mail (`user_invited`);
- `legacy`: the previous platform's initial password, which must be changed at first sign-in and stops
  working after `AUTH_LEGACY_PASSWORD_DAYS` days (30 by default).
"""
from __future__ import annotations

import csv
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.auth import audit, settings
from services.auth.accounts import normalize_email
from services.auth.credentials import issue_password_token
from services.auth.models import (AuditAction, Organisation, OrganisationKind, Outbox, PasswordTokenPurpose, Role,
                                  User)
from services.auth.policy import legacy_initial_password
from services.common.events import utc_now
from services.common.outbox import stage_event

logger = logging.getLogger(__name__)

MODES = ("invitation", "legacy")

# Accepted header spellings, compared lower-cased without accents' variants being guessed.
HEADERS = {
    "email": ("email", "e-mail", "mail", "adresse mail", "adresse e-mail", "courriel"),
    "first_name": ("first_name", "first name", "firstname", "prénom", "prenom"),
    "last_name": ("last_name", "last name", "lastname", "nom"),
    "organisation": ("organisation", "organization", "collectivité", "collectivite", "client"),
    "phone": ("phone", "téléphone", "telephone", "tél", "tel"),
    "role": ("role", "rôle"),
}
ROLES = {
    "customer": Role.CUSTOMER, "client": Role.CUSTOMER, "utilisateur": Role.CUSTOMER,
    "customer_manager": Role.CUSTOMER_MANAGER, "gestionnaire": Role.CUSTOMER_MANAGER,
    "agent": Role.AGENT,
    "admin": Role.ADMIN, "administrateur": Role.ADMIN,
}


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    organisations_created: list[str] = field(default_factory=list)
    # (line number in the file, message)
    errors: list[tuple[int, str]] = field(default_factory=list)

    def lines(self) -> list[str]:
        summary = (f"{len(self.created)} created, {len(self.updated)} updated, {len(self.unchanged)} unchanged, "
                   f"{len(self.errors)} rejected, {len(self.organisations_created)} organisations created")
        details = [f"created {email}" for email in self.created]
        details += [f"updated {email}" for email in self.updated]
        details += [f"created organisation {name}" for name in self.organisations_created]
        details += [f"line {line}: {message}" for line, message in self.errors]
        return details + [summary]


def read_rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    """Return `(line number, row)` pairs with the standard keys of HEADERS; raise ValueError on an unusable file."""
    if path.suffix.lower() == ".xlsx":
        raw_rows = _xlsx_rows(path)
    elif path.suffix.lower() == ".csv":
        raw_rows = _csv_rows(path)
    else:
        raise ValueError(f"{path}: unsupported file type {path.suffix!r}; use .csv or .xlsx")
    header, *body = raw_rows or [[]]
    columns = _map_header(header)
    if "email" not in columns.values():
        raise ValueError(f"{path}: no e-mail column in header {header!r}")
    rows = []
    for line, values in enumerate(body, start=2):
        if not any((value or "").strip() for value in values):
            continue
        rows.append((line, {key: (values[index] or "").strip() if index < len(values) else ""
                            for index, key in columns.items()}))
    return rows


def _xlsx_rows(path: Path) -> list[list[str]]:
    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        return [["" if cell is None else str(cell) for cell in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def _csv_rows(path: Path) -> list[list[str]]:
    # Exports from French spreadsheets use ";" and often start with a byte order mark.
    content = path.read_text(encoding="utf-8-sig")
    dialect = csv.Sniffer().sniff(content.splitlines()[0] if content else ",", delimiters=",;\t")
    return [row for row in csv.reader(content.splitlines(), dialect)]


def _map_header(header: list[str]) -> dict[int, str]:
    columns = {}
    for index, name in enumerate(header):
        label = (name or "").strip().lower()
        for key, spellings in HEADERS.items():
            if label in spellings and key not in columns.values():
                columns[index] = key
    return columns


def import_accounts(session: Session, rows: Iterable[tuple[int, dict[str, str]]], mode: str = "invitation",
                    dry_run: bool = False, hash_password: Callable[[str], str] | None = None) -> ImportReport:
    """Create or update one account per row and return what was done; with `dry_run`, roll everything back."""
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; use one of {', '.join(MODES)}")
    report = ImportReport()
    for line, row in rows:
        error = _row_error(row)
        if error:
            report.errors.append((line, error))
            continue
        organisation = session.scalar(select(Organisation).where(
            func.lower(Organisation.name) == row["organisation"].lower()))
        # A new organisation is a customer, so staff roles need the vendor's existing organisation.
        vendor = organisation is not None and organisation.kind == OrganisationKind.VENDOR
        role = ROLES[(row.get("role") or "customer").strip().lower()]
        if (role in (Role.AGENT, Role.ADMIN)) != vendor:
            report.errors.append((line, f"role {role.value} does not suit organisation {row['organisation']!r}: "
                                        "agent and admin are for the vendor's organisation only"))
            continue
        if organisation is None:
            organisation = _create_organisation(session, row["organisation"], report)
        user = session.scalar(select(User).where(User.email == normalize_email(row["email"])))
        if user is None:
            _create_user(session, row, organisation, mode, dry_run, hash_password)
            report.created.append(normalize_email(row["email"]))
        elif _update_user(user, row, organisation):
            report.updated.append(user.email)
        else:
            report.unchanged.append(user.email)
        session.flush()

    if dry_run:
        session.rollback()
    else:
        session.commit()
    logger.info("account import (%s%s): %s", mode, ", dry run" if dry_run else "", report.lines()[-1])
    return report


def _row_error(row: dict[str, str]) -> str | None:
    email = normalize_email(row.get("email", ""))
    local_part, _, domain = email.partition("@")
    if not local_part or "." not in domain:
        return f"invalid e-mail {row.get('email')!r}"
    if not row.get("organisation"):
        return f"missing organisation for {email}"
    if (row.get("role") or "customer").strip().lower() not in ROLES:
        return f"unknown role {row.get('role')!r} for {email}; use one of {', '.join(sorted(ROLES))}"
    return None


def _create_organisation(session: Session, name: str, report: ImportReport) -> Organisation:
    organisation = Organisation(name=name, kind=OrganisationKind.CUSTOMER)
    session.add(organisation)
    session.flush()
    report.organisations_created.append(name)
    return organisation


def _create_user(session: Session, row: dict[str, str], organisation: Organisation, mode: str, dry_run: bool,
                 hash_password: Callable[[str], str] | None) -> None:
    email = normalize_email(row["email"])
    user = User(email=email, first_name=row.get("first_name", ""), last_name=row.get("last_name", ""),
                phone=row.get("phone") or None, organisation_id=organisation.id,
                role=ROLES[(row.get("role") or "customer").strip().lower()])
    if mode == "legacy":
        # A dry run skips the slow hash: nothing it computes is kept.
        user.password_hash = "dry-run" if dry_run or hash_password is None else hash_password(
            legacy_initial_password(email))
        user.must_change_password = True
        user.password_expires_at = utc_now() + settings.legacy_password_lifetime()
    session.add(user)
    session.flush()
    audit.record(session, AuditAction.USER_CREATED, user_id=user.id, organisation_id=organisation.id,
                 email=email, source="import", mode=mode)
    if mode == "invitation":
        data = issue_password_token(session, user, PasswordTokenPurpose.INVITATION, settings.invitation_lifetime())
        stage_event(session, Outbox, "user_invited", data)


def _update_user(user: User, row: dict[str, str], organisation: Organisation) -> bool:
    """Apply the row's details to an existing account; return whether anything changed."""
    values: dict[str, Any] = {
        "first_name": row.get("first_name") or user.first_name,
        "last_name": row.get("last_name") or user.last_name,
        "phone": row.get("phone") or user.phone,
        "organisation_id": organisation.id,
        "role": ROLES[(row.get("role") or user.role.value).strip().lower()],
    }
    changed = {key: value for key, value in values.items() if getattr(user, key) != value}
    for key, value in changed.items():
        setattr(user, key, value)
    return bool(changed)

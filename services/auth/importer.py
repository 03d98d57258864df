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
import io
import logging
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.auth import audit, settings
from services.auth.accounts import normalize_email
from services.auth.credentials import issue_password_token
from services.auth.exceptions import InvalidImport, NotAllowed
from services.auth.models import (AuditAction, Organisation, OrganisationKind, Outbox, PasswordTokenPurpose, Role,
                                  User)
from services.auth.policy import legacy_initial_password
from services.common.caller import Caller
from services.common.email_addresses import is_well_formed
from services.common.errors import LocalizedText, field_error, text
from services.common.events import utc_now
from services.common.outbox import stage_event

logger = logging.getLogger(__name__)

MODES = ("invitation", "legacy")
ORGANISATION_NAME_MAX = 200
# Rows per import through the API. Legacy passwords take one argon2 hash each (tens of milliseconds),
# and the whole import runs in one RPC call.
MAX_ROWS = 1000
# Column limits of the user_account table.
FIELD_LIMITS = {"email": 254, "first_name": 100, "last_name": 100, "phone": 40}

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
class Rejection:
    """A row left out of the import: its line in the file, a stable code and the reason in both languages."""

    line: int
    code: str
    message: LocalizedText

    def to_dict(self) -> dict[str, Any]:
        return {"line": self.line, "code": self.code, "message": self.message}


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    organisations_created: list[str] = field(default_factory=list)
    errors: list[Rejection] = field(default_factory=list)

    def lines(self) -> list[str]:
        summary = (f"{len(self.created)} created, {len(self.updated)} updated, {len(self.unchanged)} unchanged, "
                   f"{len(self.errors)} rejected, {len(self.organisations_created)} organisations created")
        details = [f"created {email}" for email in self.created]
        details += [f"updated {email}" for email in self.updated]
        details += [f"created organisation {name}" for name in self.organisations_created]
        details += [f"line {error.line}: {error.message['en']}" for error in self.errors]
        return details + [summary]

    def to_dict(self) -> dict[str, Any]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "organisations_created": self.organisations_created,
                "rejected": [error.to_dict() for error in self.errors]}


class UnreadableFile(ValueError):
    """A file that yields no rows to import; `message` gives the reason in both languages."""

    def __init__(self, message: LocalizedText) -> None:
        super().__init__(message["en"])
        self.message = message


def read_rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    """Return `(line number, row)` pairs with the standard keys of HEADERS; raise ValueError on an unusable file."""
    try:
        return parse_rows(path.name, path.read_bytes())
    except UnreadableFile as exc:
        raise ValueError(f"{path}: {exc}") from None


def parse_rows(file_name: str, content: bytes,
               max_rows: int | None = None) -> list[tuple[int, dict[str, str]]]:
    """Return the rows of a CSV or XLSX export named `file_name`; raise UnreadableFile when it cannot be used.

    With `max_rows`, a file with more data rows than that is rejected rather than cut short.
    """
    suffix = Path(file_name).suffix.lower()
    if suffix == ".xlsx":
        raw_rows = _xlsx_rows(content)
    elif suffix == ".csv":
        raw_rows = _csv_rows(content)
    else:
        raise UnreadableFile(text(f"type de fichier « {suffix or file_name} » non pris en charge : utilisez .csv "
                                  "ou .xlsx",
                                  f"unsupported file type {suffix or file_name!r}; use .csv or .xlsx"))
    header, *body = raw_rows or [[]]
    columns = _map_header(header)
    if "email" not in columns.values():
        raise UnreadableFile(text(f"aucune colonne d'adresse e-mail dans l'en-tête {header!r}",
                                  f"no e-mail column in header {header!r}"))
    rows = []
    for line, values in enumerate(body, start=2):
        if not any((value or "").strip() for value in values):
            continue
        rows.append((line, {key: (values[index] or "").strip() if index < len(values) else ""
                            for index, key in columns.items()}))
        if max_rows is not None and len(rows) > max_rows:
            raise UnreadableFile(text(f"plus de {max_rows} lignes : découpez le fichier en plusieurs imports",
                                      f"more than {max_rows} rows; split the file into several imports"))
    return rows


def _xlsx_rows(content: bytes) -> list[list[str]]:
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise UnreadableFile(text(f"classeur Excel illisible ({exc})", f"unreadable Excel workbook ({exc})")) from None
    try:
        sheet = workbook.worksheets[0]
        return [["" if cell is None else str(cell) for cell in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def _csv_rows(content: bytes) -> list[list[str]]:
    # Exports from French spreadsheets use ";" and often start with a byte order mark.
    try:
        decoded = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnreadableFile(text("fichier CSV qui n'est pas en UTF-8 : enregistrez-le en « CSV UTF-8 »",
                                  "CSV file not in UTF-8; save it as 'CSV UTF-8'")) from None
    lines = decoded.splitlines()
    try:
        dialect = csv.Sniffer().sniff(lines[0] if lines else ",", delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel  # One column only: the sniffer finds no delimiter.
    return [row for row in csv.reader(lines, dialect)]


def _map_header(header: list[str]) -> dict[int, str]:
    columns = {}
    for index, name in enumerate(header):
        label = (name or "").strip().lower()
        for key, spellings in HEADERS.items():
            if label in spellings and key not in columns.values():
                columns[index] = key
    return columns


def import_accounts(session: Session, rows: Iterable[tuple[int, dict[str, str]]], mode: str = "invitation",
                    dry_run: bool = False, hash_password: Callable[[str], str] | None = None,
                    actor_id: str | None = None) -> ImportReport:
    """Create or update one account per row and return what was done; with `dry_run`, roll everything back.

    Rejected rows are reported and skipped; the other rows are committed together, or not at all when
    an exception escapes. `actor_id` names the person who ran the import in the audit log.
    """
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; use one of {', '.join(MODES)}")
    report = ImportReport()
    seen: dict[str, int] = {}
    for line, row in rows:
        error = _row_error(line, row)
        email = normalize_email(row.get("email", ""))
        if error is None and email in seen:
            error = Rejection(line, "DUPLICATE", text(
                f"l'adresse {email} figure déjà ligne {seen[email]}",
                f"the address {email} already appears on line {seen[email]}"))
        if error:
            report.errors.append(error)
            continue
        seen[email] = line
        organisation = session.scalar(select(Organisation).where(
            func.lower(Organisation.name) == row["organisation"].lower()))
        # A new organisation is a customer, so staff roles need the vendor's existing organisation.
        vendor = organisation is not None and organisation.kind == OrganisationKind.VENDOR
        role = ROLES[(row.get("role") or "customer").strip().lower()]
        if (role in (Role.AGENT, Role.ADMIN)) != vendor:
            report.errors.append(Rejection(line, "WRONG_ORGANISATION", text(
                f"le rôle {role.value} ne convient pas à l'organisation « {row['organisation']} » : "
                "agent et admin sont réservés à l'organisation de l'éditeur",
                f"role {role.value} does not suit organisation {row['organisation']!r}: "
                "agent and admin are for the vendor's organisation only")))
            continue
        if organisation is None:
            organisation = _create_organisation(session, row["organisation"], report, actor_id)
        user = session.scalar(select(User).where(User.email == email))
        if user is None:
            _create_user(session, row, organisation, mode, dry_run, hash_password, actor_id)
            report.created.append(email)
        elif _update_user(session, user, row, organisation, actor_id):
            report.updated.append(user.email)
        else:
            report.unchanged.append(user.email)
        session.flush()

    if dry_run:
        session.rollback()
    else:
        if report.created or report.updated:
            audit.record(session, AuditAction.ACCOUNTS_IMPORTED, actor_id=actor_id, mode=mode,
                         created=len(report.created), updated=len(report.updated), rejected=len(report.errors))
        session.commit()
    logger.info("account import (%s%s): %s", mode, ", dry run" if dry_run else "", report.lines()[-1])
    return report


def _row_error(line: int, row: dict[str, str]) -> Rejection | None:
    email = normalize_email(row.get("email", ""))
    if not is_well_formed(email):
        return Rejection(line, "INVALID_EMAIL", text(f"adresse e-mail « {row.get('email')} » invalide",
                                                     f"invalid e-mail {row.get('email')!r}"))
    if not row.get("organisation"):
        return Rejection(line, "MISSING_ORGANISATION", text(f"organisation manquante pour {email}",
                                                            f"missing organisation for {email}"))
    if len(row["organisation"]) > ORGANISATION_NAME_MAX:
        return Rejection(line, "ORGANISATION_TOO_LONG", text(
            f"nom d'organisation de plus de {ORGANISATION_NAME_MAX} caractères pour {email}",
            f"organisation name over {ORGANISATION_NAME_MAX} characters for {email}"))
    if (row.get("role") or "customer").strip().lower() not in ROLES:
        choices = ", ".join(sorted(ROLES))
        return Rejection(line, "UNKNOWN_ROLE", text(
            f"rôle « {row.get('role')} » inconnu pour {email} ; rôles possibles : {choices}",
            f"unknown role {row.get('role')!r} for {email}; use one of {choices}"))
    too_long = [key for key, limit in FIELD_LIMITS.items() if len(row.get(key) or "") > limit]
    if too_long:
        return Rejection(line, "TOO_LONG", text(f"valeur trop longue pour {email} : {', '.join(too_long)}",
                                                f"value too long for {email}: {', '.join(too_long)}"))
    return None


def _create_organisation(session: Session, name: str, report: ImportReport, actor_id: str | None) -> Organisation:
    organisation = Organisation(name=name, kind=OrganisationKind.CUSTOMER)
    session.add(organisation)
    session.flush()
    audit.record(session, AuditAction.ORGANISATION_CREATED, actor_id=actor_id, organisation_id=organisation.id,
                 name=name, source="import")
    report.organisations_created.append(name)
    return organisation


def _create_user(session: Session, row: dict[str, str], organisation: Organisation, mode: str, dry_run: bool,
                 hash_password: Callable[[str], str] | None, actor_id: str | None) -> None:
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
    audit.record(session, AuditAction.USER_CREATED, user_id=user.id, actor_id=actor_id,
                 organisation_id=organisation.id, email=email, source="import", mode=mode)
    if mode == "invitation":
        data = issue_password_token(session, user, PasswordTokenPurpose.INVITATION, settings.invitation_lifetime())
        actor = {"type": "user", "user_id": actor_id} if actor_id else None
        stage_event(session, Outbox, "user_invited", data, actor=actor)


def _update_user(session: Session, user: User, row: dict[str, str], organisation: Organisation,
                 actor_id: str | None) -> bool:
    """Apply the row's details to an existing account; return whether anything changed. Role changes are audited."""
    values: dict[str, Any] = {
        "first_name": row.get("first_name") or user.first_name,
        "last_name": row.get("last_name") or user.last_name,
        "phone": row.get("phone") or user.phone,
        "organisation_id": organisation.id,
        "role": ROLES[(row.get("role") or user.role.value).strip().lower()],
    }
    changed = {key: value for key, value in values.items() if getattr(user, key) != value}
    if "role" in changed:
        audit.record(session, AuditAction.ROLE_CHANGED, user_id=user.id, actor_id=actor_id,
                     organisation_id=organisation.id, old_role=user.role.value, new_role=changed["role"].value,
                     source="import")
    for key, value in changed.items():
        setattr(user, key, value)
    return bool(changed)


def import_for_caller(session: Session, caller: Caller, rows: list[list[Any]], mode: str, dry_run: bool,
                      hash_password: Callable[[str], str]) -> dict[str, Any]:
    """Run an import sent by an admin as `[line, row]` pairs; return the report as a dict.

    Legacy passwords are hashed before the first write, so the slow hashing never runs while the
    import's write transaction is open.
    """
    caller.require_authenticated()
    if not caller.is_admin or not caller.has_scope("admin"):
        raise NotAllowed()
    if mode not in MODES:
        raise InvalidImport(fields=[field_error(
            "start", "INVALID_CHOICE", f"Mode « {mode} » inconnu : utilisez {' ou '.join(MODES)}.",
            f"Unknown mode '{mode}': use {' or '.join(MODES)}.")])
    if len(rows) > MAX_ROWS:
        raise InvalidImport(fields=[field_error(
            "file", "TOO_MANY_ROWS", f"Plus de {MAX_ROWS} lignes : découpez le fichier en plusieurs imports.",
            f"More than {MAX_ROWS} rows: split the file into several imports.")])
    pairs = [(int(line), {key: str(value or "") for key, value in dict(row).items() if key in HEADERS})
             for line, row in rows]

    hashes: dict[str, str] = {}
    if mode == "legacy" and not dry_run:
        emails = {normalize_email(row.get("email", "")) for _line, row in pairs}
        existing = set(session.scalars(select(User.email).where(User.email.in_(emails))))
        session.rollback()
        for email in sorted(emails - existing):
            password = legacy_initial_password(email)
            if email and password not in hashes:
                hashes[password] = hash_password(password)

    report = import_accounts(session, pairs, mode, dry_run=dry_run, hash_password=hashes.__getitem__,
                             actor_id=caller.user_id)
    return report.to_dict()

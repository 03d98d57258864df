"""GraphQL entry point of the import of accounts from the previous platform's export.

The file arrives base64-encoded in the mutation's input, which keeps the API to plain JSON. The
gateway decodes and parses it, so only the extracted rows travel to the auth service over the
broker, and the file's size is capped below the gateway's request body limit.
"""
from __future__ import annotations

import asyncio
import base64
import binascii
from typing import Any

import graphene

from gateway.context import authorize, request_context
from gateway.errors import GatewayError, pick
from services.auth.exceptions import InvalidImport
from services.auth.importer import MAX_ROWS, UnreadableFile, parse_rows
from services.common.errors import field_error

# Base64 makes the file a third larger, and the whole request must stay under the gateway's 1,000,000 bytes.
MAX_IMPORT_BYTES = 700_000
# The apply step hashes one legacy password per new account (tens of milliseconds each), so it gets
# more time than the default RPC timeout.
APPLY_TIMEOUT_SECONDS = 120.0


class AccountImportStart(graphene.Enum):
    """Start of a new account: an invitation link or the legacy password."""

    INVITATION = "invitation"
    LEGACY_PASSWORD = "legacy"

    @property
    def description(self) -> str:
        return {
            AccountImportStart.INVITATION: "No password: an invitation e-mail with a single-use link.",
            AccountImportStart.LEGACY_PASSWORD: "The previous platform's initial password, to be changed at "
                                                "first sign-in; it expires after a delay.",
        }[self]


class AccountImportRejection(graphene.ObjectType):
    """A row left out of the import."""

    line = graphene.Int(required=True, description="Line number in the file, the header being line 1.")
    code = graphene.String(required=True, description="Stable reason code, such as `INVALID_EMAIL`.")
    message = graphene.String(required=True, description="The reason, in the caller's language.")


class AccountImportReport(graphene.ObjectType):
    """Outcome of an import, or the expected outcome of a dry run."""

    dry_run = graphene.Boolean(required=True, description="True when nothing was written.")
    created = graphene.List(graphene.NonNull(graphene.String), required=True,
                            description="E-mails of the accounts created.")
    updated = graphene.List(graphene.NonNull(graphene.String), required=True,
                            description="E-mails of the existing accounts whose details changed.")
    unchanged = graphene.List(graphene.NonNull(graphene.String), required=True,
                              description="E-mails of the existing accounts already up to date.")
    organisations_created = graphene.List(graphene.NonNull(graphene.String), required=True,
                                          description="Names of the customer organisations created.")
    rejected = graphene.List(graphene.NonNull(AccountImportRejection), required=True,
                             description="Rows left out, with the reason.")


class ImportAccountsInput(graphene.InputObjectType):
    file_name = graphene.String(required=True, description="Name of the file; its extension, .csv or .xlsx, "
                                                           "sets how it is read.")
    content_base64 = graphene.String(required=True, description="The file's bytes in base64, "
                                                                f"{MAX_IMPORT_BYTES} bytes at most once decoded.")
    start = graphene.Field(AccountImportStart, description="How new accounts start; invitation by default.")
    dry_run = graphene.Boolean(description="True (the default): report what would be done and write nothing.")


class ImportAccounts(graphene.Mutation):
    """Create or update accounts from the previous platform's export (admins only).

    The columns are e-mail, first name, last name, organisation, phone and role (French or English
    headings). Running the same file again changes nothing; accepted rows are written together or not
    at all.
    """

    class Arguments:
        input = ImportAccountsInput(required=True, description="The file and the import's options.")

    Output = AccountImportReport

    async def mutate(self, info: Any, input: dict[str, Any]) -> AccountImportReport:
        authorize(info, admin=True, scope="admin")
        content = decode_content(input["content_base64"])
        try:
            rows = await asyncio.to_thread(parse_rows, input["file_name"], content, MAX_ROWS)
        except UnreadableFile as exc:
            raise GatewayError.of(InvalidImport, fields=[field_error(
                "file", "UNREADABLE", f"Fichier {input['file_name']} inutilisable : {exc.message['fr']}.",
                f"File {input['file_name']} cannot be used: {exc.message['en']}.")]) from None

        dry_run = input.get("dry_run") is not False
        context = request_context(info)
        report = await context.rpc.call(
            "auth", "import_accounts", context=context.rpc_context(),
            timeout=None if dry_run else APPLY_TIMEOUT_SECONDS,
            rows=[[line, row] for line, row in rows], mode=getattr(input.get("start"), "value", None) or "invitation",
            dry_run=dry_run)
        rejected = [AccountImportRejection(line=item["line"], code=item["code"],
                                           message=pick(item["message"], context.language))
                    for item in report["rejected"]]
        return AccountImportReport(dry_run=dry_run, created=report["created"], updated=report["updated"],
                                   unchanged=report["unchanged"],
                                   organisations_created=report["organisations_created"], rejected=rejected)


def decode_content(encoded: str) -> bytes:
    """Return the file's bytes; raise VALIDATION_FAILED for invalid base64, an empty or an oversized file."""
    if len(encoded) > (MAX_IMPORT_BYTES + 2) // 3 * 4 + 4:
        raise too_large()
    try:
        content = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise GatewayError.of(InvalidImport, fields=[field_error(
            "contentBase64", "INVALID_BASE64", "Le contenu du fichier n'est pas du base64 valide.",
            "The file's content is not valid base64.")]) from None
    if not content:
        raise GatewayError.of(InvalidImport, fields=[field_error("file", "EMPTY", "Le fichier est vide.",
                                                                 "The file is empty.")])
    if len(content) > MAX_IMPORT_BYTES:
        raise too_large()
    return content


def too_large() -> GatewayError:
    return GatewayError.of(InvalidImport, fields=[field_error(
        "file", "TOO_LARGE",
        f"Le fichier dépasse {MAX_IMPORT_BYTES // 1000} Ko : découpez-le en plusieurs imports.",
        f"The file exceeds {MAX_IMPORT_BYTES // 1000} KB: split it into several imports.")])


class ImportMutation(graphene.ObjectType):
    import_accounts = ImportAccounts.Field()

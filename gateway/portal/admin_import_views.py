"""« Import des comptes »: an administrator checks the previous platform's export with a dry run, then applies it.

The page keeps no state between the two steps: the dry run's page carries the file, base64-encoded,
in a hidden field of the apply form, and the apply step checks every row again.
"""
from __future__ import annotations

import base64
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from gateway.portal.admin_pages import admin_refusal, form_failure
from gateway.portal.i18n import translations
from gateway.portal.operations import PageSession
from gateway.portal.pages import csrf_expired, signed_in
from gateway.portal.rendering import csrf_valid, render
from services.auth.graphql_import import MAX_IMPORT_BYTES

IMPORT = """
mutation Import($input: ImportAccountsInput!) { importAccounts(input: $input) {
  dryRun created updated unchanged organisationsCreated rejected { line code message } } }"""
STARTS = ("INVITATION", "LEGACY_PASSWORD")
# The apply step posts the file base64-encoded (a third larger), plus the other fields and multipart framing.
MAX_FORM_BYTES = MAX_IMPORT_BYTES * 4 // 3 + 64_000


@signed_in
async def import_page(request: Request, page: PageSession) -> Response:
    refused = admin_refusal(page)
    return refused or render_import(page)


def render_import(page: PageSession, status: int = 200, errors: list[str] | None = None,
                  report: dict[str, Any] | None = None, upload: dict[str, str] | None = None) -> Response:
    return render(page, "console/admin/import.html", status=status, errors=errors or [], report=report,
                  upload=upload or {}, max_kilobytes=MAX_IMPORT_BYTES // 1000, console=True, support_enabled=True)


@signed_in
async def import_submit(request: Request, page: PageSession) -> Response:
    refused = admin_refusal(page)
    if refused:
        return refused
    _ = translations(page.language).gettext
    # Checked before the form is read, so that an oversized upload is not first spooled to disk.
    # NOTE: a chunked request sends no Content-Length and is read in full before the API rejects the file.
    if declared_length(request) > MAX_FORM_BYTES:
        return render_import(page, status=413, errors=[
            _("The file exceeds %(size)d KB: split it into several imports.") % {"size": MAX_IMPORT_BYTES // 1000}])
    if not await csrf_valid(request, page):
        return csrf_expired(page)
    form = await request.form()
    start = str(form.get("start", "INVITATION"))
    if start not in STARTS:
        start = "INVITATION"
    apply = form.get("step") == "apply"

    if apply:
        upload = {"fileName": str(form.get("fileName", "")), "contentBase64": str(form.get("contentBase64", ""))}
    else:
        file = form.get("file")
        if not isinstance(file, UploadFile) or not file.filename:
            return render_import(page, status=400, errors=[_("Choose a CSV or XLSX file to import.")])
        # One byte over the limit is enough for the API to reject the file with its own message.
        content = await file.read(MAX_IMPORT_BYTES + 1)
        upload = {"fileName": file.filename, "contentBase64": base64.b64encode(content).decode()}
    upload["start"] = start

    result = await page.run(IMPORT, {"input": {**upload, "dryRun": not apply}})
    if not result.ok:
        return form_failure(page, result) or render_import(page, status=400, errors=result.messages())
    return render_import(page, report=result.data["importAccounts"], upload=upload)


def declared_length(request: Request) -> int:
    """Return the request's Content-Length, or 0 when it is missing or not a number."""
    try:
        return int(request.headers.get("content-length") or 0)
    except ValueError:
        return 0

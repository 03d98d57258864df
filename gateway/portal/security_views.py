"""The second sign-in step (« Code de vérification ») and the « Sécurité du compte » page.

Between the password step and the code, the sign-in challenge waits in a short-lived HttpOnly cookie
limited to the sign-in paths, so it never appears in a URL or a page.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import quote

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response

from gateway.portal.home_views import is_support_enabled
from gateway.portal.i18n import translations
from gateway.portal.operations import OperationResult, PageSession
from gateway.portal.pages import (SECURITY_PATH, csrf_expired, failure, safe_next, signed_in_while_enrolling,
                                 unavailable)
from gateway.portal.rendering import csrf_valid, redirect, render

CHALLENGE_COOKIE = "portail_verification"
CHALLENGE_PATH = "/connexion"
# The auth service lets a challenge live 5 minutes; the cookie does not outlive it.
CHALLENGE_MAX_AGE = 300
TRANSIENT = ("SERVICE_UNAVAILABLE", "TIMEOUT", "INTERNAL")

VERIFY = """
mutation Verify($input: VerifySecondFactorInput!) {
  verifySecondFactor(input: $input) { mustChangePassword mustEnrolSecondFactor user { role } }
}"""
SECURITY = """{ me { secondFactorEnabled secondFactorEnabledAt recoveryCodesLeft mustEnrolSecondFactor
                     user { email } support { state } } }"""
START = "mutation { startSecondFactorEnrolment { enrolment { secret qrCodeSvg } } }"
CONFIRM = """
mutation Confirm($input: SecondFactorCodeInput!) { confirmSecondFactorEnrolment(input: $input) { recoveryCodes } }"""
REGENERATE = """
mutation Regenerate($input: SecondFactorCodeInput!) { regenerateRecoveryCodes(input: $input) { recoveryCodes } }"""
DISABLE = """
mutation Disable($input: DisableSecondFactorInput!) { disableSecondFactor(input: $input) { user { id } } }"""


# --- Second sign-in step -----------------------------------------------------------------------------

def remember_challenge(response: Response, page: PageSession, challenge: str) -> None:
    response.set_cookie(CHALLENGE_COOKIE, challenge, max_age=CHALLENGE_MAX_AGE, path=CHALLENGE_PATH, httponly=True,
                        samesite="strict", secure=page.request.url.scheme == "https")


def forget_challenge(response: Response, page: PageSession) -> None:
    response.delete_cookie(CHALLENGE_COOKIE, path=CHALLENGE_PATH, httponly=True, samesite="strict",
                           secure=page.request.url.scheme == "https")


def after_sign_in(next_url: str, must_change_password: bool, must_enrol: bool, role: str | None = None) -> str:
    """Return where a new session goes: the password change, the forced enrolment, or the page asked for.

    Agents and admins who asked for no page in particular go to the console, where they work.
    """
    if must_change_password:
        return "/mot-de-passe/changer"
    if must_enrol:
        return SECURITY_PATH
    if next_url == "/" and role in ("AGENT", "ADMIN"):
        return "/console"
    return next_url


def render_verification(page: PageSession, next_url: str, recovery: bool, status: int = 200,
                        errors: list[str] | None = None, field_errors: dict[str, str] | None = None) -> Response:
    return render(page, "verification.html", status=status, next=next_url, recovery=recovery,
                  next_query=quote(next_url), errors=errors or [], field_errors=field_errors or {})


async def verification_page(request: Request) -> Response:
    page = await PageSession(request).start()
    next_url = safe_next(request.query_params.get("suivant"))
    if not request.cookies.get(CHALLENGE_COOKIE):
        return redirect(page, f"/connexion?suivant={quote(next_url)}")
    return render_verification(page, next_url, recovery=request.query_params.get("secours") == "1")


async def verification_submit(request: Request) -> Response:
    page = await PageSession(request).start()
    if not await csrf_valid(request, page):
        return csrf_expired(page)
    form = await request.form()
    next_url = safe_next(str(form.get("next", "/")))
    recovery = form.get("recovery") == "1"
    challenge = request.cookies.get(CHALLENGE_COOKIE)
    if not challenge:
        return redirect(page, f"/connexion?suivant={quote(next_url)}")

    result = await page.run(VERIFY, {"input": {"challenge": challenge, "code": str(form.get("code", "")).strip()}})
    code = result.first_code()
    if code in TRANSIENT:
        return unavailable(page, result)
    if code == "SECOND_FACTOR_CHALLENGE_EXPIRED":
        response = render(page, "login.html", status=400, next=next_url, errors=result.messages(), field_errors={})
        forget_challenge(response, page)
        return response
    if not result.ok:
        return render_verification(page, next_url, recovery, status=400, errors=result.messages(),
                                   field_errors=result.field_errors())

    verified = result.data["verifySecondFactor"]
    response = redirect(page, after_sign_in(next_url, verified["mustChangePassword"],
                                            verified["mustEnrolSecondFactor"], verified["user"]["role"]))
    forget_challenge(response, page)
    return response


# --- Account security page ---------------------------------------------------------------------------

async def render_security(page: PageSession, status: int = 200, **values: Any) -> Response:
    result = await page.run(SECURITY)
    if not result.ok:
        return failure(page, result)
    me = result.data["me"]
    values.setdefault("errors", [])
    values.setdefault("field_errors", {})
    return render(page, "security.html", status=status, me=me, support_enabled=is_support_enabled(me), **values)


async def render_enrolment(page: PageSession, status: int = 200, errors: list[str] | None = None,
                           field_errors: dict[str, str] | None = None) -> Response:
    """Show the QR code and the secret of the pending enrolment, with the form that confirms it."""
    result = await page.run(START)
    if not result.ok:
        return await security_failure(page, result)
    enrolment = result.data["startSecondFactorEnrolment"]["enrolment"]
    secret = enrolment["secret"]
    grouped_secret = " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
    # The SVG is built by the auth service from the otpauth URI with segno; it contains no user input.
    return render(page, "security_enrol.html", status=status, qr_code_svg=Markup(enrolment["qrCodeSvg"]),
                  secret=grouped_secret, errors=errors or [], field_errors=field_errors or {},
                  support_enabled=not page.must_enrol_second_factor)


def render_recovery_codes(page: PageSession, codes: list[str], first_time: bool) -> Response:
    return render(page, "security_codes.html", codes=codes, first_time=first_time,
                  support_enabled=not page.must_enrol_second_factor)


async def security_failure(page: PageSession, result: OperationResult) -> Response:
    """Show an operation's errors on the security page, or the generic failure page when the service is down."""
    if result.first_code() in TRANSIENT:
        return failure(page, result)
    return await render_security(page, status=400, errors=result.messages(), field_errors=result.field_errors())


@signed_in_while_enrolling
async def security_page(request: Request, page: PageSession) -> Response:
    return await render_security(page)


@signed_in_while_enrolling
async def enrolment_start(request: Request, page: PageSession) -> Response:
    if not await csrf_valid(request, page):
        return csrf_expired(page)
    return await render_enrolment(page)


@signed_in_while_enrolling
async def enrolment_confirm(request: Request, page: PageSession) -> Response:
    if not await csrf_valid(request, page):
        return csrf_expired(page)
    form = await request.form()
    result = await page.run(CONFIRM, {"input": {"code": str(form.get("code", "")).strip()}})
    if result.first_code() in TRANSIENT:
        return failure(page, result)
    if not result.ok:
        return await render_enrolment(page, status=400, errors=result.messages(), field_errors=result.field_errors())
    # The session is no longer restricted: the next pages may show the whole menu.
    page.context.must_enrol_second_factor = False
    return render_recovery_codes(page, result.data["confirmSecondFactorEnrolment"]["recoveryCodes"], first_time=True)


@signed_in_while_enrolling
async def recovery_codes_regenerate(request: Request, page: PageSession) -> Response:
    if not await csrf_valid(request, page):
        return csrf_expired(page)
    form = await request.form()
    result = await page.run(REGENERATE, {"input": {"code": str(form.get("code", "")).strip()}})
    if not result.ok:
        return await security_failure(page, result)
    return render_recovery_codes(page, result.data["regenerateRecoveryCodes"]["recoveryCodes"], first_time=False)


@signed_in_while_enrolling
async def second_factor_disable(request: Request, page: PageSession) -> Response:
    if not await csrf_valid(request, page):
        return csrf_expired(page)
    form = await request.form()
    result = await page.run(DISABLE, {"input": {"currentPassword": str(form.get("current_password", "")),
                                                "code": str(form.get("code", "")).strip()}})
    if not result.ok:
        return await security_failure(page, result)
    _ = translations(page.language).gettext
    return await render_security(page, flash=_("Two-factor authentication is now off: signing in asks for your "
                                               "password only."))

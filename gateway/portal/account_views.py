"""Sign-in, sign-out, password change and language switch."""
from __future__ import annotations

from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response

from gateway.portal import security_views
from gateway.portal.i18n import LANGUAGES, translations
from gateway.portal.operations import PageSession
from gateway.portal.pages import csrf_expired, failure, safe_next, unavailable
from gateway.portal.rendering import csrf_valid, redirect, render, set_language_cookie
from services.common.email_addresses import is_well_formed

LOGIN = """
mutation Login($input: LoginInput!) {
  login(input: $input) { mustChangePassword mustEnrolSecondFactor secondFactorRequired secondFactorChallenge
                         user { id role } }
}"""
LOGOUT = "mutation { logout(input: {}) { signedOut } }"
CHANGE_PASSWORD = """
mutation ChangePassword($input: ChangePasswordInput!) {
  changePassword(input: $input) { user { id } }
}"""
ME_EMAIL = "{ me { user { email } } }"
UPDATE_LANGUAGE = """
mutation UpdateLanguage($input: UpdateMyProfileInput!) { updateMyProfile(input: $input) { user { language } } }"""




async def login_page(request: Request) -> Response:
    page = await PageSession(request).start()
    if page.authenticated and not page.must_change_password:
        return redirect(page, safe_next(request.query_params.get("suivant")))
    return render(page, "login.html", next=safe_next(request.query_params.get("suivant")), field_errors={})


async def login_submit(request: Request) -> Response:
    page = await PageSession(request).start()
    if not await csrf_valid(request, page):
        return csrf_expired(page)
    form = await request.form()
    email = str(form.get("email", "")).strip()
    password = str(form.get("password", ""))
    remember_me = form.get("remember_me") == "1"
    next_url = safe_next(str(form.get("next", "/")))
    # An empty field is named before any sign-in attempt, so it does not count towards the throttling.
    missing = missing_sign_in_fields(page, email, password)
    if missing:
        return render(page, "login.html", status=400, email=email, remember_me=remember_me, next=next_url,
                      errors=list(missing.values()), field_errors=missing)
    result = await page.run(LOGIN, {"input": {"email": email, "password": password, "rememberMe": remember_me}})
    if result.first_code() in ("SERVICE_UNAVAILABLE", "TIMEOUT", "INTERNAL"):
        return unavailable(page, result)
    if not result.ok:
        return render(page, "login.html", status=400, email=email, remember_me=remember_me, next=next_url,
                      errors=result.messages(), field_errors=result.field_errors())
    signed = result.data["login"]
    if signed["secondFactorRequired"]:
        response = redirect(page, f"/connexion/verification?suivant={quote(next_url)}")
        security_views.remember_challenge(response, page, signed["secondFactorChallenge"])
        return response
    return redirect(page, security_views.after_sign_in(next_url, signed["mustChangePassword"],
                                                      signed["mustEnrolSecondFactor"], signed["user"]["role"]))


def missing_sign_in_fields(page: PageSession, email: str, password: str) -> dict[str, str]:
    """Return an error message for each empty field of the sign-in form, by field name."""
    _ = translations(page.language).gettext
    missing = {}
    if not email:
        missing["email"] = _("Enter your e-mail address.")
    if not password:
        missing["password"] = _("Enter your password.")
    return missing


def email_address_error(page: PageSession, email: str) -> str | None:
    """Return why `email` cannot be an account's address (empty or malformed), or None when it can be."""
    _ = translations(page.language).gettext
    if not email:
        return _("Enter your e-mail address.")
    if not is_well_formed(email):
        return _("Enter a valid e-mail address, such as name@example.fr.")
    return None


async def logout_submit(request: Request) -> Response:
    page = await PageSession(request).start()
    if not await csrf_valid(request, page):
        return csrf_expired(page)
    if page.authenticated:
        await page.run(LOGOUT)
    return redirect(page, "/connexion")


async def change_password_page(request: Request) -> Response:
    page = await PageSession(request).start()
    if not page.authenticated:
        return redirect(page, "/connexion?suivant=/mot-de-passe/changer")
    me = await page.run(ME_EMAIL)
    email = me.data["me"]["user"]["email"] if me.ok and me.data else ""
    return render(page, "change_password.html", field_errors={}, email=email)


async def change_password_submit(request: Request) -> Response:
    page = await PageSession(request).start()
    if not page.authenticated:
        return redirect(page, "/connexion?suivant=/mot-de-passe/changer")
    if not await csrf_valid(request, page):
        return csrf_expired(page)
    _ = translations(page.language).gettext
    form = await request.form()
    new_password = str(form.get("new_password", ""))
    if new_password != str(form.get("confirm_password", "")):
        message = _("The two new passwords differ; type the same password twice.")
        return render(page, "change_password.html", status=400, errors=[message],
                      field_errors={"confirmPassword": message})
    result = await page.run(CHANGE_PASSWORD, {"input": {
        "currentPassword": str(form.get("current_password", "")), "newPassword": new_password}})
    if result.first_code() in ("SERVICE_UNAVAILABLE", "TIMEOUT", "INTERNAL"):
        return failure(page, result)
    if not result.ok:
        return render(page, "change_password.html", status=400, errors=result.messages(),
                      field_errors=result.field_errors())
    page.context.must_change_password = False
    return render(page, "message.html", title=_("Password changed"),
                  lines=[_("Your password has been changed. Your other sessions have been signed out.")],
                  back_label=_("Go to the home page"))


async def language_submit(request: Request) -> Response:
    page = await PageSession(request).start()
    form = await request.form()
    language = str(form.get("language", "fr"))
    if language not in LANGUAGES:
        language = "fr"
    # A signed-in person's choice is saved on the account, because e-mails, notifications and the
    # next sign-in on another browser follow the account's language, not this browser's cookie.
    # A session restricted to a password change or a second-factor enrolment may not update the
    # profile, so it only gets the cookie, like a visitor.
    if page.authenticated and not page.restricted:
        if not await csrf_valid(request, page):
            return csrf_expired(page)
        result = await page.run(UPDATE_LANGUAGE, {"input": {"language": language}})
        if not result.ok:
            return failure(page, result)
    response = redirect(page, safe_next(str(form.get("next", "/"))))
    set_language_cookie(response, language)
    return response


REQUEST_RESET = """
mutation Reset($input: RequestPasswordResetInput!) { requestPasswordReset(input: $input) { message } }"""
COMPLETE_RESET = """
mutation Complete($input: CompletePasswordResetInput!) { completePasswordReset(input: $input) { email } }"""


async def forgotten_page(request: Request) -> Response:
    page = await PageSession(request).start()
    return render(page, "forgotten_password.html", field_errors={})


async def forgotten_submit(request: Request) -> Response:
    page = await PageSession(request).start()
    if not await csrf_valid(request, page):
        return csrf_expired(page)
    form = await request.form()
    email = str(form.get("email", "")).strip()
    # Only an empty or malformed address is rejected here: a well-formed unknown one gets the same
    # confirmation as a known one, so that the form does not reveal which accounts exist.
    address_error = email_address_error(page, email)
    if address_error:
        return render(page, "forgotten_password.html", status=400, email=email, errors=[address_error],
                      field_errors={"email": address_error})
    result = await page.run(REQUEST_RESET, {"input": {"email": email}})
    if result.first_code() in ("SERVICE_UNAVAILABLE", "TIMEOUT", "INTERNAL"):
        return unavailable(page, result)
    if not result.ok:
        return render(page, "forgotten_password.html", status=400, email=email, errors=result.messages(),
                      field_errors=result.field_errors())
    _ = translations(page.language).gettext
    # The service returns the same message whether the account exists or not.
    return render(page, "message.html", title=_("Check your e-mail"),
                  lines=[result.data["requestPasswordReset"]["message"]], back_url="/connexion",
                  back_label=_("Back to sign-in"))


async def reset_page(request: Request) -> Response:
    page = await PageSession(request).start()
    return render(page, "reset_password.html", token=request.query_params.get("token", ""), field_errors={},
                  invitation=request.url.path == "/invitation")


async def reset_submit(request: Request) -> Response:
    page = await PageSession(request).start()
    if not await csrf_valid(request, page):
        return csrf_expired(page)
    _ = translations(page.language).gettext
    form = await request.form()
    token = str(form.get("token", ""))
    invitation = request.url.path == "/invitation"
    new_password = str(form.get("new_password", ""))
    if new_password != str(form.get("confirm_password", "")):
        message = _("The two new passwords differ; type the same password twice.")
        return render(page, "reset_password.html", status=400, token=token, invitation=invitation,
                      errors=[message], field_errors={"confirmPassword": message})
    result = await page.run(COMPLETE_RESET, {"input": {"token": token, "newPassword": new_password}})
    if result.first_code() in ("SERVICE_UNAVAILABLE", "TIMEOUT", "INTERNAL"):
        return unavailable(page, result)
    if not result.ok:
        return render(page, "reset_password.html", status=400, token=token, invitation=invitation,
                      errors=result.messages(), field_errors=result.field_errors())
    return render(page, "message.html", title=_("Password saved"),
                  lines=[_("You can now sign in with your new password.")], back_url="/connexion",
                  back_label=_("Sign in"))

"""Helpers every page view uses: open the visitor's session, require sign-in, show failures."""
from __future__ import annotations

from typing import Awaitable, Callable
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response

from gateway.portal.i18n import translations
from gateway.portal.operations import OperationResult, PageSession
from gateway.portal.rendering import redirect, render

View = Callable[[Request, PageSession], Awaitable[Response]]


SECURITY_PATH = "/profil/securite"


def signed_in(view: View, allow_second_factor_enrolment: bool = False) -> Callable[[Request], Awaitable[Response]]:
    """Run `view` only for a signed-in visitor whose password needs no change; redirect otherwise.

    Staff who must enrol a second factor are sent to the security page, unless
    `allow_second_factor_enrolment` marks the view as part of the enrolment.
    """
    async def wrapper(request: Request) -> Response:
        page = await PageSession(request).start()
        if page.auth_error == "SERVICE_UNAVAILABLE":
            return unavailable(page)
        if not page.authenticated:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return redirect(page, f"/connexion?suivant={quote(target)}")
        if page.must_change_password:
            return redirect(page, "/mot-de-passe/changer")
        if page.must_enrol_second_factor and not allow_second_factor_enrolment:
            return redirect(page, SECURITY_PATH)
        return await view(request, page)

    return wrapper


def signed_in_while_enrolling(view: View) -> Callable[[Request], Awaitable[Response]]:
    """Like `signed_in`, but also open to staff whose session is restricted to enrolling a second factor."""
    return signed_in(view, allow_second_factor_enrolment=True)


def unavailable(page: PageSession, result: OperationResult | None = None) -> Response:
    _ = translations(page.language).gettext
    lines = result.messages() if result is not None else [
        _("The service is unavailable for a moment; try again shortly.")]
    return render(page, "message.html", status=503, title=_("Service unavailable"), lines=lines)


def failure(page: PageSession, result: OperationResult) -> Response:
    """Show an operation's errors: not found as 404, unavailability as 503, the rest as 400."""
    _ = translations(page.language).gettext
    code = result.first_code()
    if code in ("SERVICE_UNAVAILABLE", "TIMEOUT", "INTERNAL"):
        return unavailable(page, result)
    if code == "NOT_FOUND":
        return render(page, "message.html", status=404, title=_("Page not found"), lines=result.messages())
    if code == "FORBIDDEN":
        return render(page, "message.html", status=403, title=_("Access denied"), lines=result.messages())
    return render(page, "message.html", status=400, title=_("The request failed"), lines=result.messages())


def csrf_expired(page: PageSession) -> Response:
    """Refuse a form whose CSRF token is missing or stale, asking the visitor to reload."""
    _ = translations(page.language).gettext
    return render(page, "message.html", status=403, title=_("Form expired"),
                  lines=[_("This form expired or did not come from the portal. Reload the page and try again.")],
                  back_url=page.request.url.path)


def not_found(page: PageSession) -> Response:
    _ = translations(page.language).gettext
    return render(page, "message.html", status=404, title=_("Page not found"),
                  lines=[_("This page does not exist or is not visible to you.")])


def safe_next(url: str | None) -> str:
    """Keep redirects inside the portal: only local absolute paths are followed."""
    if url and url.startswith("/") and not url.startswith("//") and "\\" not in url:
        return url
    return "/"


async def page_not_found(request: Request, exc: Exception) -> Response:
    """Render the portal's own 404 page, in the visitor's language, for an unknown address."""
    page = await PageSession(request).start()
    return not_found(page)

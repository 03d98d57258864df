"""Render page templates in the visitor's language, with CSRF protection for forms."""
from __future__ import annotations

import hmac
import secrets
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from gateway.app import LANGUAGE_COOKIE, apply_cookies
from gateway.portal.i18n import translations
from gateway.portal.operations import PageSession
from services.common.sizes import format_size

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
CSRF_COOKIE = "portail_csrf"
CSRF_FIELD = "csrf_token"
PARIS = ZoneInfo("Europe/Paris")

_environment: Environment | None = None


def environment() -> Environment:
    global _environment
    if _environment is None:
        _environment = Environment(
            loader=FileSystemLoader(TEMPLATES_DIR),
            autoescape=select_autoescape(["html"]),
            extensions=["jinja2.ext.i18n"],
            trim_blocks=True,
            lstrip_blocks=True,
        )
        _environment.filters["paris_datetime"] = _paris_datetime
        _environment.filters["paris_date"] = _paris_date
        _environment.filters["file_size"] = _file_size
    return _environment


def _parse(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    return datetime.fromisoformat(str(value))


def _paris_datetime(value: Any, language: str = "fr") -> str:
    moment = _parse(value)
    if moment is None:
        return ""
    return format_datetime(moment.astimezone(PARIS), "dd/MM/yyyy HH:mm" if language == "fr" else "yyyy-MM-dd HH:mm",
                           locale=language)


def _paris_date(value: Any, language: str = "fr") -> str:
    moment = _parse(value)
    if moment is None:
        return ""
    return format_date(moment.date() if isinstance(moment, datetime) else moment,
                       "dd/MM/yyyy" if language == "fr" else "yyyy-MM-dd", locale=language)


def _file_size(size: int, language: str = "fr") -> str:
    """Format a byte count the way each language writes it: « 1,5 Mo » in French, "1.5 MB" in English."""
    return format_size(size, language)


def csrf_token(request: Request) -> str:
    return request.cookies.get(CSRF_COOKIE) or request.state.__dict__.setdefault("new_csrf", secrets.token_urlsafe(24))


async def csrf_valid(request: Request, page: PageSession) -> bool:
    """Check the form's token against the cookie (double submit); a cross-site form has neither.

    A valid form marks the page's GraphQL context as checked, so that mutations which refuse
    non-JSON posts (sign-in) accept this one.
    """
    form = await request.form()
    cookie = request.cookies.get(CSRF_COOKIE, "")
    submitted = str(form.get(CSRF_FIELD, ""))
    valid = bool(cookie) and hmac.compare_digest(cookie, submitted)
    page.context.csrf_verified = valid
    return valid


def render(page: PageSession, template: str, status: int = 200, **values: Any) -> Response:
    language = page.language
    catalogue = translations(language)
    request = page.request
    html = environment().get_template(template).render(
        gettext=catalogue.gettext, ngettext=catalogue.ngettext, _=catalogue.gettext,
        language=language, request=request, page=page, csrf_token=csrf_token(request),
        path=request.url.path, **values,
    )
    response = HTMLResponse(html, status_code=status, headers={
        "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                                   "script-src 'self'; frame-ancestors 'none'; form-action 'self'",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
    })
    finish(page, response)
    return response


def redirect(page: PageSession, url: str) -> Response:
    response = RedirectResponse(url, status_code=303)
    finish(page, response)
    return response


def finish(page: PageSession, response: Response) -> None:
    apply_cookies(response, page.context)
    new_csrf = page.request.state.__dict__.get("new_csrf")
    if new_csrf and not page.request.cookies.get(CSRF_COOKIE):
        response.set_cookie(CSRF_COOKIE, new_csrf, path="/", httponly=True, samesite="lax",
                            secure=page.request.url.scheme == "https")


def set_language_cookie(response: Response, language: str) -> None:
    response.set_cookie(LANGUAGE_COOKIE, language, max_age=365 * 24 * 3600, path="/", samesite="lax")

"""Helpers of the console's administration pages: the admin check, form errors and paging links.

The pages only hide what an agent may not do; the auth service checks the admin role again on every call.
"""
from __future__ import annotations

from typing import Any, Mapping
from urllib.parse import urlencode

from starlette.responses import Response

from gateway.portal.i18n import translations
from gateway.portal.operations import OperationResult, PageSession
from gateway.portal.pages import failure
from gateway.portal.rendering import render

ROLES = ("CUSTOMER", "CUSTOMER_MANAGER", "AGENT", "ADMIN")
UNAVAILABLE_CODES = ("SERVICE_UNAVAILABLE", "TIMEOUT", "INTERNAL")


def admin_refusal(page: PageSession) -> Response | None:
    """Return a French 403 page for anyone but administrators, or None for them."""
    if page.context.caller.is_admin:
        return None
    _ = translations(page.language).gettext
    return render(page, "message.html", status=403, title=_("Access denied"),
                  lines=[_("The administration pages are for administrators; ask one of them.")],
                  back_url="/console" if page.context.caller.is_agent else "/",
                  back_label=_("Back to the console") if page.context.caller.is_agent else None)


def role_labels(language: str) -> dict[str, str]:
    _ = translations(language).gettext
    return {"CUSTOMER": _("Customer"), "CUSTOMER_MANAGER": _("Customer manager"), "AGENT": _("Agent"),
            "ADMIN": _("Administrator")}


def is_unavailable(result: OperationResult) -> bool:
    return result.first_code() in UNAVAILABLE_CODES


def form_failure(page: PageSession, result: OperationResult) -> Response | None:
    """Return the error page for failures a form cannot show beside its fields, or None for the others."""
    if is_unavailable(result) or result.first_code() in ("NOT_FOUND", "FORBIDDEN"):
        return failure(page, result)
    return None


def next_page_query(params: Mapping[str, str], connection: dict[str, Any]) -> str | None:
    """Return the query string of the next page, keeping the filters, or None on the last page."""
    if not connection["pageInfo"]["hasNextPage"]:
        return None
    return urlencode({**dict(params), "apres": connection["pageInfo"]["endCursor"]})


def first_page_query(params: Mapping[str, str]) -> str | None:
    """Return the query string of the first page with the same filters, or None when already on it."""
    if not params.get("apres"):
        return None
    return urlencode({key: value for key, value in params.items() if key != "apres"})


def action_labels(language: str) -> dict[str, str]:
    """Return the security log's kinds of event as the pages name them."""
    _ = translations(language).gettext
    return {
        "LOGIN_SUCCEEDED": _("Sign-in"),
        "LOGIN_FAILED": _("Failed sign-in"),
        "LOGIN_THROTTLED": _("Sign-in blocked after too many attempts"),
        "LOGOUT": _("Sign-out"),
        "PASSWORD_CHANGED": _("Password changed"),
        "PASSWORD_RESET_REQUESTED": _("Password reset requested"),
        "PASSWORD_RESET_COMPLETED": _("Password set from a link"),
        "SESSION_REVOKED": _("Session ended"),
        "TOKEN_CREATED": _("API token created"),
        "TOKEN_USED": _("API token used"),
        "TOKEN_REVOKED": _("API token revoked"),
        "USER_CREATED": _("Account created"),
        "ROLE_CHANGED": _("Role changed"),
        "USER_DEACTIVATED": _("Account deactivated"),
        "USER_REACTIVATED": _("Account reactivated"),
        "INVITATION_RESENT": _("Invitation sent again"),
        "ORGANISATION_CREATED": _("Organisation created"),
        "ORGANISATION_RENAMED": _("Organisation renamed"),
        "ACCOUNTS_IMPORTED": _("Accounts imported"),
        "SECOND_FACTOR_ENABLED": _("Second factor enabled"),
        "SECOND_FACTOR_DISABLED": _("Second factor disabled"),
        "SECOND_FACTOR_FAILED": _("Wrong second-factor code"),
        "SECOND_FACTOR_RESET": _("Second factor removed by an administrator"),
        "RECOVERY_CODE_USED": _("Recovery code used"),
        "RECOVERY_CODES_REGENERATED": _("Recovery codes replaced"),
        "SECURITY_SETTING_CHANGED": _("Security setting changed"),
    }

"""The notification centre and the notification preferences."""
from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from gateway.portal.home_views import nodes, support_enabled
from gateway.portal.i18n import translations
from gateway.portal.operations import PageSession
from gateway.portal.pages import csrf_expired, failure, signed_in
from gateway.portal.rendering import csrf_valid, redirect, render

CENTRE = """{
  unreadNotificationCount
  notifications(first: 50) { edges { node { id kind title body link createdAt read } } }
}"""
MARK_ALL = "mutation { markAllNotificationsRead(input: {}) { unreadCount } }"
PREFERENCES = "{ notificationPreferences { kind emailEnabled inAppEnabled emailFrequency } }"
UPDATE = """
mutation Update($input: UpdateNotificationPreferencesInput!) {
  updateNotificationPreferences(input: $input) { preferences { kind } }
}"""


def kind_labels(language: str) -> dict[str, str]:
    _ = translations(language).gettext
    return {
        "TICKET_CREATED": _("New requests"), "TICKET_STATUS_CHANGED": _("Status changes of requests"),
        "TICKET_MESSAGE_POSTED": _("Messages on requests"), "TICKET_ASSIGNED": _("Requests assigned to me"),
        "TICKET_SUSPENSION_REMINDED": _("Reminders about suspended requests"),
        "NEWS_PUBLISHED": _("News"), "USER_INVITED": _("Invitations"),
        "PASSWORD_RESET_REQUESTED": _("Password resets"), "DIGEST": _("Daily digest"),
    }


@signed_in
async def centre(request: Request, page: PageSession) -> Response:
    result = await page.run(CENTRE)
    if not result.ok:
        return failure(page, result)
    return render(page, "notifications.html", unread=result.data["unreadNotificationCount"],
                  notifications=nodes(result.data["notifications"]), support_enabled=await support_enabled(page))


@signed_in
async def mark_all_read(request: Request, page: PageSession) -> Response:
    if not await csrf_valid(request, page):
        return csrf_expired(page)
    result = await page.run(MARK_ALL)
    if not result.ok:
        return failure(page, result)
    return redirect(page, "/notifications")


@signed_in
async def preferences(request: Request, page: PageSession) -> Response:
    result = await page.run(PREFERENCES)
    if not result.ok:
        return failure(page, result)
    return render(page, "notification_preferences.html", preferences=result.data["notificationPreferences"],
                  labels=kind_labels(page.language), support_enabled=await support_enabled(page))


@signed_in
async def preferences_submit(request: Request, page: PageSession) -> Response:
    if not await csrf_valid(request, page):
        return csrf_expired(page)
    current = await page.run(PREFERENCES)
    if not current.ok:
        return failure(page, current)
    form = await request.form()
    values: list[dict[str, Any]] = []
    for preference in current.data["notificationPreferences"]:
        kind = preference["kind"]
        frequency = str(form.get(f"{kind}-frequency", preference["emailFrequency"]))
        values.append({"kind": kind, "emailEnabled": form.get(f"{kind}-email") == "1",
                       "inAppEnabled": form.get(f"{kind}-portal") == "1",
                       "emailFrequency": frequency if frequency in ("IMMEDIATE", "DAILY") else "IMMEDIATE"})
    result = await page.run(UPDATE, {"input": {"preferences": values}})
    if not result.ok:
        return failure(page, result)
    _ = translations(page.language).gettext
    saved = await page.run(PREFERENCES)
    return render(page, "notification_preferences.html", flash=_("Your preferences have been saved."),
                  preferences=saved.data["notificationPreferences"] if saved.ok else [],
                  labels=kind_labels(page.language), support_enabled=await support_enabled(page))

"""« Journal de sécurité »: administrators read the security audit log, filtered, in Paris time."""
from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import Response

from gateway.portal.admin_pages import action_labels, admin_refusal, first_page_query, next_page_query, role_labels
from gateway.portal.home_views import nodes
from gateway.portal.i18n import translations
from gateway.portal.operations import PageSession
from gateway.portal.pages import failure, signed_in
from gateway.portal.rendering import render

PARIS = ZoneInfo("Europe/Paris")
LOG = """
query Log($actions: [AuditAction!], $email: String, $after: DateTime, $before: DateTime, $cursor: String) {
  securityAuditLog(first: 50, actions: $actions, email: $email, occurredAfter: $after, occurredBefore: $before,
                   after: $cursor) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { occurredAt action email clientIp details user { id displayName email } actor { displayName } } }
  }
}"""


def paris_day_start(value: str) -> str | None:
    """Return the instant a Paris calendar day (YYYY-MM-DD) starts, in ISO 8601; None when blank or invalid."""
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return None
    return datetime.combine(day, time(0), tzinfo=PARIS).isoformat()


def describe(entry: dict[str, Any], labels: dict[str, str]) -> str:
    """Return the facts of an entry's details worth a column, such as the roles of a role change."""
    details = entry.get("details") or {}
    if entry["action"] == "ROLE_CHANGED":
        return f"{labels.get(details.get('old_role', ''), details.get('old_role'))} → " \
               f"{labels.get(details.get('new_role', ''), details.get('new_role'))}"
    if entry["action"] == "ORGANISATION_RENAMED":
        return f"{details.get('old_name')} → {details.get('new_name')}"
    if entry["action"] == "ORGANISATION_CREATED":
        return str(details.get("name", ""))
    return ", ".join(f"{key}: {_detail_value(value)}" for key, value in details.items())


def _detail_value(value: Any) -> str:
    # Written as in the API's JSON, not as Python prints it: true, not True; a, b, not ['a', 'b'].
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(item) for item in value)
    return "" if value is None else str(value)


@signed_in
async def audit_log(request: Request, page: PageSession) -> Response:
    refused = admin_refusal(page)
    if refused:
        return refused
    _ = translations(page.language).gettext
    params = request.query_params
    labels = action_labels(page.language)
    errors = []
    after = paris_day_start(params.get("du", "")) if params.get("du") else None
    until = params.get("au", "")
    before = None
    if until:
        try:
            # The day typed is included: the range ends when the next Paris day starts.
            before = paris_day_start((date.fromisoformat(until) + timedelta(days=1)).isoformat())
        except ValueError:
            before = None
    if (params.get("du") and after is None) or (until and before is None):
        errors.append(_("Enter dates as day/month/year."))

    variables = {"actions": [params["type"]] if params.get("type") in labels else None,
                 "email": params.get("email") or None, "after": after, "before": before,
                 "cursor": params.get("apres") or None}
    result = await page.run(LOG, variables)
    if not result.ok:
        return failure(page, result)
    connection = result.data["securityAuditLog"]
    entries = nodes(connection)
    for entry in entries:
        entry["details"] = _decode(entry.get("details"))
        entry["summary"] = describe(entry, {**labels, **_role_names(page.language)})
    return render(page, "console/admin/audit.html", status=400 if errors else 200, entries=entries,
                  total=connection["totalCount"], labels=labels, filters=params, errors=errors,
                  next_query=next_page_query(params, connection), first_query=first_page_query(params),
                  console=True, support_enabled=True)


def _decode(details: Any) -> dict[str, Any]:
    # graphene's JSONString arrives as a JSON text.
    if isinstance(details, str):
        try:
            decoded = json.loads(details)
        except ValueError:
            return {}
        return decoded if isinstance(decoded, dict) else {}
    return details or {}


def _role_names(language: str) -> dict[str, str]:
    return {role.lower(): label for role, label in role_labels(language).items()}

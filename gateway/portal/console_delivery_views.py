"""Console page of the e-mail delivery log (administrators): to whom, when, and what became of each e-mail."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from gateway.portal.console_forms import refuse_unless_admin
from gateway.portal.home_views import nodes
from gateway.portal.i18n import translations
from gateway.portal.operations import PageSession
from gateway.portal.pages import failure, signed_in
from gateway.portal.rendering import PARIS, render

DELIVERIES = """
query Deliveries($status: EmailDeliveryStatus, $recipient: String, $since: DateTime, $before: DateTime,
                 $after: String) {
  emailDeliveries(status: $status, recipient: $recipient, createdSince: $since, createdBefore: $before,
                  first: 50, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id recipient subject kind language status attempts lastError createdAt sentAt nextAttemptAt } }
  }
}"""
STATUSES = ("QUEUED", "SENT", "FAILED")


def paris_midnight(value: str, days_later: int = 0) -> datetime | None:
    """Return midnight in Paris, `days_later` days after the ISO date `value`; None when it is not a date."""
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return None
    # Combining the date with the zone gives that day's own offset, summer time or not.
    return datetime.combine(day + timedelta(days=days_later), time.min, tzinfo=PARIS)


def filters_of(request: Request, page: PageSession) -> tuple[dict[str, Any], dict[str, str]]:
    """Turn the query string into the operation's variables; return them and the filters' errors."""
    _ = translations(page.language).gettext
    params = request.query_params
    variables: dict[str, Any] = {"after": params.get("apres") or None}
    errors: dict[str, str] = {}
    if params.get("destinataire", "").strip():
        variables["recipient"] = params["destinataire"].strip()
    status = params.get("statut", "")
    if status in STATUSES:
        variables["status"] = status
    elif status:
        errors["statut"] = _("Unknown status “%(value)s”.") % {"value": status}
    # The days are Paris days, and the last day is included: « to 4 December » ends at midnight
    # in Paris between the 4th and the 5th.
    bounds: dict[str, datetime] = {}
    for name, variable, days_later in (("du", "since", 0), ("au", "before", 1)):
        raw = params.get(name, "").strip()
        if not raw:
            continue
        moment = paris_midnight(raw, days_later)
        if moment is None:
            errors[name] = _("The date “%(value)s” is invalid: expected YYYY-MM-DD.") % {"value": raw}
        else:
            bounds[variable] = moment
            variables[variable] = moment.isoformat()
    if "since" in bounds and "before" in bounds and bounds["before"] <= bounds["since"]:
        errors["au"] = _("The last day is before the first day.")
    return variables, errors


@signed_in
async def deliveries(request: Request, page: PageSession) -> Response:
    refused = refuse_unless_admin(page)
    if refused:
        return refused
    variables, field_errors = filters_of(request, page)
    items: list[dict[str, Any]] = []
    total = 0
    next_query = None
    if not field_errors:
        result = await page.run(DELIVERIES, variables)
        if not result.ok:
            if result.first_code() != "VALIDATION_FAILED":
                return failure(page, result)
            field_errors = {"filtres": " ".join(result.messages())}
        else:
            connection = result.data["emailDeliveries"]
            items = nodes(connection)
            total = connection["totalCount"]
            if connection["pageInfo"]["hasNextPage"]:
                next_query = urlencode({**dict(request.query_params), "apres": connection["pageInfo"]["endCursor"]})
    first_query = None
    if request.query_params.get("apres"):
        first_query = urlencode({key: value for key, value in request.query_params.items() if key != "apres"})
    return render(page, "console/deliveries.html", status=400 if field_errors else 200, deliveries=items,
                  total=total, filters=request.query_params, statuses=STATUSES, field_errors=field_errors,
                  errors=list(field_errors.values()), next_query=next_query, first_query=first_query,
                  console=True, support_enabled=True)

"""Identities and helpers shared by the catalog's integration tests."""
from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any, Callable

import pytest

from services.catalog.demo import SERVICE_ASSISTANCE, SERVICE_CORRECTIVE, SERVICE_HOSTING
from services.common import demo
from services.common.caller import Caller
from services.common.sync_rpc import RpcCallFailed

JDUPONT = Caller(user_id=demo.USER_JDUPONT, organisation_id=demo.ORG_SAINT_AUBIN, role="customer")
PMARTIN = Caller(user_id=demo.USER_PMARTIN, organisation_id=demo.ORG_VALLEE, role="customer")
AGENT = Caller(user_id=demo.AGENT_CBERNARD, organisation_id=demo.VENDOR_ORG, role="agent")


def remote_error(call: Callable[[], Any]) -> dict[str, Any]:
    """Run `call`, expect the service to raise, and return nameko's error dict."""
    with pytest.raises(RpcCallFailed) as raised:
        call()
    return raised.value.error


def error_fields(error: dict[str, Any]) -> list[dict[str, Any]]:
    """Return the `fields` argument of a serialised ValidationFailed."""
    args = error.get("exc_args") or []
    return args[1] if len(args) > 1 else []


def new_customer(system: Any, start: date, end: date, service_ids: list[str] | None = None,
                 product_ids: list[str] | None = None) -> tuple[Caller, dict[str, Any]]:
    """Create, as an agent, an organisation's site and one contract; return its customer and the contract."""
    organisation_id = str(uuid.uuid4())
    site = system.rpc("catalog", "create_site", caller=AGENT, values={
        "organisation_id": organisation_id, "name": "Mairie", "address": "1 place du Marché",
        "postal_code": "44000", "city": "Bourg-Test"})
    contract = system.rpc("catalog", "create_contract", caller=AGENT, values={
        "number": f"CTR-TEST-{uuid.uuid4().hex[:8]}", "organisation_id": organisation_id,
        "start_date": start.isoformat(), "end_date": end.isoformat(), "support_level": "standard",
        "product_ids": product_ids or [demo.PRODUCT_CARRUS],
        "service_ids": service_ids or [SERVICE_ASSISTANCE], "site_ids": [site["id"]]})
    customer = Caller(user_id=str(uuid.uuid4()), organisation_id=organisation_id, role="customer")
    return customer, contract


def days_ago(days: int) -> date:
    return date.today() - timedelta(days=days)


__all__ = ["AGENT", "JDUPONT", "PMARTIN", "SERVICE_ASSISTANCE", "SERVICE_CORRECTIVE", "SERVICE_HOSTING",
           "days_ago", "error_fields", "new_customer", "remote_error"]

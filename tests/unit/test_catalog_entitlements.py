"""Why the support desk is closed, decided from contracts built in memory."""
from datetime import date

import pytest

from services.catalog.entitlements import closed_reason, has_assistance, is_active
from services.catalog.models import Contract, Service, ServiceKind

pytestmark = pytest.mark.unit

TODAY = date(2026, 6, 15)
ASSISTANCE = Service(name="Assistance", kind=ServiceKind.ASSISTANCE, is_assistance=True)
HOSTING = Service(name="Hébergement", kind=ServiceKind.HOSTING, is_assistance=False)


def contract(number: str, start: date, end: date, *services: Service) -> Contract:
    return Contract(number=number, organisation_id="org", start_date=start, end_date=end, services=list(services))


def test_closed_reason_without_contract():
    code, reason = closed_reason([], TODAY)

    assert code == "NO_CONTRACT"
    assert reason["fr"].startswith("Votre organisation n'a pas de contrat en cours")


def test_closed_reason_with_only_future_contract():
    future = contract("CTR-F", date(2026, 7, 1), date(2027, 6, 30), ASSISTANCE)

    code, _reason = closed_reason([future], TODAY)

    assert code == "NO_CONTRACT"


def test_closed_reason_names_latest_ended_contract():
    older = contract("CTR-A", date(2022, 1, 1), date(2023, 12, 31), ASSISTANCE)
    latest = contract("CTR-B", date(2024, 1, 1), date(2026, 6, 14), ASSISTANCE)

    code, reason = closed_reason([older, latest], TODAY)

    assert code == "CONTRACT_EXPIRED"
    assert "Votre contrat n° CTR-B a pris fin le 14/06/2026" in reason["fr"]
    assert "Your contract CTR-B ended on 2026-06-14" in reason["en"]


def test_closed_reason_without_assistance_uses_plural():
    first = contract("CTR-1", date(2026, 1, 1), date(2026, 12, 31), HOSTING)
    second = contract("CTR-2", date(2026, 1, 1), date(2026, 12, 31), HOSTING)

    code, reason = closed_reason([first, second], TODAY)

    assert code == "NO_ASSISTANCE"
    assert reason["fr"].startswith("Vos contrats n° CTR-1, CTR-2 ne comprennent pas")


def test_is_active_includes_both_end_days():
    current = contract("CTR-C", TODAY, TODAY, ASSISTANCE)

    assert is_active(current, TODAY)
    assert not is_active(current, date(2026, 6, 16))


def test_has_assistance_needs_flagged_service():
    assert has_assistance(contract("CTR-D", TODAY, TODAY, HOSTING, ASSISTANCE))
    assert not has_assistance(contract("CTR-E", TODAY, TODAY, HOSTING))

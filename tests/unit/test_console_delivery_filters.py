"""The e-mail log's day filters are Paris days, across the changes to and from summer time."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from gateway.portal.console_delivery_views import filters_of, paris_midnight

pytestmark = pytest.mark.unit


def filters(**params: str) -> tuple[dict, dict]:
    request = SimpleNamespace(query_params=params)
    page = SimpleNamespace(language="fr")
    return filters_of(request, page)  # type: ignore[arg-type]


@pytest.mark.parametrize(("day", "days_later", "expected"), [
    ("2026-12-04", 0, "2026-12-04T00:00:00+01:00"),
    ("2026-07-14", 0, "2026-07-14T00:00:00+02:00"),
    ("2026-03-28", 1, "2026-03-29T00:00:00+01:00"),
    ("2026-03-29", 1, "2026-03-30T00:00:00+02:00"),
    ("2026-10-25", 1, "2026-10-26T00:00:00+01:00"),
])
def test_paris_midnight_offsets(day, days_later, expected):
    assert paris_midnight(day, days_later).isoformat() == expected


def test_paris_midnight_rejects_non_date():
    assert paris_midnight("04/12/2026") is None


def test_filters_include_last_day():
    variables, errors = filters(du="2026-12-01", au="2026-12-04", statut="FAILED", destinataire=" a@example.fr ")

    assert errors == {}
    assert variables["since"] == "2026-12-01T00:00:00+01:00"
    assert variables["before"] == "2026-12-05T00:00:00+01:00"
    assert variables["status"] == "FAILED"
    assert variables["recipient"] == "a@example.fr"


def test_filters_reject_reversed_days_in_french():
    _variables, errors = filters(du="2026-12-05", au="2026-12-01")

    assert errors == {"au": "Le dernier jour précède le premier."}


def test_filters_reject_bad_date_and_status_in_french():
    _variables, errors = filters(du="demain", statut="LOST")

    assert errors["du"] == "La date « demain » est invalide : format attendu AAAA-MM-JJ."
    assert errors["statut"] == "Statut « LOST » inconnu."

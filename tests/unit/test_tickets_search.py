"""Folding of ticket titles and references for the accent- and case-insensitive text filter."""
from __future__ import annotations

import pytest

from services.tickets.search import fold, ticket_search_text

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(("value", "folded"), [
    ("Échéances bloquées", "echeances bloquees"),
    ("ÉCHÉANCES", "echeances"),
    ("Œuvre d'art", "oeuvre d'art"),
    ("DEL-2026-14 / n° 3", "del-2026-14 / n° 3"),
    (None, ""),
])
def test_fold_drops_accents_and_case(value, folded):
    assert fold(value) == folded


def test_search_text_keeps_fields_apart():
    search_text = ticket_search_text("Échéances", "Régie", None)

    assert search_text == "echeances\nregie\n"
    assert "echeances regie" not in search_text

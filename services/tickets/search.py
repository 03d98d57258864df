"""Accent- and case-insensitive text search of tickets on SQLite and PostgreSQL alike.

Neither database folds accents in a plain LIKE, and PostgreSQL's `unaccent` is an extension that a
deployment may not be allowed to create. So the service stores each ticket's title and references
folded (`Ticket.search_text`), folds the searched text the same way, and matches with LIKE.
"""
from __future__ import annotations

import unicodedata

# NFKD leaves these ligatures whole, but French writers expect « oeuvre » to find « œuvre ».
LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae"})
# Separator between the folded fields. A search box sends one line, so such a search never matches across two fields.
FIELD_SEPARATOR = "\n"


def fold(value: str | None) -> str:
    """Return `value` without accents and case-folded, keeping punctuation and spaces as typed.

    Changing this function changes the stored `Ticket.search_text`, so it needs a migration that
    refills the column.
    """
    decomposed = unicodedata.normalize("NFKD", (value or "").translate(LIGATURES))
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def ticket_search_text(title: str | None, reference_1: str | None, reference_2: str | None) -> str:
    """Return the value of `Ticket.search_text` for these fields."""
    return FIELD_SEPARATOR.join(fold(value) for value in (title, reference_1, reference_2))

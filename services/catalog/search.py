"""Accent- and case-insensitive matching and ranking for the French FAQ search.

Text is normalised the same way when an entry is stored and when a query arrives: decomposed to
Unicode NFKD, stripped of combining marks, ligatures spelt out, case-folded, and reduced to words of
letters and digits. A plain LIKE on the normalised column then behaves alike on SQLite and PostgreSQL.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# NFKD leaves these ligatures whole, but French writers expect « oeuvre » to find « œuvre ».
LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss"})
NON_WORD = re.compile(r"[^a-z0-9]+")

# Frequent French words that would match nearly every entry, so they carry no meaning for the search.
STOP_WORDS = frozenset({
    "a", "au", "aux", "avec", "ce", "ces", "comment", "dans", "de", "des", "du", "en", "est", "et",
    "il", "je", "la", "le", "les", "leur", "ma", "mes", "mon", "ne", "nous", "on", "ou", "par", "pas",
    "pour", "qu", "que", "qui", "sa", "se", "ses", "son", "sur", "un", "une", "vos", "votre", "vous",
})

# Weights of a term found in each part of an entry. The question weighs most because it describes the entry best.
QUESTION_WEIGHT = 3.0
CATEGORY_WEIGHT = 2.0
ANSWER_WEIGHT = 1.0
WHOLE_WORD_BONUS = 0.5

# Words of at most this many letters keep a final s or x: « pas », « prix » and « dos » are no plurals.
MIN_PLURAL_LENGTH = 4


def normalize(value: str) -> str:
    """Return `value` without accents, in lower case, with words separated by single spaces."""
    decomposed = unicodedata.normalize("NFKD", (value or "").translate(LIGATURES))
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return NON_WORD.sub(" ", stripped.casefold()).strip()


def singular(word: str) -> str:
    """Drop a final plural `s` or `x`, so that « échéances » also finds « échéance »."""
    if len(word) > MIN_PLURAL_LENGTH and word[-1] in "sx" and not word.endswith("ss"):
        return word[:-1]
    return word


def search_terms(query: str) -> list[str]:
    """Split a query into distinct normalised singular terms, without stop words (all words if only those)."""
    words = normalize(query).split()
    meaningful = [word for word in words if word not in STOP_WORDS] or words
    return list(dict.fromkeys(singular(word) for word in meaningful))


@dataclass(frozen=True)
class SearchDocument:
    """The normalised parts of an FAQ entry that a query is matched against."""

    category: str
    question: str
    answer: str

    @classmethod
    def of(cls, category: str, question: str, answer: str) -> "SearchDocument":
        return cls(normalize(category), normalize(question), normalize(answer))

    @property
    def search_text(self) -> str:
        """Return the value stored in the entry's search column."""
        return " | ".join((self.category, self.question, self.answer))


def _part_score(terms: list[str], text: str, weight: float) -> float:
    padded = f" {text} "
    score = 0.0
    for term in terms:
        if term in text:
            score += weight
            if f" {term} " in padded:
                score += weight * WHOLE_WORD_BONUS
    return score


def score(terms: list[str], document: SearchDocument) -> float:
    """Rank `document` for `terms`: higher is better, and 0 means that no term matched.

    Each term counts once per part where it occurs, weighted by the part, with a bonus for a whole
    word. The sum is multiplied by the number of distinct terms matched, so fuller matches come first.
    """
    matched = sum(1 for term in terms if term in document.search_text)
    if matched == 0:
        return 0.0
    total = (_part_score(terms, document.question, QUESTION_WEIGHT)
             + _part_score(terms, document.category, CATEGORY_WEIGHT)
             + _part_score(terms, document.answer, ANSWER_WEIGHT))
    return total * matched

"""Normalisation and ranking of the FAQ search, without a database."""
import pytest

from services.catalog.search import SearchDocument, normalize, score, search_terms

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("raw, expected", [
    ("Échéance", "echeance"),
    ("ÉCHÉANCIER", "echeancier"),
    ("mot de passe oublié ?", "mot de passe oublie"),
    ("Œuvre d'art", "oeuvre d art"),
    ("  Export   PES-V2 ", "export pes v2"),
    ("", ""),
])
def test_normalize_removes_accents_case_and_punctuation(raw, expected):
    assert normalize(raw) == expected


def test_search_terms_drop_stop_words_and_duplicates():
    assert search_terms("Comment changer le mot de passe, le MOT ?") == ["changer", "mot", "passe"]


def test_search_terms_keep_stop_words_when_nothing_else():
    assert search_terms("de la") == ["de", "la"]


def test_search_terms_of_punctuation_are_empty():
    assert search_terms(" ?! ") == []


def test_score_without_match_is_zero():
    document = SearchDocument.of("Exports", "Comment exporter le grand livre ?", "Menu Éditions.")

    assert score(["echeance"], document) == 0


def test_score_ranks_question_above_answer():
    in_question = SearchDocument.of("Divers", "Quelle échéance choisir ?", "Voir le guide.")
    in_answer = SearchDocument.of("Divers", "Comment facturer ?", "Choisissez l'échéance du mois.")

    assert score(["echeance"], in_question) > score(["echeance"], in_answer)


def test_search_terms_are_singular():
    assert search_terms("Échéances exports prix") == ["echeance", "export", "prix"]


def test_score_ranks_whole_word_above_longer_word():
    whole = SearchDocument.of("Divers", "Modifier une échéance", "")
    prefix = SearchDocument.of("Divers", "Modifier les échéances", "")

    assert score(["echeance"], whole) > score(["echeance"], prefix) > 0


def test_score_ranks_more_matched_terms_first():
    both = SearchDocument.of("Connexion", "Mot de passe oublié", "")
    one = SearchDocument.of("Connexion", "Changer de mot", "")

    assert score(["mot", "passe"], both) > score(["mot", "passe"], one)


def test_search_text_joins_normalised_parts():
    document = SearchDocument.of("Échéances", "Date d'échéance ?", "**Modifier**")

    assert document.search_text == "echeances | date d echeance | modifier"

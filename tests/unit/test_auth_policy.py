"""The password policy and the previous platform's initial passwords."""
import pytest

from services.auth.policy import RULES, legacy_initial_password, password_field_errors, unmet_rules

pytestmark = pytest.mark.unit

CASES = [
    # (password, email, codes of the unmet rules)
    ("Portail-Demo-2026!", "mleroy@example.fr", []),
    ("Abcdefgh1.;x", None, []),
    ("Abcdefgh1.;", None, ["TOO_SHORT"]),
    ("abcdefgh1.;x", None, ["MISSING_UPPERCASE"]),
    ("ABCDEFGH1.;X", None, ["MISSING_LOWERCASE"]),
    ("Abcdefghij.;", None, ["MISSING_DIGIT"]),
    ("Abcdefghij1.", None, ["MISSING_SPECIAL"]),
    ("Abcdefghij12", None, ["MISSING_SPECIAL"]),
    # Any punctuation or symbol counts, not only the ones the form suggests.
    ("Abcdefgh1-_x", None, []),
    ("Abcdefgh1€%x", None, []),
    ("Abcdefgh1«»x", None, []),
    # Accented letters count as letters of their case.
    ("Éléphant123!?", None, []),
    ("éléphant123!?", None, ["MISSING_UPPERCASE"]),
    # The e-mail's local part is rejected in any letter case.
    ("Jdupont-2026!x", "jdupont@example.fr", ["CONTAINS_EMAIL"]),
    ("xxJDUPONTxx1!?", "JDupont@example.fr", ["CONTAINS_EMAIL"]),
    ("Portail-Demo-2026!", None, []),
    # Local parts shorter than three characters are not checked.
    ("Abcdefgh1.;x", "ab@example.fr", []),
    ("", None, ["TOO_SHORT", "MISSING_UPPERCASE", "MISSING_LOWERCASE", "MISSING_DIGIT", "MISSING_SPECIAL"]),
    ("EKSjt2020#.", "jdupont@example.fr", ["TOO_SHORT"]),
    ("jdupont", "jdupont@example.fr",
     ["TOO_SHORT", "MISSING_UPPERCASE", "MISSING_DIGIT", "MISSING_SPECIAL", "CONTAINS_EMAIL"]),
    # Spaces are allowed but are not special characters.
    ("Abcdefgh 1 x!", None, ["MISSING_SPECIAL"]),
]


@pytest.mark.parametrize(("password", "email", "expected"), CASES)
def test_unmet_rules_match_table(password, email, expected):
    assert [rule.code for rule in unmet_rules(password, email)] == expected


def test_field_errors_list_every_unmet_rule_in_french():
    errors = password_field_errors("abc", "jdupont@example.fr")

    assert [error["field"] for error in errors] == ["newPassword"] * 4
    assert [error["message"]["fr"] for error in errors] == [
        "Au moins 12 caractères.",
        "Au moins une lettre majuscule.",
        "Au moins un chiffre.",
        "Au moins 2 caractères spéciaux parmi . ; : ! ? / # @ (ou toute autre ponctuation).",
    ]


def test_every_rule_has_french_and_english_message():
    for rule in RULES.values():
        assert rule.message["fr"] and rule.message["en"]
        assert rule.message["fr"] != rule.message["en"]


@pytest.mark.parametrize(("email", "expected"), [
    ("jdupont@example.fr", "EKSjt2020#."),
    ("mleroy@example.fr", "EKSmy2020#."),
    ("a@example.fr", "EKSaa2020#."),
])
def test_legacy_initial_password_follows_previous_platform(email, expected):
    assert legacy_initial_password(email) == expected

"""The password policy, as a pure function shared by the server check and the live form.

A password needs at least 12 characters, an uppercase letter, a lowercase letter, a digit and two
special characters. The characters `. ; : ! ? / # @` are the ones the form suggests, but any other
punctuation or symbol counts as well. It must not contain the local part of the account's e-mail.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from services.common.errors import LocalizedText, field_error, text

MIN_LENGTH = 12
MIN_SPECIAL = 2
# Shorter local parts ("a@…") would forbid ordinary letters, so they are not checked.
MIN_CHECKED_LOCAL_PART = 3


@dataclass(frozen=True)
class Rule:
    code: str
    message: LocalizedText


RULES = {
    "TOO_SHORT": Rule("TOO_SHORT", text(f"Au moins {MIN_LENGTH} caractères.", f"At least {MIN_LENGTH} characters.")),
    "MISSING_UPPERCASE": Rule("MISSING_UPPERCASE", text("Au moins une lettre majuscule.",
                                                        "At least one uppercase letter.")),
    "MISSING_LOWERCASE": Rule("MISSING_LOWERCASE", text("Au moins une lettre minuscule.",
                                                        "At least one lowercase letter.")),
    "MISSING_DIGIT": Rule("MISSING_DIGIT", text("Au moins un chiffre.", "At least one digit.")),
    "MISSING_SPECIAL": Rule("MISSING_SPECIAL", text(
        f"Au moins {MIN_SPECIAL} caractères spéciaux parmi . ; : ! ? / # @ (ou toute autre ponctuation).",
        f"At least {MIN_SPECIAL} special characters among . ; : ! ? / # @ (or any other punctuation).")),
    "CONTAINS_EMAIL": Rule("CONTAINS_EMAIL", text("Ne pas contenir la partie de votre adresse e-mail avant « @ ».",
                                                  "Must not contain the part of your e-mail address before '@'.")),
}


def is_special(character: str) -> bool:
    """Return whether a character counts as special: Unicode punctuation (P*) or symbol (S*)."""
    return unicodedata.category(character)[0] in ("P", "S")


def unmet_rules(password: str, email: str | None = None) -> list[Rule]:
    """Return every rule `password` breaks, in the order the form lists them; empty when it is valid."""
    unmet = []
    if len(password) < MIN_LENGTH:
        unmet.append(RULES["TOO_SHORT"])
    if not any(character.isupper() for character in password):
        unmet.append(RULES["MISSING_UPPERCASE"])
    if not any(character.islower() for character in password):
        unmet.append(RULES["MISSING_LOWERCASE"])
    if not any(character.isdigit() for character in password):
        unmet.append(RULES["MISSING_DIGIT"])
    if sum(1 for character in password if is_special(character)) < MIN_SPECIAL:
        unmet.append(RULES["MISSING_SPECIAL"])

    local_part = (email or "").split("@", 1)[0].casefold()
    if len(local_part) >= MIN_CHECKED_LOCAL_PART and local_part in password.casefold():
        unmet.append(RULES["CONTAINS_EMAIL"])
    return unmet


def password_field_errors(password: str, email: str | None, field: str = "newPassword") -> list[dict]:
    """Return one field error per unmet rule, each with its French and English message."""
    return [field_error(field, rule.code, rule.message["fr"], rule.message["en"])
            for rule in unmet_rules(password, email)]


def legacy_initial_password(email: str) -> str:
    """Return the previous platform's initial password of an account.

    It is `EKS`, the first character of the e-mail, the last character before `@`, then `2020#.`:
    `jdupont@example.fr` gets `EKSjt2020#.`.
    """
    local_part = email.split("@", 1)[0]
    return f"EKS{email[0]}{local_part[-1]}2020#."

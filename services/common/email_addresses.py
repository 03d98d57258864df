"""The shape every e-mail address of an account must have, checked alike by the portal and by auth."""
from __future__ import annotations


def is_well_formed(address: str) -> bool:
    """Tell whether `address` has one "@", a local part, a dotted domain and no whitespace.

    This is a plausibility check for forms and imports, not RFC 5322 parsing: whether the mailbox
    exists is only known when a message reaches it.
    """
    local_part, at_sign, domain = address.partition("@")
    return (bool(local_part) and bool(at_sign) and "@" not in domain and "." in domain.strip(".")
            and not any(character.isspace() for character in address))

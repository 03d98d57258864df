"""Random opaque tokens and the digests under which they are stored."""
from __future__ import annotations

import hashlib
import secrets

TOKEN_BYTES = 32


def new_token(prefix: str = "") -> tuple[str, str]:
    """Return a new token and its digest; only the digest is stored."""
    token = prefix + secrets.token_urlsafe(TOKEN_BYTES)
    return token, digest(token)


def digest(token: str) -> str:
    # The tokens carry 256 random bits, so a fast unsalted hash is enough: nothing can be guessed.
    return hashlib.sha256(token.encode()).hexdigest()

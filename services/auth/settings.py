"""Durations and limits of the auth service, read from the environment with safe defaults."""
from __future__ import annotations

from datetime import timedelta

from services.common import config

REMEMBER_ME_DURATION = timedelta(days=30)
# A session without « Se souvenir de moi » ends after this long without a request.
IDLE_TIMEOUT = timedelta(hours=12)
# last_seen_at is written at most this often, so that each request does not cost a write.
LAST_SEEN_RESOLUTION = timedelta(minutes=1)
RESET_TOKEN_LIFETIME = timedelta(hours=1)
RESET_PATH = "/mot-de-passe/reinitialiser"
INVITATION_PATH = "/invitation"
# The second step of a sign-in must come within this delay, with at most this many wrong codes.
SECOND_FACTOR_CHALLENGE_LIFETIME = timedelta(minutes=5)
SECOND_FACTOR_CHALLENGE_ATTEMPTS = 5
# Name under which authenticator apps list the account.
SECOND_FACTOR_ISSUER = "Portail client"


def legacy_password_lifetime() -> timedelta:
    """Return how long an imported account may sign in with the previous platform's initial password."""
    return timedelta(days=config.optional_int("AUTH_LEGACY_PASSWORD_DAYS", 30))


def invitation_lifetime() -> timedelta:
    return timedelta(days=config.optional_int("AUTH_INVITATION_DAYS", 7))

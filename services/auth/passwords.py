"""Password hashing with argon2id, run in eventlet's thread pool.

With the library's default (RFC 9106 low-memory) parameters, one hash takes about 0.1 s of CPU
(measured on the 2-core development machine). Run on the hub, it would stall every other worker of the
service and its AMQP heartbeat. Each hash therefore goes through `eventlet.tpool.execute`.
"""
from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from eventlet import tpool

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return tpool.execute(_hasher.hash, password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Return whether `password` matches; with no hash, spend the same time and return False.

    Checking a dummy hash for unknown accounts keeps sign-in about as slow whether the e-mail exists
    or not, so timing does not reveal accounts.
    """
    target = password_hash or _dummy_hash()
    try:
        tpool.execute(_hasher.verify, target, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    return password_hash is not None


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher.hash("not a password of any account")


def hash_password_blocking(password: str) -> str:
    """Hash on the calling thread, for commands that run outside eventlet workers."""
    return _hasher.hash(password)

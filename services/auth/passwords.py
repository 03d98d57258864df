"""Password hashing with argon2id, run in eventlet's thread pool, a few hashes at a time.

Run on the hub, a hash would stall every other worker of the service and its AMQP heartbeat, so each
one goes through `eventlet.tpool.execute`. The parameters are the OWASP Password Storage Cheat Sheet's
Argon2id configuration (19 MiB, 2 iterations, 1 lane; the sheet as of May 2023). One lane keeps a hash on
one core, and `HASH_SLOTS` bounds how many run at once, so that a burst of sign-ins leaves a core to
the service's other requests. On the 2-core development machine one hash took about 0.04 s.
"""
from __future__ import annotations

import os
from functools import lru_cache
from typing import Any, Callable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from eventlet import tpool
from eventlet.semaphore import Semaphore

MEMORY_COST_KIB = 19 * 1024
TIME_COST = 2
PARALLELISM = 1
HASH_SLOTS = max(1, (os.cpu_count() or 1) - 1)

_hasher = PasswordHasher(time_cost=TIME_COST, memory_cost=MEMORY_COST_KIB, parallelism=PARALLELISM)
_slots = Semaphore(HASH_SLOTS)


def _in_thread(function: Callable[..., Any], *args: Any) -> Any:
    with _slots:
        return tpool.execute(function, *args)


def hash_password(password: str) -> str:
    return _in_thread(_hasher.hash, password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Return whether `password` matches; with no hash, spend the same time and return False.

    Checking a dummy hash for unknown accounts keeps sign-in about as slow whether the e-mail exists
    or not, so timing does not reveal accounts.
    """
    # The dummy hash is made once, in the thread pool like any other hash.
    target = password_hash or _in_thread(_dummy_hash)
    try:
        _in_thread(_hasher.verify, target, password)
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

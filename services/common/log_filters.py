"""Logging filters of the services, apart from the runner so that tests import them without eventlet."""
from __future__ import annotations

import logging


def drop_expected_tracebacks(record: logging.LogRecord) -> bool:
    """Keep nameko's one-line warning for an expected service error (a user's invalid form, say) but
    not its traceback: the error is the caller's, and the line names it."""
    if record.levelno == logging.WARNING and str(record.msg).startswith("(expected)"):
        record.exc_info = None
    return True

"""Expected service errors are logged on one line; unexpected ones keep their traceback."""
import logging
import sys

import pytest

from services.common.log_filters import drop_expected_tracebacks

pytestmark = pytest.mark.unit


def record(level: int, message: str) -> logging.LogRecord:
    try:
        raise ValueError("invalid form")
    except ValueError:
        exc_info = sys.exc_info()
    return logging.LogRecord("nameko.containers", level, __file__, 1, message, (), exc_info)


def test_expected_error_loses_traceback():
    expected = record(logging.WARNING, "(expected) error handling worker %s: %s")

    assert drop_expected_tracebacks(expected) is True
    assert expected.exc_info is None


def test_unexpected_error_keeps_traceback():
    unexpected = record(logging.ERROR, "error handling worker %s: %s")

    assert drop_expected_tracebacks(unexpected) is True
    assert unexpected.exc_info is not None

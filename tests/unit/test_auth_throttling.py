"""The progressive delay of throttled operations."""
from datetime import timedelta

import pytest

from services.auth.throttling import MAX_DELAY, delay_after

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(("failures", "expected"), [
    (0, timedelta(0)),
    (4, timedelta(0)),
    (5, timedelta(seconds=30)),
    (6, timedelta(seconds=60)),
    (7, timedelta(seconds=120)),
    (9, timedelta(seconds=480)),
    (10, MAX_DELAY),
    (1000, MAX_DELAY),
])
def test_delay_after_doubles_past_free_attempts(failures, expected):
    assert delay_after(failures, free_attempts=5) == expected

from datetime import datetime, timedelta

import pytest

from learning.compliance.status import Status, add_months, status_for

NOW = datetime(2026, 6, 1, 12, 0, 0)
WINDOW = 60


@pytest.mark.parametrize(
    "expiry, open_attempt, failed, expected",
    [
        (None, False, False, Status.NOT_STARTED),
        (None, True, False, Status.IN_PROGRESS),
        (NOW + timedelta(days=WINDOW, seconds=1), False, False, Status.IN_DATE),
        (NOW + timedelta(days=WINDOW), False, False, Status.EXPIRING),  # the window's last moment
        (NOW + timedelta(seconds=1), False, False, Status.EXPIRING),
        (NOW, False, False, Status.EXPIRED),  # valid only while now < expires_at
        (NOW - timedelta(days=1), False, False, Status.EXPIRED),
        (NOW - timedelta(days=1), True, False, Status.IN_PROGRESS),  # retaking after expiry
        (NOW + timedelta(days=300), True, False, Status.IN_DATE),  # a valid completion wins over an open retake
        (None, False, True, Status.NOT_PASSED),
        (None, True, True, Status.IN_PROGRESS),  # trying again after failing
        (NOW, False, True, Status.EXPIRED),  # an expired completion wins over a failed retake
        (NOW + timedelta(seconds=1), False, True, Status.EXPIRING),  # a failed retake does not undo a pass
        (NOW + timedelta(days=WINDOW, seconds=1), False, True, Status.IN_DATE),
    ],
)
def test_status_boundaries(expiry, open_attempt, failed, expected):
    assert status_for(expiry, open_attempt, NOW, WINDOW, failed) is expected


def test_only_in_date_and_expiring_count_as_compliant():
    assert {s for s in Status if s.compliant} == {Status.IN_DATE, Status.EXPIRING}


@pytest.mark.parametrize(
    "start, months, expected",
    [
        (datetime(2026, 1, 31), 1, datetime(2026, 2, 28)),
        (datetime(2028, 1, 31), 1, datetime(2028, 2, 29)),
        (datetime(2026, 11, 15), 24, datetime(2028, 11, 15)),
        (datetime(2026, 12, 1), 1, datetime(2027, 1, 1)),
    ],
)
def test_add_months_clamps_to_the_end_of_short_months(start, months, expected):
    assert add_months(start, months) == expected

import datetime

import pytest

from programme.core.templatetags.durations import duration_words


@pytest.mark.parametrize(
    ("span", "expected"),
    [
        (datetime.timedelta(minutes=30), "30 minutes"),
        (datetime.timedelta(minutes=1), "1 minute"),
        (datetime.timedelta(seconds=61), "2 minutes"),
        (datetime.timedelta(hours=1), "1 hour"),
        (datetime.timedelta(hours=2, minutes=1), "2 hours 1 minute"),
        (datetime.timedelta(0), "0 minutes"),
    ],
)
def test_duration_words_rounds_up_to_minutes(span, expected):
    assert duration_words(span) == expected

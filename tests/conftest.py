import pytest


@pytest.fixture(autouse=True)
def _no_minimum_fill_time(settings):
    """Forms in tests are filled by code in milliseconds; tests that check the
    minimum fill time set it themselves."""
    settings.APPLICATION_MIN_FILL_SECONDS = 0

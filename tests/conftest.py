import pytest


@pytest.fixture(autouse=True)
def _no_minimum_fill_time(settings):
    """Forms in tests are filled by code in milliseconds; tests that check the
    minimum fill time set it themselves."""
    settings.APPLICATION_MIN_FILL_SECONDS = 0


@pytest.fixture
def run_worker():
    """Run the django-tasks-db worker until no task is ready, as ``db_worker`` does
    in production, and return nothing. Call it after the enqueuing transaction
    has committed (in tests marked ``django_db(transaction=True)``) or after
    on-commit callbacks have run."""
    import io

    from django.core.management import call_command

    def run() -> None:
        call_command(
            "db_worker",
            "--batch",
            "--no-startup-delay",
            "--interval",
            "0.01",
            stdout=io.StringIO(),
        )

    return run

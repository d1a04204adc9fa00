import email
import socket

import pytest
from aiosmtpd.controller import Controller


@pytest.fixture(autouse=True)
def _empty_cache():
    """Start every test with an empty cache: ids repeat between tests, so a
    cache key built from them could return another test's data."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The default hasher takes about a third of a second per password by
    # design; the tests set and check many passwords.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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


class CollectingHandler:
    """An SMTP server's handler that keeps every message it accepts."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's hook name
        self.messages.append(email.message_from_bytes(envelope.original_content))
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on loopback, not yet started, with the default mailer
    pointed at it. Returns the aiosmtpd controller and the collecting handler;
    call ``controller.start()`` to accept mail."""
    port = free_port()
    handler = CollectingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }
    yield controller, handler
    if controller._thread is not None:
        controller.stop()

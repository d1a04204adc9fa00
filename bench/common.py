"""Settings and timing shared by the benchmark scripts."""

import os
import secrets
import statistics
import time

from cryptography.fernet import Fernet

ROUNDS = 15


def prepare_environment(**overrides: str) -> None:
    """Set fresh keys and safe settings before Django reads them, ignoring a developer's .env.

    ``overrides`` set further variables, such as ``DATABASE_URL`` or ``LOG_LEVEL``.
    """
    os.environ["DJANGO_ENV_FILE"] = ""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentoring.settings")
    os.environ["SECRET_KEY"] = secrets.token_urlsafe(50)
    os.environ["FIELD_ENCRYPTION_KEYS"] = Fernet.generate_key().decode("ascii")
    os.environ["BLIND_INDEX_KEY"] = secrets.token_urlsafe(48)
    os.environ["SITE_URL"] = "http://testserver"
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["SECURE_TRANSPORT"] = "false"
    os.environ["DJANGO_DEBUG"] = "false"
    os.environ["STAFF_TOTP_RELAXED"] = "false"
    os.environ["MAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ.update(overrides)


def median_ms(action, rounds: int = ROUNDS) -> float:
    """Run ``action`` twice to warm up, then ``rounds`` times, and return the median in ms."""
    action()
    action()
    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        action()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)

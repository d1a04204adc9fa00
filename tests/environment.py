"""Pytest plugin that prepares the environment before Django reads its settings.

Loaded with ``-p tests.environment`` (see pyproject.toml), so it runs before
pytest-django imports the settings module. Keys are generated afresh for every
run: no key is ever written to the repository.
"""

import os
import secrets

from cryptography.fernet import Fernet

os.environ["DJANGO_ENV_FILE"] = ""  # ignore a developer's .env
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentoring.settings")
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
os.environ.setdefault("FIELD_ENCRYPTION_KEYS", Fernet.generate_key().decode("ascii"))
os.environ.setdefault("BLIND_INDEX_KEY", secrets.token_urlsafe(48))
os.environ.setdefault("SITE_URL", "http://testserver")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("SECURE_TRANSPORT", "false")
os.environ.setdefault("MAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
# Playwright's sync API runs an event loop in the test thread; Django's ORM
# calls from that thread are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

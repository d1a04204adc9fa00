"""Start-up configuration, checked in fresh interpreters with a controlled environment."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent
PASSED_THROUGH = ("PATH", "HOME", "LANG", "PYTHONPATH")


def production_env(**overrides: str) -> dict[str, str]:
    env = {name: os.environ[name] for name in PASSED_THROUGH if name in os.environ}
    env |= {
        "DJANGO_ENV_FILE": "",
        "DJANGO_SETTINGS_MODULE": "mentoring.settings",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "BLIND_INDEX_KEY": secrets.token_urlsafe(48),
        "ALLOWED_HOSTS": "mentoring.example.org",
        "SITE_URL": "https://mentoring.example.org",
    }
    env |= overrides
    return {name: value for name, value in env.items() if value is not None}


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_missing_secrets_named_at_start_up():
    env = production_env(SECRET_KEY=None, FIELD_ENCRYPTION_KEYS=None, BLIND_INDEX_KEY=None)

    result = run_manage("check", env=env)

    assert result.returncode != 0
    assert (
        "Missing required secret settings: SECRET_KEY, FIELD_ENCRYPTION_KEYS, BLIND_INDEX_KEY"
        in (result.stderr)
    )


def test_one_missing_secret_named_alone():
    result = run_manage("check", env=production_env(BLIND_INDEX_KEY=None))

    assert result.returncode != 0
    assert "Missing required secret settings: BLIND_INDEX_KEY." in result.stderr


def test_secret_read_from_file(tmp_path):
    key_file = tmp_path / "blind-index-key"
    key_file.write_text(secrets.token_urlsafe(48))
    env = production_env(BLIND_INDEX_KEY=None, BLIND_INDEX_KEY_FILE=str(key_file))

    result = run_manage("check", env=env)

    assert result.returncode == 0, result.stderr


def test_invalid_encryption_key_fails_check():
    result = run_manage("check", env=production_env(FIELD_ENCRYPTION_KEYS="not-a-fernet-key"))

    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS key number 1 is not a valid Fernet key" in result.stderr


def test_deploy_check_prints_no_warning():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())

    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.django_db
def test_response_carries_security_headers(client):
    response = client.get(reverse("public:home"))

    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "object-src 'none'" in policy
    assert "base-uri 'none'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_csrf_enforced_on_application_form(csrf_client):
    response = csrf_client.post(reverse("applications:apply", kwargs={"role": "mentee"}), {})

    assert response.status_code == 403


@pytest.fixture
def csrf_client():
    from django.test import Client

    return Client(enforce_csrf_checks=True)

"""The demo cohort written to a real SQLite file leaves no plaintext in its bytes."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent.parent

DUMP_PLAINTEXT = """
import json
from programme.core.models import Person
from programme.applications.models import Application
values = []
for person in Person.objects.all():
    values += [person.given_name, person.family_name, person.full_name,
               person.primary_email, person.secondary_email, person.institution]
for application in Application.objects.filter(role="mentee"):
    values += [application.head_of_department_name, application.head_of_department_email]
print(json.dumps(values))
"""


def manage(*args: str, env: dict[str, str]) -> str:
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_seeded_sqlite_file_holds_no_plaintext(tmp_path):
    database = tmp_path / "demo.sqlite3"
    env = {name: os.environ[name] for name in ("PATH", "HOME", "LANG") if name in os.environ}
    env |= {
        "DJANGO_ENV_FILE": "",
        "DJANGO_DEBUG": "true",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "BLIND_INDEX_KEY": secrets.token_urlsafe(48),
        "DATABASE_URL": f"sqlite:///{database}",
    }
    manage("migrate", "--no-input", env=env)
    manage("seed_demo", env=env)
    plaintexts = json.loads(
        manage("shell", "-c", DUMP_PLAINTEXT, env=env).strip().splitlines()[-1]
    )

    raw = b"".join(path.read_bytes() for path in tmp_path.glob("demo.sqlite3*"))

    # Values shorter than six bytes can occur by chance inside the base64 of
    # the ciphertext, so they are checked as part of the full name instead.
    checked = [value for value in plaintexts if len(value.encode("utf-8")) >= 6]
    assert len(checked) >= 60 * 4
    leaked = [value for value in checked if value.encode("utf-8") in raw]
    assert leaked == []

"""Write a development ``.env`` with freshly generated keys, unless one exists.

Run by ``make run`` with the address the server will listen on, which becomes
``SITE_URL`` (the start of every link in letters); an existing file keeps its
keys and only has that line brought up to date. The file is ignored by git and
is for this machine only: production takes its secrets from the environment
or from ``<NAME>_FILE``.
"""

import secrets
import sys
from pathlib import Path

from cryptography.fernet import Fernet

ENV_PATH = Path(__file__).resolve().parent.parent / ".env"


DEFAULT_SITE_URL = "http://127.0.0.1:8000"


def development_env(site_url: str = DEFAULT_SITE_URL) -> str:
    lines = [
        "# Development settings written by 'make run'. Not for production.",
        "DJANGO_DEBUG=true",
        "SECURE_TRANSPORT=false",
        f"SECRET_KEY={secrets.token_urlsafe(50)}",
        f"FIELD_ENCRYPTION_KEYS={Fernet.generate_key().decode('ascii')}",
        f"BLIND_INDEX_KEY={secrets.token_urlsafe(48)}",
        f"DEMO_STAFF_PASSWORD={secrets.token_urlsafe(12)}",
        f"SITE_URL={site_url}",
        "# Print e-mails in the server's output instead of sending them.",
        "MAIL_BACKEND=programme.core.mail.ReadableConsoleBackend",
        "APPLICATION_MIN_FILL_SECONDS=3",
    ]
    return "\n".join(lines) + "\n"


def with_site_url(text: str, site_url: str) -> str:
    """Return the file's text with its SITE_URL line set to ``site_url``."""
    lines = [line for line in text.splitlines() if not line.startswith("SITE_URL=")]
    lines.append(f"SITE_URL={site_url}")
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    site_url = argv[0] if argv else DEFAULT_SITE_URL
    if not ENV_PATH.exists():
        ENV_PATH.write_text(development_env(site_url), encoding="utf-8")
        ENV_PATH.chmod(0o600)
        print(f"Wrote {ENV_PATH.name} with new development keys.")
        return 0
    text = ENV_PATH.read_text(encoding="utf-8")
    if f"SITE_URL={site_url}" not in text.splitlines():
        ENV_PATH.write_text(with_site_url(text, site_url), encoding="utf-8")
        print(f"Using the existing {ENV_PATH.name}, with SITE_URL={site_url}.")
    else:
        print(f"Using the existing {ENV_PATH.name}.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

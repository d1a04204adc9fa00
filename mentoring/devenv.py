"""Write a development ``.env`` with freshly generated keys, unless one exists.

Run by ``make run``. The file is ignored by git and is for this machine only:
production takes its secrets from the environment or from ``<NAME>_FILE``.
"""

import secrets
import sys
from pathlib import Path

from cryptography.fernet import Fernet

ENV_PATH = Path(__file__).resolve().parent.parent / ".env"


def development_env() -> str:
    lines = [
        "# Development settings written by 'make run'. Not for production.",
        "DJANGO_DEBUG=true",
        "SECURE_TRANSPORT=false",
        f"SECRET_KEY={secrets.token_urlsafe(50)}",
        f"FIELD_ENCRYPTION_KEYS={Fernet.generate_key().decode('ascii')}",
        f"BLIND_INDEX_KEY={secrets.token_urlsafe(48)}",
        f"DEMO_STAFF_PASSWORD={secrets.token_urlsafe(12)}",
        "SITE_URL=http://127.0.0.1:8000",
        "# Print e-mails in the server's output instead of sending them.",
        "MAIL_BACKEND=programme.core.mail.ReadableConsoleBackend",
        "APPLICATION_MIN_FILL_SECONDS=3",
    ]
    return "\n".join(lines) + "\n"


def main() -> int:
    if ENV_PATH.exists():
        print(f"Using the existing {ENV_PATH.name}.")
        return 0
    ENV_PATH.write_text(development_env(), encoding="utf-8")
    ENV_PATH.chmod(0o600)
    print(f"Wrote {ENV_PATH.name} with new development keys.")
    return 0


if __name__ == "__main__":
    sys.exit(main())

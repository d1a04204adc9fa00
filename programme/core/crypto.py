"""Field encryption with MultiFernet and HMAC blind indexes for look-ups.

Keys come from settings: ``FIELD_ENCRYPTION_KEYS`` (the first encrypts, every
key decrypts) and ``BLIND_INDEX_KEY``. Both are read on each call through a
small cache keyed by the setting's value, so ``override_settings`` in tests and
a key change at start-up take effect without a restart of the interpreter.
"""

import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class DecryptionError(Exception):
    """A stored value could not be decrypted with any configured key."""


@lru_cache(maxsize=8)
def _multifernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty: set at least one Fernet key.")
    fernets = []
    for position, key in enumerate(keys, start=1):
        try:
            fernets.append(Fernet(key.encode("ascii")))
        except (ValueError, UnicodeEncodeError) as error:
            raise ImproperlyConfigured(
                f"FIELD_ENCRYPTION_KEYS key number {position} is not a valid Fernet key "
                "(32 url-safe base64-encoded bytes). Generate one with "
                "'python -c \"from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())\"'."
            ) from error
    return MultiFernet(fernets)


def current_multifernet() -> MultiFernet:
    return _multifernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt_text(plaintext: str) -> str:
    return current_multifernet().encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt_text(token: str) -> str:
    """Decrypt a stored token; raise DecryptionError when no key opens it."""
    try:
        return current_multifernet().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeError) as error:
        raise DecryptionError(
            "A stored value could not be decrypted with any key in FIELD_ENCRYPTION_KEYS. "
            "Was a key removed before 'manage.py rotate_encryption_keys' re-encrypted every row?"
        ) from error


def normalise_email(address: str) -> str:
    return address.strip().casefold()


def blind_index(value: str) -> str:
    """Return the hex HMAC-SHA256 of an e-mail address, for exact look-ups."""
    key = settings.BLIND_INDEX_KEY.encode("utf-8")
    return hmac.new(key, normalise_email(value).encode("utf-8"), hashlib.sha256).hexdigest()

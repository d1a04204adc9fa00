"""TOTP devices for staff sign-in: creating them and reading their setup details."""

import hashlib
import hmac
import time
from base64 import b32encode

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from programme.core.services import record_event

DEFAULT_DEVICE_NAME = "Authenticator app"


def add_totp_device(
    user: AbstractBaseUser,
    *,
    name: str = DEFAULT_DEVICE_NAME,
    key: str | None = None,
    replace: bool = True,
) -> tuple[TOTPDevice, int]:
    """Give the user a confirmed TOTP device and return it with the number of devices removed.

    ``key`` is the hex secret, random when None. With ``replace`` the user's
    earlier TOTP devices are deleted, so a lost phone's app stops working.
    Side effect: an audit event ``core.totp_device.added``.
    """
    with transaction.atomic():
        removed = 0
        if replace:
            removed, _ = TOTPDevice.objects.filter(user=user).delete()
        device = TOTPDevice(user=user, name=name, confirmed=True)
        if key is not None:
            device.key = key
        device.full_clean(exclude=["user"])
        device.save()
        record_event("core.totp_device.added", target=device)
    return device, removed


def base32_secret(device: TOTPDevice) -> str:
    """Return the secret in base32, the form authenticator apps take when it is typed in."""
    return b32encode(device.bin_key).decode("ascii")


def current_code(device: TOTPDevice) -> tuple[str, int]:
    """Return the code an authenticator app shows now and the seconds it stays current.

    The device accepts each code once only, so a code that has just signed
    someone in is rejected until the next one comes up.
    """
    now = time.time()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
    totp.time = now
    seconds_left = device.step - int(now - device.t0) % device.step
    return f"{totp.token():0{device.digits}d}", seconds_left


def demo_totp_key(username: str) -> str:
    """Derive a demo account's TOTP secret (hex) from SECRET_KEY and the user name.

    The secret stays the same for as long as the development ``.env`` keeps its
    SECRET_KEY, so an authenticator app set up once keeps working after the
    demo accounts are created again. Never use this for real accounts.
    """
    message = f"programme.core.demo-totp:{username}".encode()
    digest = hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).digest()
    return digest[:20].hex()

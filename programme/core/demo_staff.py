"""Demo staff accounts for development: one office user and three core-team members."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Group
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from programme.core.roles import CORE_TEAM, OFFICE, sync_roles
from programme.core.totp import add_totp_device, demo_totp_key


@dataclass(frozen=True)
class DemoStaffAccount:
    username: str
    group: str


DEMO_STAFF = (
    DemoStaffAccount("office", OFFICE),
    DemoStaffAccount("core1", CORE_TEAM),
    DemoStaffAccount("core2", CORE_TEAM),
    DemoStaffAccount("core3", CORE_TEAM),
)


def create_demo_staff(*, password: str) -> list[AbstractBaseUser]:
    """Create or refresh the demo accounts, each in its group with a TOTP device.

    Each account gets the given password, staff status, only its own group,
    and a device whose secret is derived from SECRET_KEY (``demo_totp_key``),
    so an authenticator app set up for it keeps working when this runs again.
    """
    sync_roles()
    user_model = get_user_model()
    users = []
    with transaction.atomic():
        for account in DEMO_STAFF:
            user, _ = user_model.objects.get_or_create(
                username=account.username,
                defaults={"email": f"{account.username}@example.org"},
            )
            user.is_staff = True
            user.is_superuser = False
            user.is_active = True
            user.set_password(password)
            user.save()
            user.groups.set([Group.objects.get(name=account.group)])

            key = demo_totp_key(account.username)
            if not TOTPDevice.objects.filter(user=user, key=key, confirmed=True).exists():
                add_totp_device(user, name="Demo authenticator", key=key)
            users.append(user)
    return users

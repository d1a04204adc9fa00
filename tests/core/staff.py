"""Staff accounts for tests, signed in as people sign in: user name, password and TOTP code."""

import time

from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse
from django_otp.oath import hotp
from django_otp.plugins.otp_totp.models import TOTPDevice

from programme.core.totp import add_totp_device

PASSWORD = "a-long-test-password"
LOGIN_URL = reverse("admin:login")


def create_staff_user(username: str, *, group: str | None = None, device: bool = True) -> User:
    """Create a staff user with PASSWORD in the named group, and a TOTP device if ``device``."""
    user = User.objects.create_user(username, password=PASSWORD, is_staff=True)
    if group is not None:
        user.groups.add(Group.objects.get(name=group))
    if device:
        add_totp_device(user)
    return user


def next_code(user: User) -> str:
    """The code the user's device accepts next, computed as an authenticator app would.

    A device accepts each time step's code once, so when this step's code has
    been used already (two sign-ins within 30 seconds) the next step's code is
    returned, which the device's tolerance of one step accepts.
    """
    device = TOTPDevice.objects.get(user=user)
    current_step = (int(time.time()) - device.t0) // device.step + device.drift
    step = max(current_step, device.last_t + 1)
    assert step <= current_step + device.tolerance, "no unused code left in this time window"
    return f"{hotp(device.bin_key, step, device.digits):0{device.digits}d}"


def sign_in(client: Client, user: User, *, code: str | None = None, password: str = PASSWORD):
    """Post the admin sign-in form and return the response (a redirect when it worked)."""
    return client.post(
        LOGIN_URL,
        {
            "username": user.get_username(),
            "password": password,
            "otp_token": next_code(user) if code is None else code,
            "next": reverse("admin:index"),
        },
    )


def signed_in_client(user: User) -> Client:
    """A new test client signed in as the user with password and TOTP code."""
    client = Client()
    response = sign_in(client, user)
    assert response.status_code == 302, response.content.decode()[:2000]
    return client

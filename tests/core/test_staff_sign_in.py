import datetime
import re
import time

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django_otp.oath import hotp
from django_otp.plugins.otp_totp.models import TOTPDevice

from programme.core.roles import OFFICE
from tests.core.staff import LOGIN_URL, PASSWORD, create_staff_user, next_code, sign_in

INDEX = reverse("admin:index")
WRONG_DETAILS = "The user name, password or code is not right"


@pytest.fixture
def office_user(db):
    return create_staff_user("officer", group=OFFICE)


def wrong_code(user) -> str:
    """A six-digit code that no time step near now gives for the user's device."""
    device = TOTPDevice.objects.get(user=user)
    current_step = (int(time.time()) - device.t0) // device.step + device.drift
    near = {
        f"{hotp(device.bin_key, step, 6):06d}"
        for step in range(current_step - 2, current_step + 3)
    }
    return next(f"{n:06d}" for n in range(10) if f"{n:06d}" not in near)


@pytest.mark.django_db
def test_sign_in_page_asks_for_code(client):
    page = client.get(LOGIN_URL).content.decode()

    assert 'name="username"' in page
    assert 'name="password"' in page
    assert 'name="otp_token"' in page
    assert 'autocomplete="one-time-code"' in page
    assert "6-digit code" in page


@pytest.mark.django_db
def test_sign_in_page_has_no_inline_code(client):
    page = client.get(LOGIN_URL).content.decode()

    assert re.findall(r"<script(?![^>]*\ssrc=)[^>]*>", page) == []
    assert "<style" not in page
    assert "style=" not in page


def test_sign_in_password_only_rejected(client, office_user):
    response = sign_in(client, office_user, code="")

    assert response.status_code == 200
    assert "Enter the 6-digit code from your authenticator app." in response.content.decode()
    assert client.get(INDEX).status_code == 302


def test_sign_in_with_code_succeeds(client, office_user):
    response = sign_in(client, office_user)

    assert response.status_code == 302
    assert response["Location"] == INDEX
    assert client.get(INDEX).status_code == 200


def test_sign_in_code_with_space_accepted(client, office_user):
    code = next_code(office_user)

    response = sign_in(client, office_user, code=f"{code[:3]} {code[3:]}")

    assert response.status_code == 302


def test_sign_in_wrong_code_rejected(client, office_user):
    response = sign_in(client, office_user, code=wrong_code(office_user))

    assert response.status_code == 200
    assert WRONG_DETAILS in response.content.decode()
    assert client.get(INDEX).status_code == 302


def test_sign_in_wrong_password_gives_same_message(client, office_user):
    response = sign_in(client, office_user, password="not-the-password")

    assert response.status_code == 200
    assert WRONG_DETAILS in response.content.decode()


def test_sign_in_does_not_echo_password(client, office_user):
    response = sign_in(client, office_user, code=wrong_code(office_user))

    assert PASSWORD not in response.content.decode()


def test_sign_in_used_code_rejected(client, office_user):
    code = next_code(office_user)
    sign_in(client, office_user, code=code)
    client.logout()

    response = sign_in(client, office_user, code=code)

    assert response.status_code == 200
    assert client.get(INDEX).status_code == 302


@pytest.mark.django_db
def test_sign_in_without_device_rejected(client):
    user = create_staff_user("no-device", group=OFFICE, device=False)

    response = sign_in(client, user, code="123456")

    assert response.status_code == 200
    assert "has no authenticator app set up" in response.content.decode()
    assert client.get(INDEX).status_code == 302


@pytest.mark.django_db
def test_sign_in_non_staff_rejected(client):
    user = create_staff_user("not-staff", group=OFFICE)
    user.is_staff = False
    user.save()

    response = sign_in(client, user)

    assert response.status_code == 200
    assert WRONG_DETAILS in response.content.decode()


def test_admin_rejects_session_without_code(client, office_user):
    client.force_login(office_user)

    response = client.get(INDEX)

    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)


def test_sign_in_locked_out_after_failed_passwords(client, office_user):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, office_user, password="not-the-password")

    response = sign_in(client, office_user)

    assert response.status_code == 429
    assert "Sign-in paused" in response.content.decode()
    assert client.get(INDEX).status_code == 302


def test_sign_in_locked_out_after_wrong_codes(client, office_user):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, office_user, code=wrong_code(office_user))

    response = sign_in(client, office_user)

    assert response.status_code == 429
    assert client.get(INDEX).status_code == 302


def test_sign_in_below_failure_limit_still_works(client, office_user):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, office_user, password="not-the-password")

    response = sign_in(client, office_user)

    assert response.status_code == 302


def test_sign_in_lockout_is_per_user_name(client, office_user):
    other = create_staff_user("other-officer", group=OFFICE)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, office_user, password="not-the-password")

    response = sign_in(client, other)

    assert response.status_code == 302


def test_lockout_lifts_after_cooloff(client, office_user):
    with time_machine.travel(datetime.datetime.now(tz=datetime.UTC)) as traveller:
        for _ in range(settings.AXES_FAILURE_LIMIT):
            sign_in(client, office_user, password="not-the-password")
        traveller.shift(datetime.timedelta(minutes=31))

        response = sign_in(client, office_user)

    assert response.status_code == 302


def test_attempt_during_lockout_restarts_wait(client, office_user):
    with time_machine.travel(datetime.datetime.now(tz=datetime.UTC)) as traveller:
        for _ in range(settings.AXES_FAILURE_LIMIT):
            sign_in(client, office_user, password="not-the-password")
        traveller.shift(datetime.timedelta(minutes=20))
        sign_in(client, office_user)
        traveller.shift(datetime.timedelta(minutes=20))

        response = sign_in(client, office_user)

    assert response.status_code == 429


def test_lockout_page_says_wait_or_contact_office(client, office_user):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, office_user, password="not-the-password")

    page = sign_in(client, office_user).content.decode()

    assert "Wait 30 minutes, then try again." in page
    assert "contact the office at" in page
    assert "mentoring@example.org" in page
    assert "style=" not in page
    assert "<style" not in page


def test_sign_in_relaxed_allows_no_code(client, office_user, settings):
    settings.STAFF_TOTP_RELAXED = True

    response = sign_in(client, office_user, code="")

    assert response.status_code == 302
    assert client.get(INDEX).status_code == 200


def test_sign_in_relaxed_still_checks_given_code(client, office_user, settings):
    settings.STAFF_TOTP_RELAXED = True

    response = sign_in(client, office_user, code=wrong_code(office_user))

    assert response.status_code == 200
    assert client.get(INDEX).status_code == 302

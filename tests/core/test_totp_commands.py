import io
import re

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from programme.core.roles import CORE_TEAM, OFFICE
from programme.core.totp import base32_secret
from tests.core.staff import create_staff_user, sign_in

DEMO_PASSWORD = "demo-password-for-test"


def run(command: str, *args: str) -> str:
    out = io.StringIO()
    call_command(command, *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def demo_staff(settings, monkeypatch, db):
    settings.DEBUG = True
    monkeypatch.setenv("DEMO_STAFF_PASSWORD", DEMO_PASSWORD)
    run("create_demo_staff")


@pytest.mark.django_db
def test_add_totp_device_creates_confirmed_device():
    user = create_staff_user("officer", device=False)

    run("add_totp_device", "officer")

    assert TOTPDevice.objects.get(user=user).confirmed is True


@pytest.mark.django_db
def test_add_totp_device_prints_url_secret_and_qr(settings):
    settings.OTP_TOTP_ISSUER = "Example Society"
    create_staff_user("officer", device=False)

    output = run("add_totp_device", "officer")

    device = TOTPDevice.objects.get(user__username="officer")
    secret = base32_secret(device)
    assert f"Secret (base32): {secret}" in output
    assert f"otpauth://totp/Example%20Society%3Aofficer?secret={secret}" in output
    assert "\u2588" in output


@pytest.mark.django_db
def test_add_totp_device_replaces_earlier_device():
    user = create_staff_user("officer")
    old_key = TOTPDevice.objects.get(user=user).key

    output = run("add_totp_device", "officer")

    assert list(TOTPDevice.objects.filter(user=user).values_list("key", flat=True)) != [old_key]
    assert TOTPDevice.objects.filter(user=user).count() == 1
    assert "Removed 1 earlier TOTP device(s)" in output


@pytest.mark.django_db
def test_add_totp_device_keep_existing_adds_second():
    user = create_staff_user("officer")

    run("add_totp_device", "officer", "--keep-existing", "--name", "Second phone")

    assert TOTPDevice.objects.filter(user=user).count() == 2


@pytest.mark.django_db
def test_add_totp_device_unknown_user_fails():
    with pytest.raises(CommandError, match=r"No user named 'nobody' exists\."):
        run("add_totp_device", "nobody")


@pytest.mark.django_db
def test_sign_in_chooses_among_several_devices(client):
    user = create_staff_user("officer")
    run("add_totp_device", "officer", "--keep-existing", "--name", "Second phone")

    first = sign_in(client, user, code="000000")
    page = first.content.decode()

    assert first.status_code == 200
    assert "Choose the authenticator app that shows the code." in page
    assert "Second phone" in page


def test_create_demo_staff_makes_four_accounts(demo_staff):
    groups = {user.username: [g.name for g in user.groups.all()] for user in User.objects.all()}

    assert groups == {
        "office": [OFFICE],
        "core1": [CORE_TEAM],
        "core2": [CORE_TEAM],
        "core3": [CORE_TEAM],
    }


def test_create_demo_staff_gives_each_a_device(demo_staff):
    for username in ("office", "core1", "core2", "core3"):
        assert TOTPDevice.objects.filter(user__username=username, confirmed=True).count() == 1


def test_create_demo_staff_sets_password(demo_staff):
    for username in ("office", "core1", "core2", "core3"):
        assert User.objects.get(username=username).check_password(DEMO_PASSWORD)


def test_create_demo_staff_keeps_secret_on_rerun(demo_staff):
    before = dict(TOTPDevice.objects.values_list("user__username", "key"))

    run("create_demo_staff")

    assert dict(TOTPDevice.objects.values_list("user__username", "key")) == before


def test_create_demo_staff_secrets_differ(demo_staff):
    keys = list(TOTPDevice.objects.values_list("key", flat=True))

    assert len(set(keys)) == 4


def test_create_demo_staff_prints_how_to_sign_in(settings, monkeypatch, db):
    settings.DEBUG = True
    monkeypatch.setenv("DEMO_STAFF_PASSWORD", DEMO_PASSWORD)

    output = run("create_demo_staff")

    assert "core3" in output
    assert "DEMO_STAFF_PASSWORD in .env" in output
    assert "manage.py demo_totp_code" in output
    assert DEMO_PASSWORD not in output


@pytest.mark.django_db
def test_create_demo_staff_refuses_without_debug(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="development only"):
        run("create_demo_staff")


@pytest.mark.django_db
def test_create_demo_staff_needs_password(settings, monkeypatch):
    settings.DEBUG = True
    monkeypatch.delenv("DEMO_STAFF_PASSWORD", raising=False)

    with pytest.raises(CommandError, match="DEMO_STAFF_PASSWORD is not set"):
        run("create_demo_staff")


def test_demo_totp_code_signs_in(demo_staff, client):
    code = run("demo_totp_code", "office").strip()

    response = sign_in(
        client, User.objects.get(username="office"), code=code, password=DEMO_PASSWORD
    )

    assert re.fullmatch(r"\d{6}", code)
    assert response.status_code == 302


def test_demo_totp_code_refuses_without_debug(demo_staff, settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="development only"):
        run("demo_totp_code", "office")


def test_demo_totp_code_only_for_demo_accounts(demo_staff):
    create_staff_user("someone")

    with pytest.raises(CommandError, match="invalid choice"):
        run("demo_totp_code", "someone")

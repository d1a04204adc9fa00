import pytest
from django.contrib.auth.models import Permission, User
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice


@pytest.fixture
def staff_client(client):
    """Return a function that signs a staff user with these permissions in, TOTP-verified.

    Permissions are given as "app_label.codename".
    """

    def sign_in(*permissions: str, username: str = "officer"):
        user = User.objects.create_user(username, password="a-long-test-password", is_staff=True)
        for name in permissions:
            app_label, codename = name.split(".")
            user.user_permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        device = TOTPDevice.objects.create(user=user, name="Test authenticator", confirmed=True)
        client.force_login(user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        return client, user

    return sign_in

import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The default hasher takes about a third of a second per password by
    # design; these tests set and check many passwords.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

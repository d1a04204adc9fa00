from programme.core.checks import check_staff_totp_relaxed


def test_totp_relaxed_check_fires_without_debug(settings):
    settings.STAFF_TOTP_RELAXED = True
    settings.DEBUG = False

    errors = check_staff_totp_relaxed(None)

    assert [error.id for error in errors] == ["core.E003"]


def test_totp_relaxed_check_quiet_with_debug(settings):
    settings.STAFF_TOTP_RELAXED = True
    settings.DEBUG = True

    assert check_staff_totp_relaxed(None) == []


def test_totp_relaxed_check_quiet_when_off(settings):
    settings.STAFF_TOTP_RELAXED = False
    settings.DEBUG = False

    assert check_staff_totp_relaxed(None) == []

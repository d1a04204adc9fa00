"""System checks that catch a broken key or an unsafe sign-in setting at start-up."""

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.core.exceptions import ImproperlyConfigured

from programme.core.crypto import current_multifernet


@register()
def check_encryption_keys(app_configs, **kwargs):
    try:
        current_multifernet()
    except ImproperlyConfigured as error:
        return [Error(str(error), id="core.E001")]
    if len(settings.BLIND_INDEX_KEY) < 32:
        return [
            Error(
                "BLIND_INDEX_KEY is shorter than 32 characters.",
                hint="Generate one with "
                "'python -c \"import secrets; print(secrets.token_urlsafe(48))\"'.",
                id="core.E002",
            )
        ]
    return []


@register(Tags.security)
def check_staff_totp_relaxed(app_configs, **kwargs):
    if settings.STAFF_TOTP_RELAXED and not settings.DEBUG:
        return [
            Error(
                "STAFF_TOTP_RELAXED is on while DJANGO_DEBUG is off, so staff could sign in "
                "without a TOTP code.",
                hint="Remove STAFF_TOTP_RELAXED from the environment. It is for development only.",
                id="core.E003",
            )
        ]
    return []

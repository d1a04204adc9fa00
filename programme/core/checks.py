"""System checks that catch a broken key before the first request does."""

from django.conf import settings
from django.core.checks import Error, register
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

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from programme.core.models import ProgrammeSettings


def programme(request: HttpRequest) -> dict:
    """Add the programme settings to every template as ``programme``, read on first use."""
    return {"programme": SimpleLazyObject(ProgrammeSettings.objects.get_current)}

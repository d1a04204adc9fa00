import datetime
import math

from django import template

register = template.Library()


@register.filter
def duration_words(value: datetime.timedelta) -> str:
    """Write a time span in whole hours and minutes, rounded up: "1 hour 30 minutes"."""
    total_minutes = math.ceil(value.total_seconds() / 60)
    hours, minutes = divmod(total_minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour" + ("s" if hours != 1 else ""))
    if minutes or not hours:
        parts.append(f"{minutes} minute" + ("s" if minutes != 1 else ""))
    return " ".join(parts)

from django import template

from programme.core.languages import LANGUAGE_NAMES
from programme.matching.rules import RULE_LABELS

register = template.Library()


@register.filter
def rule_labels(codes) -> str:
    """Join hard-rule codes as their labels, for people reading an override."""
    return ", ".join(RULE_LABELS.get(code, code) for code in codes)


@register.filter
def language_names(codes) -> str:
    """Join ISO 639-1 codes as language names."""
    return ", ".join(LANGUAGE_NAMES.get(code, code) for code in codes)

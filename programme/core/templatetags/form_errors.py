from django import template

register = template.Library()


@register.filter
def fields_with_errors(form) -> list:
    """Return the visible bound fields of a form that have errors, in form order."""
    return [field for field in form.visible_fields() if field.errors]

"""Placeholders in letter templates: ``{{ name }}``, from a fixed list per letter kind.

Templates are edited by office staff, so they are not Django templates: only
simple substitution is possible, and anything that looks like template code
but is not a known placeholder is rejected when the template is saved.
"""

import re

PLACEHOLDER = re.compile(r"\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}")
TEMPLATE_MARKERS = ("{{", "}}", "{%", "%}", "{#", "#}")


def as_placeholder(name: str) -> str:
    return "{{ " + name + " }}"


def find_problems(text: str, allowed: frozenset[str]) -> list[str]:
    """Return a plain message for each malformed or unknown placeholder in ``text``."""
    problems = []
    leftover = PLACEHOLDER.sub("", text)
    if any(marker in leftover for marker in TEMPLATE_MARKERS):
        problems.append(
            "A placeholder is malformed. Write each one as {{ name }}, with two braces on "
            "each side and only letters and underscores inside."
        )
    unknown = sorted({name for name in PLACEHOLDER.findall(text) if name not in allowed})
    if unknown:
        listed = ", ".join(as_placeholder(name) for name in unknown)
        usable = ", ".join(as_placeholder(name) for name in sorted(allowed))
        problems.append(f"Unknown placeholder {listed}. This letter can use: {usable}.")
    return problems


def render(text: str, values: dict[str, str]) -> str:
    """Replace every placeholder with its value. A missing value raises KeyError."""
    return PLACEHOLDER.sub(lambda match: str(values[match.group(1)]), text)


def names_in(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))

"""Small helpers for messages people read."""


def count_of(number: int, noun: str, plural: str | None = None) -> str:
    """Return "1 letter" or "3 letters": the number with the noun in the right form."""
    if number == 1:
        return f"{number} {noun}"
    return f"{number} {plural or noun + 's'}"

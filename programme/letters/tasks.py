"""Background tasks for letters. Arguments are primary keys, never personal data."""

from django.tasks import task

from programme.letters.services import deliver_letter


@task
def send_letter(letter_id: int) -> str:
    return deliver_letter(letter_id=letter_id)

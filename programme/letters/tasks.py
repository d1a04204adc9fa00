"""Background tasks for letters. Arguments are primary keys, never personal data."""

from django.tasks import task

from programme.letters.services import deliver_letter


@task
def send_letter(letter_id: int) -> str:
    return deliver_letter(letter_id=letter_id)


@task
def render_certificate(certificate_id: int) -> int:
    """Render a certificate's PDF and store it on the row; return its size in bytes."""
    from programme.letters.certificates import stored_certificate_pdf

    return len(stored_certificate_pdf(certificate_id))

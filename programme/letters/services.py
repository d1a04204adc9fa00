"""The outbox: queueing, approving, sending and resending letters.

Every letter is a row first. A state change and the letters it causes are
written in one transaction. The sending task runs after the commit and works
only from the row, so a rolled-back change sends nothing.
"""

import datetime
import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format

from programme.core.models import Person, ProgrammeSettings
from programme.core.services import record_event
from programme.letters import placeholders
from programme.letters.models import (
    PLACEHOLDERS,
    Letter,
    LetterBatch,
    LetterState,
    LetterTemplate,
)

logger = logging.getLogger(__name__)

# A letter claimed for sending longer ago than this is taken to belong to a
# worker that died, and is offered for sending again.
SENDING_LEASE = datetime.timedelta(minutes=10)


def common_values() -> dict[str, str]:
    programme = ProgrammeSettings.objects.get_current()
    return {
        "society_name": programme.society_name,
        "programme_name": programme.programme_name,
        "office_email": programme.office_email,
        "site_url": settings.SITE_URL.rstrip("/"),
        "today": date_format(timezone.localdate(), "j F Y"),
    }


def site_link(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def render_letter(kind: str, values: dict[str, str]) -> tuple[str, str, bool]:
    """Fill the kind's template; return subject, body and whether to attach a PDF.

    Raises KeyError naming a placeholder the caller did not supply.
    """
    template = LetterTemplate.objects.for_kind(kind)
    filled = common_values() | values
    unknown = set(values) - PLACEHOLDERS[kind]
    if unknown:
        raise KeyError(f"Values {sorted(unknown)} are not placeholders of {kind} letters.")
    subject = " ".join(placeholders.render(template.subject, filled).split())
    body = placeholders.render(template.body, filled)
    return subject, body, template.attach_pdf


def queue_letter(
    *,
    kind: str,
    idempotency_key: str,
    to: Iterable[str],
    cc: Iterable[str] = (),
    values: dict[str, str],
    person: Person | None = None,
    batch: LetterBatch | None = None,
    actor=None,
) -> Letter:
    """Write a letter to the outbox, or return the one already written for this key.

    A letter outside a batch is approved at once and sent after the commit.
    A letter in a batch stays a draft until the batch is approved.
    Side effects: one Letter row, an audit event, a sending task after commit.
    """
    existing = Letter.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing

    subject, body, attach_pdf = render_letter(kind, values)
    state = LetterState.DRAFT if batch is not None else LetterState.APPROVED
    to_lines = "\n".join(address.strip() for address in to if address.strip())
    cc_lines = "\n".join(address.strip() for address in cc if address.strip())
    try:
        with transaction.atomic():
            letter = Letter.objects.create(
                kind=kind,
                idempotency_key=idempotency_key,
                person=person,
                batch=batch,
                recipient_name=values.get("recipient_name", ""),
                to_addresses=to_lines,
                cc_addresses=cc_lines,
                subject=subject,
                body=body,
                attach_pdf=attach_pdf,
                state=state,
                created_by=actor if actor is not None and actor.is_authenticated else None,
            )
    except IntegrityError:
        # A concurrent request queued the same letter first.
        return Letter.objects.get(idempotency_key=idempotency_key)

    record_event("letters.letter.queued", actor=actor, target=letter)
    if state == LetterState.APPROVED:
        schedule_send(letter.pk)
    return letter


def schedule_send(letter_id: int, *, run_after: datetime.datetime | None = None) -> None:
    """Enqueue the sending task once the current transaction commits."""
    from programme.letters.tasks import send_letter

    def enqueue() -> None:
        task = send_letter
        if run_after is not None and task.get_backend().supports_defer:
            task = task.using(run_after=run_after)
        task.enqueue(letter_id)

    transaction.on_commit(enqueue)


def create_batch(*, kind: str, description: str, actor=None) -> LetterBatch:
    batch = LetterBatch.objects.create(
        kind=kind,
        description=description,
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    record_event("letters.batch.created", actor=actor, target=batch)
    return batch


def approve_batch(*, batch: LetterBatch, actor) -> int:
    """Approve every draft in the batch for sending; return how many were approved.

    The batch row is locked, so two approvals at once approve it once: the
    second finds it approved and changes nothing.
    """
    with transaction.atomic():
        locked = LetterBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.approved_at is not None:
            return 0
        letter_ids = list(
            locked.letters.filter(state=LetterState.DRAFT).values_list("pk", flat=True)
        )
        Letter.objects.filter(pk__in=letter_ids).update(state=LetterState.APPROVED)
        locked.approved_at = timezone.now()
        locked.approved_by = actor
        locked.save(update_fields=["approved_at", "approved_by"])
        record_event("letters.batch.approved", actor=actor, target=locked)
        for letter_id in letter_ids:
            schedule_send(letter_id)
    batch.refresh_from_db()
    return len(letter_ids)


def resend_letter(*, letter: Letter, actor) -> Letter:
    """Send a copy of a letter again, as a new outbox row linked to the original."""
    with transaction.atomic():
        original = Letter.objects.select_for_update().get(pk=letter.pk)
        number = original.resends.count() + 1
        copy = Letter.objects.create(
            kind=original.kind,
            idempotency_key=f"{original.idempotency_key}:resend:{number}",
            person=original.person,
            resend_of=original,
            recipient_name=original.recipient_name,
            to_addresses=original.to_addresses,
            cc_addresses=original.cc_addresses,
            subject=original.subject,
            body=original.body,
            attach_pdf=original.attach_pdf,
            certificate=original.certificate,
            state=LetterState.APPROVED,
            created_by=actor,
        )
        record_event("letters.letter.resent", actor=actor, target=copy)
        schedule_send(copy.pk)
    return copy


def claim_letter(letter_id: int) -> Letter | None:
    """Mark a letter as being sent and return it, or None when it is not due.

    The claim is a short transaction of its own, so no database lock is held
    while the mail server is contacted.
    """
    now = timezone.now()
    with transaction.atomic():
        letter = Letter.objects.select_for_update().filter(pk=letter_id).first()
        if letter is None or letter.state != LetterState.APPROVED:
            return None
        if letter.next_attempt_at is not None and letter.next_attempt_at > now:
            return None
        letter.state = LetterState.SENDING
        letter.claimed_at = now
        letter.attempts += 1
        letter.save(update_fields=["state", "claimed_at", "attempts"])
    return letter


def build_message(letter: Letter) -> EmailMessage:
    """Build the e-mail for a letter, with its PDF attachments.

    A letter with a certificate attaches the certificate's stored PDF, which
    is rendered here first when the rendering task has not run yet.
    """
    message = EmailMessage(
        subject=letter.subject,
        body=letter.body,
        to=letter.to_list,
        cc=letter.cc_list,
        headers={"Message-ID": letter.message_id},
    )
    if letter.attach_pdf:
        from programme.letters.pdf import render_letter_pdf

        message.attach(letter.pdf_filename, render_letter_pdf(letter), "application/pdf")
    if letter.certificate_id is not None:
        from programme.letters.certificates import certificate_filename, stored_certificate_pdf

        message.attach(
            certificate_filename(letter.certificate_id),
            stored_certificate_pdf(letter.certificate_id),
            "application/pdf",
        )
    return message


def deliver_letter(*, letter_id: int) -> str:
    """Send one approved letter and record the outcome; return the new state.

    A failure is recorded with its error. The letter is retried after a delay
    that doubles each time, and after ``LETTER_MAX_ATTEMPTS`` it is failed and
    appears in the office's list of failed letters.
    """
    letter = claim_letter(letter_id)
    if letter is None:
        return "skipped"

    try:
        build_message(letter).send()
    except Exception as error:
        return record_failure(letter, error)

    Letter.objects.filter(pk=letter.pk).update(
        state=LetterState.SENT, sent_at=timezone.now(), last_error="", next_attempt_at=None
    )
    record_event("letters.letter.sent", target=letter)
    logger.info("Letter %s sent (attempt %s)", letter.pk, letter.attempts)
    return LetterState.SENT


def record_failure(letter: Letter, error: Exception) -> str:
    description = f"{type(error).__name__}: {error}"[:2000]
    if letter.attempts >= settings.LETTER_MAX_ATTEMPTS:
        state, next_attempt = LetterState.FAILED, None
    else:
        delay = settings.LETTER_RETRY_BASE_SECONDS * 2 ** (letter.attempts - 1)
        state = LetterState.APPROVED
        next_attempt = timezone.now() + datetime.timedelta(seconds=delay)

    with transaction.atomic():
        letter.state = state
        letter.last_error = description
        letter.next_attempt_at = next_attempt
        letter.claimed_at = None
        letter.save(update_fields=["state", "last_error", "next_attempt_at", "claimed_at"])
        if state == LetterState.FAILED:
            record_event("letters.letter.failed", target=letter)
        else:
            schedule_send(letter.pk, run_after=next_attempt)
    logger.warning(
        "Letter %s attempt %s failed (%s); now %s",
        letter.pk,
        letter.attempts,
        type(error).__name__,
        state,
    )
    return state


def retry_due_letters() -> int:
    """Enqueue every approved letter that is due, and release stale claims.

    Idempotent: a letter enqueued twice is sent once, because sending starts
    by claiming the row. Run by ``manage.py run_due_tasks``.
    """
    now = timezone.now()
    # NOTE: a worker killed after the mail server accepted a letter, but before
    # the row was marked sent, leaves a stale claim. Retrying it may deliver a
    # second copy, which carries the same Message-ID.
    stale = Letter.objects.filter(state=LetterState.SENDING, claimed_at__lt=now - SENDING_LEASE)
    released = stale.update(state=LetterState.APPROVED, claimed_at=None, next_attempt_at=now)
    if released:
        logger.warning("Released %s letters whose sending worker stopped", released)

    due = Letter.objects.filter(state=LetterState.APPROVED).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )
    letter_ids = list(due.values_list("pk", flat=True))
    with transaction.atomic():
        for letter_id in letter_ids:
            schedule_send(letter_id)
    return len(letter_ids)

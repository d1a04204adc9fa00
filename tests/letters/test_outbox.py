import datetime
import io

import pypdfium2
import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from programme.letters.models import FailedLetter, Letter, LetterKind, LetterState
from programme.letters.services import (
    approve_batch,
    create_batch,
    queue_letter,
    resend_letter,
    retry_due_letters,
)
from tests.factories import PersonFactory


def tips_letter(key: str = "tips:1", **overrides) -> Letter:
    arguments = {
        "kind": LetterKind.TIPS_BULLETIN,
        "idempotency_key": key,
        "to": ["ana@example.org"],
        "cc": ["ana.home@example.net"],
        "values": {"recipient_name": "Ana Silva", "tips_link": "http://testserver/tips/"},
    }
    return queue_letter(**(arguments | overrides))


@pytest.mark.django_db
def test_queue_letter_twice_creates_one():
    first = tips_letter()
    second = tips_letter()

    assert first.pk == second.pk
    assert Letter.objects.count() == 1


@pytest.mark.django_db
def test_queued_letter_fills_template_and_stores_encrypted():
    person = PersonFactory()

    letter = tips_letter(person=person)

    letter.refresh_from_db()
    assert letter.state == LetterState.APPROVED
    assert letter.to_list == ["ana@example.org"]
    assert letter.cc_list == ["ana.home@example.net"]
    assert letter.body.startswith("Dear Ana Silva,")
    assert "Mentoring Programme" in letter.subject


@pytest.mark.django_db
def test_unknown_value_rejected():
    with pytest.raises(KeyError):
        tips_letter(values={"recipient_name": "Ana", "tips_link": "x", "password": "y"})


@pytest.mark.django_db(transaction=True)
def test_single_letter_sent_once_with_pdf(run_worker):
    letter = queue_letter(
        kind=LetterKind.NOT_ELIGIBLE,
        idempotency_key="not-eligible:1",
        to=["omar@example.org"],
        cc=["omar.home@example.net"],
        values={
            "recipient_name": "Omar Haddad",
            "role": "mentor",
            "reason": "Fewer than five years of practice.",
            "eligibility_link": "http://testserver/eligibility/",
        },
    )

    run_worker()
    run_worker()

    letter.refresh_from_db()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["omar@example.org"]
    assert message.cc == ["omar.home@example.net"]
    assert message.extra_headers["Message-ID"] == letter.message_id
    _filename, content, mimetype = message.attachments[0]
    assert mimetype == "application/pdf"
    assert "Omar Haddad" in pypdfium2.PdfDocument(content)[0].get_textpage().get_text_range()
    assert letter.state == LetterState.SENT
    assert letter.sent_at is not None
    assert letter.attempts == 1


@pytest.mark.django_db(transaction=True)
def test_batch_letters_wait_for_approval(run_worker):
    batch = create_batch(kind=LetterKind.TIPS_BULLETIN, description="Tips for the new cycle")
    for number in range(3):
        tips_letter(key=f"tips:{number}", batch=batch, to=[f"p{number}@example.org"], cc=[])

    run_worker()

    assert mail.outbox == []
    assert Letter.objects.filter(state=LetterState.DRAFT).count() == 3


@pytest.mark.django_db(transaction=True)
def test_batch_approved_twice_sends_once(run_worker, django_user_model):
    officer = django_user_model.objects.create_user("officer", is_staff=True)
    batch = create_batch(kind=LetterKind.TIPS_BULLETIN, description="Tips")
    for number in range(3):
        tips_letter(key=f"tips:{number}", batch=batch, to=[f"p{number}@example.org"], cc=[])

    first = approve_batch(batch=batch, actor=officer)
    second = approve_batch(batch=batch, actor=officer)
    run_worker()

    assert first == 3
    assert second == 0
    assert sorted(message.to[0] for message in mail.outbox) == [
        "p0@example.org",
        "p1@example.org",
        "p2@example.org",
    ]


@pytest.mark.django_db(transaction=True)
def test_resend_creates_copy_and_sends(run_worker, django_user_model):
    officer = django_user_model.objects.create_user("officer", is_staff=True)
    original = tips_letter()
    run_worker()

    copy = resend_letter(letter=original, actor=officer)
    run_worker()

    copy.refresh_from_db()
    assert len(mail.outbox) == 2
    assert copy.resend_of_id == original.pk
    assert copy.state == LetterState.SENT
    assert copy.idempotency_key == "tips:1:resend:1"


@pytest.mark.django_db(transaction=True)
def test_smtp_down_then_up_sends_each_once(smtp_server, run_worker):
    controller, handler = smtp_server
    letters = [tips_letter(key=f"tips:{n}", to=[f"p{n}@example.org"]) for n in range(4)]

    run_worker()

    for letter in letters:
        letter.refresh_from_db()
        assert letter.state == LetterState.APPROVED
        assert letter.attempts == 1
        assert "ConnectionRefusedError" in letter.last_error
        assert letter.next_attempt_at > timezone.now()

    controller.start()
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=5), tick=True):
        run_worker()
        retry_due_letters()
        run_worker()
        retry_due_letters()
        run_worker()

    received = sorted(message["To"] for message in handler.messages)
    assert received == [f"p{n}@example.org" for n in range(4)]
    assert Letter.objects.filter(state=LetterState.SENT).count() == 4
    assert {message["Cc"] for message in handler.messages} == {"ana.home@example.net"}


@pytest.mark.django_db(transaction=True)
def test_last_attempt_fails_letter(smtp_server, run_worker, settings):
    settings.LETTER_MAX_ATTEMPTS = 3
    letter = tips_letter()
    start = timezone.now()

    for hours in range(3):
        with time_machine.travel(start + datetime.timedelta(hours=hours), tick=True):
            retry_due_letters()
            run_worker()

    letter.refresh_from_db()
    assert letter.state == LetterState.FAILED
    assert letter.attempts == 3
    assert list(FailedLetter.objects.filter(state=LetterState.FAILED)) == [letter]


@pytest.mark.django_db(transaction=True)
def test_retry_delay_doubles(smtp_server, run_worker, settings):
    settings.LETTER_RETRY_BASE_SECONDS = 60
    letter = tips_letter()
    delays = []

    start = timezone.now()
    for hours in range(3):
        with time_machine.travel(start + datetime.timedelta(hours=hours), tick=False):
            retry_due_letters()
            run_worker()
            letter.refresh_from_db()
            delays.append(round((letter.next_attempt_at - timezone.now()).total_seconds()))

    assert delays == [60, 120, 240]


@pytest.mark.django_db(transaction=True)
def test_run_due_tasks_twice_sends_once(run_worker):
    tips_letter()
    run_worker()

    call_command("run_due_tasks", stdout=io.StringIO())
    call_command("run_due_tasks", stdout=io.StringIO())
    run_worker()

    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_stale_claim_released_and_sent(run_worker):
    letter = tips_letter()
    Letter.objects.filter(pk=letter.pk).update(
        state=LetterState.SENDING, claimed_at=timezone.now() - datetime.timedelta(hours=1)
    )
    run_worker()

    retry_due_letters()
    run_worker()

    letter.refresh_from_db()
    assert letter.state == LetterState.SENT
    assert len(mail.outbox) == 1

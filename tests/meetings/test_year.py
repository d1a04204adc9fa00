"""One pairing's whole year, driven by the scheduler as production drives it.

The clock is moved with time-machine. At every step ``run_due_tasks`` runs
twice, as cron would every few minutes, and the task worker sends what was
queued. Some steps follow a pause of several days, as after an outage.
"""

import datetime
import io
import re
import time
from collections import Counter

import pypdfium2
import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from programme.feedback.models import Invitation
from programme.letters.certificates import encrypt_pdf, issue_certificate
from programme.letters.models import Certificate, Letter, LetterKind
from programme.matching.services import add_months
from programme.meetings import year_views
from programme.meetings.access import SESSION_LAST_SEEN, SESSION_PERSON
from programme.meetings.models import CheckIn, CheckInAnswer
from tests.factories import PersonFactory
from tests.matching.test_consensus import enrol_mentee, enrol_mentor
from tests.matching.test_engagement import engage

ENGAGED_AT = datetime.datetime(2027, 1, 11, 9, 0, tzinfo=datetime.UTC)
MENTEE_NAME = ("Αικατερίνη", "Παπαδοπούλου")
MENTOR_NAME = ("فاطمة", "الزهراء")
ANSWER_LINK = re.compile(r"http://testserver(/check-in/[^/\s]+/)")
VERIFY_URL = reverse("year:verify")


def run_due_tasks_twice(run_worker) -> None:
    for _ in range(2):
        call_command("run_due_tasks", stdout=io.StringIO())
        run_worker()


def sign_in_as(client: Client, person) -> None:
    """Put the participant in the client's session, as a used sign-in link does."""
    session = client.session
    session[SESSION_PERSON] = person.pk
    session[SESSION_LAST_SEEN] = int(time.time())
    session.save()


def letter_label(letter: Letter) -> str:
    """The letter's kind, with the questionnaire's kind for questionnaire letters."""
    if letter.kind in (LetterKind.QUESTIONNAIRE_INVITATION, LetterKind.QUESTIONNAIRE_REMINDER):
        invitation_id = int(letter.idempotency_key.split(":")[1])
        kind = Invitation.objects.get(pk=invitation_id).questionnaire.kind
        return f"{letter.kind} ({kind})"
    return letter.kind


def received(address: str) -> Counter:
    """Count the messages in the outbox addressed to ``address``, by letter label."""
    counts = Counter()
    for message in mail.outbox:
        if address not in message.to:
            continue
        letter = Letter.objects.get(message_id=message.extra_headers["Message-ID"])
        counts[letter_label(letter)] += 1
    return counts


def pdf_text(pdf: bytes) -> str:
    document = pypdfium2.PdfDocument(pdf)
    return " ".join(document[0].get_textpage().get_text_range().split())


# NOTE: the questionnaire letters come from the feedback app; their reminder
# reaches each person once because the walk pauses past its reminder delay.
EXPECTED_PER_PERSON = {
    LetterKind.ENGAGEMENT: 1,
    LetterKind.CHECKIN: 1,
    LetterKind.CHECKIN_REMINDER: 1,
    f"{LetterKind.QUESTIONNAIRE_INVITATION} (six_month)": 1,
    f"{LetterKind.QUESTIONNAIRE_REMINDER} (six_month)": 1,
    f"{LetterKind.QUESTIONNAIRE_INVITATION} (completion)": 1,
    LetterKind.CERTIFICATE: 1,
}


@pytest.mark.django_db(transaction=True)
def test_pairing_year_sends_each_letter_once(run_worker, time_machine):
    time_machine.move_to(ENGAGED_AT)
    mentee_person = PersonFactory(
        given_name=MENTEE_NAME[0], family_name=MENTEE_NAME[1], primary_email="mentee@example.org"
    )
    mentor_person = PersonFactory(
        given_name=MENTOR_NAME[0],
        family_name=MENTOR_NAME[1],
        primary_email="mentor@example.org",
        country="DE",
    )
    pairing = engage(enrol_mentee(person=mentee_person), enrol_mentor(person=mentor_person))
    engaged_on = pairing.engaged_on
    run_due_tasks_twice(run_worker)

    # Every step runs the scheduler twice; the gaps between steps are pauses.
    checkin_day = pairing.checkin_due_on
    steps = [
        engaged_on + datetime.timedelta(days=1),
        checkin_day - datetime.timedelta(days=1),
        checkin_day,
        checkin_day + datetime.timedelta(days=1),
        # A pause of two weeks, past the check-in reminder's ten days.
        checkin_day + datetime.timedelta(days=15),
        checkin_day + datetime.timedelta(days=16),
        pairing.feedback_due_on,
        # A pause of three weeks, past the questionnaire reminder's two weeks.
        pairing.feedback_due_on + datetime.timedelta(days=21),
        pairing.feedback_due_on + datetime.timedelta(days=22),
        pairing.completion_due_on - datetime.timedelta(days=1),
        pairing.completion_due_on,
        # Four days without a run, then two days of runs.
        pairing.completion_due_on + datetime.timedelta(days=4),
        pairing.completion_due_on + datetime.timedelta(days=5),
    ]
    mentor_answer_path = None
    for day in steps:
        time_machine.move_to(datetime.datetime.combine(day, datetime.time(9, 0), datetime.UTC))
        run_due_tasks_twice(run_worker)
        time_machine.move_to(datetime.datetime.combine(day, datetime.time(17, 0), datetime.UTC))
        run_due_tasks_twice(run_worker)
        if day == checkin_day + datetime.timedelta(days=16):
            # After the reminder, the mentor answers through the reminder's link.
            reminder = Letter.objects.get(kind=LetterKind.CHECKIN_REMINDER, person=mentor_person)
            mentor_answer_path = ANSWER_LINK.findall(reminder.body)[0]
            client = Client()
            opened = client.get(mentor_answer_path)
            assert opened.status_code == 200
            assert CheckIn.objects.get(enrolment__role="mentor").answer == ""
            confirmed = client.post(mentor_answer_path)
            assert confirmed.status_code == 200

    assert mentor_answer_path is not None
    assert CheckIn.objects.get(enrolment__role="mentor").answer == CheckInAnswer.MET
    assert CheckIn.objects.get(enrolment__role="mentee").answer == ""
    assert received("mentee@example.org") == Counter(EXPECTED_PER_PERSON)
    assert received("mentor@example.org") == Counter(EXPECTED_PER_PERSON)

    pairing.refresh_from_db()
    assert pairing.status == "completed"
    assert pairing.engaged_on == engaged_on
    for person, name in ((mentee_person, MENTEE_NAME), (mentor_person, MENTOR_NAME)):
        certificate = Certificate.objects.get(person=person)
        message = next(
            message
            for message in mail.outbox
            if person.primary_email in message.to and certificate.code in message.body
        )
        assert [filename for filename, _, _ in message.attachments] == [
            f"certificate-{certificate.pk}.pdf"
        ]
        text = pdf_text(message.attachments[0][1])
        assert " ".join(name) in text
        assert certificate.code in text


# Certificate pages


@pytest.fixture
def certificate():
    person = PersonFactory(
        given_name="Nadia",
        family_name="Rahman",
        primary_email="nadia@example.org",
        institution="Hospital of Nowhere",
    )
    # Participants sign in only while they hold an enrolment.
    enrol_mentee(person=person)
    issued, _ = issue_certificate(
        source_key="pairing:9:mentee",
        person=person,
        role="mentee",
        starts_on=datetime.date(2027, 1, 15),
        ends_on=datetime.date(2028, 1, 15),
    )
    return issued


@pytest.mark.django_db
def test_verify_page_shows_name_role_dates_only(client, certificate):
    response = client.get(VERIFY_URL, {"code": certificate.code.lower().replace("-", " ")})

    page = response.content.decode()
    assert response.status_code == 200
    assert "This certificate is genuine" in page
    assert "Nadia Rahman" in page
    assert "Mentee" in page
    assert "15 January 2027" in page
    assert "15 January 2028" in page
    assert "nadia@example.org" not in page
    assert "Hospital of Nowhere" not in page
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"


@pytest.mark.django_db
def test_verify_page_without_code_shows_form(client):
    response = client.get(VERIFY_URL)

    assert response.status_code == 200
    assert 'name="code"' in response.content.decode()


@pytest.mark.django_db
def test_verify_page_unknown_code(client, certificate):
    response = client.get(VERIFY_URL, {"code": "ZZZZ-ZZZZ-ZZZZ"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "No certificate has the code ZZZZ-ZZZZ-ZZZZ" in page
    assert "Nadia Rahman" not in page


@pytest.mark.django_db
def test_verify_page_malformed_code_kept(client):
    response = client.get(VERIFY_URL, {"code": "not-a-code<b>"})

    page = response.content.decode()
    assert response.status_code == 400
    assert "This is not a certificate code" in page
    assert 'value="not-a-code&lt;b&gt;"' in page


@pytest.mark.django_db
def test_verify_page_rate_limited(client, certificate, monkeypatch):
    monkeypatch.setattr(year_views, "VERIFY_LIMIT_PER_HOUR", 2)
    for _ in range(2):
        client.get(VERIFY_URL, {"code": "ZZZZ-ZZZZ-ZZZZ"})

    response = client.get(VERIFY_URL, {"code": certificate.code})

    page = response.content.decode()
    assert response.status_code == 429
    assert "Too many certificates have been checked" in page
    assert "Nadia Rahman" not in page
    assert f'value="{certificate.code}"' in page


@pytest.mark.django_db
def test_certificate_download_own(client, certificate):
    Certificate.objects.filter(pk=certificate.pk).update(pdf=encrypt_pdf(b"%PDF-stored"))
    sign_in_as(client, certificate.person)

    response = client.get(reverse("year:certificate_pdf", args=[certificate.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content == b"%PDF-stored"
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_certificate_download_other_persons_404(client, certificate):
    Certificate.objects.filter(pk=certificate.pk).update(pdf=encrypt_pdf(b"%PDF-stored"))
    sign_in_as(client, enrol_mentee().application.person)

    response = client.get(reverse("year:certificate_pdf", args=[certificate.pk]))

    assert response.status_code == 404


@pytest.mark.django_db
def test_certificate_download_anonymous_signs_in(client, certificate):
    response = client.get(reverse("year:certificate_pdf", args=[certificate.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("meetings:sign_in")


@pytest.mark.django_db
def test_certificate_download_not_rendered_yet(client, certificate):
    sign_in_as(client, certificate.person)

    response = client.get(reverse("year:certificate_pdf", args=[certificate.pk]))

    assert response.status_code == 200
    assert "try again in a" in response.content.decode()
    assert response["Content-Type"].startswith("text/html")


# The portal's panels


@pytest.mark.django_db
def test_year_panels_show_open_checkin_and_certificates(certificate):
    from django.template import Context, Template

    from programme.matching.models import PairingStatus
    from tests.matching.factories import PairingFactory

    today = timezone.localdate()
    mentee = certificate.person.applications.get().enrolment
    pairing = PairingFactory(
        mentee_enrolment=mentee,
        mentor_enrolment=enrol_mentor(),
        status=PairingStatus.ENGAGED,
        checkin_due_on=today,
        completion_due_on=add_months(today, 11),
    )
    CheckIn.objects.create(pairing=pairing, enrolment=mentee, sent_on=today)

    html = Template("{% load year_portal %}{% year_panels person %}").render(
        Context({"person": certificate.person})
    )

    assert html.count('method="post"') == 3
    assert "We are in contact but have not met yet" in html
    assert reverse("year:certificate_pdf", args=[certificate.pk]) in html
    assert certificate.code in html


# Development fast-forward


@pytest.mark.django_db
def test_demo_advance_pairing_refused_without_debug(settings):
    from django.core.management.base import CommandError

    from tests.meetings.test_checkins import engaged_pairing

    settings.DEBUG = False
    pairing = engaged_pairing()

    with pytest.raises(CommandError, match="only when DEBUG is on"):
        call_command("demo_advance_pairing", pairing.pk, "--days", "40", stdout=io.StringIO())

    moved = type(pairing).objects.get(pk=pairing.pk)
    assert moved.engaged_on == pairing.engaged_on


@pytest.mark.django_db
def test_demo_advance_pairing_moves_dates(settings):
    from tests.meetings.test_checkins import engaged_pairing

    settings.DEBUG = True
    pairing = engaged_pairing()
    shift = datetime.timedelta(days=40)

    call_command("demo_advance_pairing", pairing.pk, "--days", "40", stdout=io.StringIO())

    moved = type(pairing).objects.get(pk=pairing.pk)
    assert moved.engaged_on == pairing.engaged_on - shift
    assert moved.checkin_due_on == pairing.checkin_due_on - shift
    assert moved.feedback_due_on == pairing.feedback_due_on - shift
    assert moved.completion_due_on == pairing.completion_due_on - shift


@pytest.mark.django_db
def test_demo_advance_pairing_makes_checkin_reminder_due(settings):
    from programme.meetings.checkins import send_due_checkin_reminders, send_due_checkins
    from tests.meetings.test_checkins import engaged_pairing

    settings.DEBUG = True
    today = timezone.localdate()
    pairing = engaged_pairing(engaged_on=today - datetime.timedelta(days=31))
    assert send_due_checkins(today) == 2
    assert send_due_checkin_reminders(today) == 0

    call_command("demo_advance_pairing", pairing.pk, "--days", "20", stdout=io.StringIO())

    sent = set(CheckIn.objects.filter(pairing=pairing).values_list("sent_on", flat=True))
    assert sent == {today - datetime.timedelta(days=20)}
    assert send_due_checkin_reminders(today) == 2


@pytest.mark.django_db
def test_demo_advance_pairing_unknown_pairing(settings):
    from django.core.management.base import CommandError

    settings.DEBUG = True

    with pytest.raises(CommandError, match="No pairing has the number 999"):
        call_command("demo_advance_pairing", 999, "--days", "40", stdout=io.StringIO())

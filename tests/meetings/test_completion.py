import datetime
import threading

import pypdfium2
import pytest
from django.core import mail
from django.db import connection, connections
from django.utils import timezone

from programme.core.models import AuditEvent
from programme.feedback.models import Invitation, Questionnaire
from programme.letters.models import Certificate, Letter, LetterKind
from programme.matching.models import Pairing, PairingStatus
from programme.matching.services import add_months
from programme.meetings.checkins import send_due_checkins
from programme.meetings.completion import complete_due_pairings
from programme.meetings.models import CheckIn
from programme.vetting.models import EnrolmentStatus
from tests.matching.test_consensus import enrol_mentee, enrol_mentor
from tests.matching.test_engagement import engage
from tests.meetings.test_checkins import engaged_pairing, named_pairing

pytestmark = pytest.mark.django_db


def year_ago(days: int = 0) -> datetime.date:
    """An engagement date about a year and ``days`` days ago, so completion is due."""
    return add_months(timezone.localdate(), -12) - datetime.timedelta(days=days)


def events(action: str, target) -> int:
    return AuditEvent.objects.filter(action=action, object_id=str(target.pk)).count()


def test_complete_due_pairings_completes_pairing():
    pairing = engaged_pairing(engaged_on=year_ago())

    completed = complete_due_pairings(pairing.completion_due_on)

    assert completed == 1
    pairing.refresh_from_db()
    assert pairing.status == PairingStatus.COMPLETED
    assert events("meetings.pairing.completed", pairing) == 1


def test_complete_due_pairings_not_before_due():
    pairing = engaged_pairing(engaged_on=year_ago())

    completed = complete_due_pairings(pairing.completion_due_on - datetime.timedelta(days=1))

    assert completed == 0
    pairing.refresh_from_db()
    assert pairing.status == PairingStatus.ENGAGED


def test_complete_due_pairings_ends_mentee_enrolment():
    pairing = engaged_pairing(engaged_on=year_ago())
    today = pairing.completion_due_on
    mentee = pairing.mentee_enrolment
    mentee.ends_on = today + datetime.timedelta(days=40)
    mentee.save()

    complete_due_pairings(today)

    mentee.refresh_from_db()
    assert mentee.status == EnrolmentStatus.ENDED
    assert mentee.ends_on == today
    assert events("meetings.enrolment.ended", mentee) == 1


def test_complete_due_pairings_keeps_earlier_mentee_end():
    pairing = engaged_pairing(engaged_on=year_ago(days=20))
    mentee = pairing.mentee_enrolment
    earlier_end = pairing.completion_due_on + datetime.timedelta(days=5)
    mentee.ends_on = earlier_end
    mentee.save()

    complete_due_pairings(pairing.completion_due_on + datetime.timedelta(days=20))

    mentee.refresh_from_db()
    assert mentee.ends_on == earlier_end


def test_complete_due_pairings_keeps_mentor_enrolment():
    pairing = engaged_pairing(engaged_on=year_ago())

    complete_due_pairings(pairing.completion_due_on)

    pairing.mentor_enrolment.refresh_from_db()
    assert pairing.mentor_enrolment.status == EnrolmentStatus.ACTIVE


def test_complete_due_pairings_frees_mentor_place():
    mentor = enrol_mentor(capacity=1)
    first = engage(enrol_mentee(), mentor)
    Pairing.objects.filter(pk=first.pk).update(completion_due_on=timezone.localdate())

    complete_due_pairings(timezone.localdate())
    second = engage(enrol_mentee(), mentor)

    assert second.status == PairingStatus.ENGAGED
    assert second.mentor_place == 1


def test_complete_due_pairings_invites_to_completion_questionnaire():
    pairing = engaged_pairing(engaged_on=year_ago())

    complete_due_pairings(pairing.completion_due_on)

    invitations = Invitation.objects.filter(pairing=pairing).order_by("role")
    assert [invitation.role for invitation in invitations] == ["mentee", "mentor"]
    assert {invitation.questionnaire.kind for invitation in invitations} == {"completion"}
    assert Letter.objects.filter(kind=LetterKind.QUESTIONNAIRE_INVITATION).count() == 2


def test_complete_due_pairings_issues_certificates():
    pairing = named_pairing(engaged_on=year_ago(days=3))

    complete_due_pairings(pairing.completion_due_on + datetime.timedelta(days=3))

    mentor_certificate = Certificate.objects.get(source_key=f"pairing:{pairing.pk}:mentor")
    mentee_certificate = Certificate.objects.get(source_key=f"pairing:{pairing.pk}:mentee")
    assert mentor_certificate.holder_name == "Paolo Conti"
    assert mentor_certificate.role == "mentor"
    assert mentee_certificate.holder_name == "Nadia Rahman"
    assert mentee_certificate.role == "mentee"
    assert mentee_certificate.person == pairing.mentee_enrolment.application.person
    assert mentee_certificate.starts_on == pairing.engaged_on
    assert mentee_certificate.ends_on == pairing.completion_due_on


def test_complete_due_pairings_queues_certificate_letters():
    pairing = named_pairing(engaged_on=year_ago())

    complete_due_pairings(pairing.completion_due_on)

    certificate = Certificate.objects.get(source_key=f"pairing:{pairing.pk}:mentee")
    letter = Letter.objects.get(idempotency_key=f"certificate:{certificate.pk}")
    assert letter.kind == LetterKind.CERTIFICATE
    assert letter.certificate == certificate
    assert letter.to_list == ["nadia@example.org"]
    assert letter.cc_list == ["nadia.home@example.net"]
    assert certificate.code in letter.body
    assert f"/certificates/verify/?code={certificate.code}" in letter.body


def test_complete_due_pairings_twice_completes_once():
    pairing = engaged_pairing(engaged_on=year_ago())
    complete_due_pairings(pairing.completion_due_on)

    again = complete_due_pairings(pairing.completion_due_on + datetime.timedelta(days=2))

    assert again == 0
    assert Certificate.objects.count() == 2
    assert Letter.objects.filter(kind=LetterKind.CERTIFICATE).count() == 2
    assert Invitation.objects.filter(pairing=pairing).count() == 2
    assert events("meetings.pairing.completed", pairing) == 1


def test_complete_due_pairings_skips_withdrawn_participant_certificate():
    pairing = engaged_pairing(engaged_on=year_ago())
    pairing.mentor_enrolment.status = EnrolmentStatus.WITHDRAWN
    pairing.mentor_enrolment.save()

    complete_due_pairings(pairing.completion_due_on)

    assert list(Certificate.objects.values_list("role", flat=True)) == ["mentee"]


def test_complete_due_pairings_skips_ended_pairing():
    pairing = engaged_pairing(engaged_on=year_ago())
    Pairing.objects.filter(pk=pairing.pk).update(status=PairingStatus.ENDED)

    completed = complete_due_pairings(pairing.completion_due_on)

    assert completed == 0
    assert Certificate.objects.count() == 0


def test_complete_due_pairings_recreates_deleted_questionnaire():
    pairing = engaged_pairing(engaged_on=year_ago())
    Questionnaire.objects.filter(kind="completion").delete()

    completed = complete_due_pairings(pairing.completion_due_on)

    assert completed == 1
    pairing.refresh_from_db()
    assert pairing.status == PairingStatus.COMPLETED
    assert Questionnaire.objects.filter(kind="completion").exists()
    assert Certificate.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_certificate_letter_sent_with_pdf(run_worker):
    pairing = named_pairing(engaged_on=year_ago())
    complete_due_pairings(pairing.completion_due_on)

    run_worker()

    certificate = Certificate.objects.get(source_key=f"pairing:{pairing.pk}:mentee")
    messages = [message for message in mail.outbox if message.to == ["nadia@example.org"]]
    certificate_messages = [m for m in messages if certificate.code in m.body]
    assert len(certificate_messages) == 1
    attachments = certificate_messages[0].attachments
    assert [name for name, _, _ in attachments] == [f"certificate-{certificate.pk}.pdf"]
    document = pypdfium2.PdfDocument(attachments[0][1])
    text = document[0].get_textpage().get_text_range()
    assert "Nadia Rahman" in text
    assert certificate.code in text


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks (select_for_update) are only real on PostgreSQL; SQLite admits one "
    "writer at a time, so there is no race to test",
)
def test_concurrent_sweeps_act_once():
    pairings = [engaged_pairing(engaged_on=year_ago()) for _ in range(5)]
    today = timezone.localdate()
    checkin_pairings = [
        engaged_pairing(engaged_on=today - datetime.timedelta(days=30)) for _ in range(3)
    ]
    barrier = threading.Barrier(2)
    outcomes = []

    def sweep() -> None:
        try:
            barrier.wait()
            outcomes.append((send_due_checkins(today), complete_due_pairings(today)))
        except Exception as error:  # recorded, so the test fails on it below
            outcomes.append(("crashed", f"{type(error).__name__}: {error}"))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [outcome for outcome in outcomes if outcome[0] == "crashed"] == []
    assert sum(completed for _, completed in outcomes) == len(pairings)
    assert sum(checkins for checkins, _ in outcomes) == 2 * len(checkin_pairings)
    assert CheckIn.objects.count() == 2 * len(checkin_pairings)
    assert Letter.objects.filter(kind=LetterKind.CHECKIN).count() == 2 * len(checkin_pairings)
    assert Pairing.objects.filter(status=PairingStatus.COMPLETED).count() == len(pairings)
    assert Certificate.objects.count() == 2 * len(pairings)
    assert Letter.objects.filter(kind=LetterKind.CERTIFICATE).count() == 2 * len(pairings)
    assert Invitation.objects.count() == 2 * len(pairings)

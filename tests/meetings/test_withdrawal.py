import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from programme.applications.models import ApplicationStatus
from programme.core.models import AuditEvent, ProgrammeSettings
from programme.letters.models import Letter, LetterKind
from programme.matching.models import MenteeOutcome, PairingStatus
from programme.matching.selectors import waiting_mentees
from programme.meetings.access import SESSION_PERSON
from programme.meetings.services import WithdrawalError, withdraw_participant
from programme.vetting.models import EnrolmentStatus
from tests.matching.factories import MenteeEnrolmentFactory
from tests.meetings.conftest import sign_in_as

pytestmark = pytest.mark.django_db

WITHDRAW_URL = reverse("meetings:withdraw")
REASON = "My new post leaves no time for meetings."


def test_withdraw_page_explains_and_changes_nothing(mentee_client, mentee_enrolment):
    response = mentee_client.get(WITHDRAW_URL)

    mentee_enrolment.refresh_from_db()
    content = response.content.decode()
    assert response.status_code == 200
    assert "your pairing with Paul Carter ends" in content
    assert "Withdraw from the programme" in content
    assert mentee_enrolment.status == EnrolmentStatus.ACTIVE


def test_withdraw_needs_reason(mentee_client, mentee_enrolment, pairing):
    response = mentee_client.post(WITHDRAW_URL, {"reason": "   "})

    mentee_enrolment.refresh_from_db()
    pairing.refresh_from_db()
    assert response.status_code == 400
    assert "Please tell us briefly why you are withdrawing." in response.content.decode()
    assert mentee_enrolment.status == EnrolmentStatus.ACTIVE
    assert pairing.status == PairingStatus.ENGAGED
    assert Letter.objects.count() == 0


def test_withdraw_too_long_reason_kept(mentee_client, mentee_enrolment):
    reason = "Too long. " * 201

    response = mentee_client.post(WITHDRAW_URL, {"reason": reason})

    mentee_enrolment.refresh_from_db()
    assert response.status_code == 400
    assert reason.strip() in response.content.decode()
    assert mentee_enrolment.status == EnrolmentStatus.ACTIVE


def test_mentee_withdraws_with_pairing(mentee_client, mentee_enrolment, pairing):
    response = mentee_client.post(WITHDRAW_URL, {"reason": REASON})

    mentee_enrolment.refresh_from_db()
    pairing.refresh_from_db()
    application = mentee_enrolment.application
    application.refresh_from_db()
    assert response.status_code == 200
    assert "You have withdrawn from the programme" in response.content.decode()
    assert application.status == ApplicationStatus.WITHDRAWN
    assert application.vetting_decisions.get().by_applicant is True
    assert mentee_enrolment.status == EnrolmentStatus.WITHDRAWN
    assert pairing.status == PairingStatus.ENDED
    assert pairing.mentee_outcome == MenteeOutcome.WITHDRAWN
    assert pairing.end_note == REASON


def test_mentee_withdrawal_letters(mentee_client, pairing):
    mentee_client.post(WITHDRAW_URL, {"reason": REASON})

    partner_letter = Letter.objects.get(kind=LetterKind.PAIRING_ENDED)
    notice = Letter.objects.get(kind=LetterKind.WITHDRAWAL_NOTICE)
    assert partner_letter.to_list == ["paul@example.org"]
    assert partner_letter.cc_list == ["paul.home@example.net"]
    assert notice.to_list == [ProgrammeSettings.objects.get_current().office_email]
    assert "Nadia Rahman (mentee)" in notice.body
    assert REASON in notice.body
    assert date_format(timezone.localdate(), "j F Y") in notice.body
    assert Letter.objects.count() == 2


def test_withdraw_signs_out(mentee_client, pairing):
    mentee_client.post(WITHDRAW_URL, {"reason": REASON})

    home = mentee_client.get(reverse("meetings:home"))

    assert SESSION_PERSON not in mentee_client.session
    assert home.status_code == 302


def test_withdrawn_participant_cannot_sign_in_again(client, mentee_client, mentee, pairing):
    mentee_client.post(WITHDRAW_URL, {"reason": REASON})
    sign_in_as(client, mentee)

    response = client.get(reverse("meetings:home"))

    assert response.status_code == 302


def test_mentor_withdrawal_requeues_mentee(mentor_client, mentee_enrolment, pairing):
    mentor_client.post(WITHDRAW_URL, {"reason": REASON})

    pairing.refresh_from_db()
    mentee_letter = Letter.objects.get(kind=LetterKind.PAIRING_ENDED)
    assert pairing.status == PairingStatus.ENDED
    assert pairing.mentee_outcome == MenteeOutcome.REQUEUED
    assert list(waiting_mentees()) == [mentee_enrolment]
    assert mentee_letter.to_list == ["nadia@example.org"]


def test_waiting_mentee_withdraws(client):
    enrolment = MenteeEnrolmentFactory()
    sign_in_as(client, enrolment.application.person)

    response = client.post(WITHDRAW_URL, {"reason": REASON})

    enrolment.refresh_from_db()
    assert response.status_code == 200
    assert enrolment.status == EnrolmentStatus.WITHDRAWN
    assert list(Letter.objects.values_list("kind", flat=True)) == [LetterKind.WITHDRAWAL_NOTICE]


def test_withdraw_writes_audit_event(mentee_client, mentee_enrolment, pairing):
    mentee_client.post(WITHDRAW_URL, {"reason": REASON})

    event = AuditEvent.objects.get(action="meetings.participant.withdrew")
    assert event.object_id == str(mentee_enrolment.pk)


def test_withdraw_proposed_pairing_ends_unnamed(mentee_client, mentee_enrolment, pairing):
    pairing.status = PairingStatus.PROPOSED
    pairing.mentor_place = None
    pairing.save()

    page = mentee_client.get(WITHDRAW_URL).content.decode()
    mentee_client.post(WITHDRAW_URL, {"reason": REASON})

    pairing.refresh_from_db()
    assert "Paul Carter" not in page
    assert pairing.status == PairingStatus.ENDED


def test_withdraw_participant_without_reason_rejected(mentee):
    with pytest.raises(WithdrawalError, match="why"):
        withdraw_participant(person=mentee, reason=" ")
    assert Letter.objects.count() == 0


def test_withdraw_participant_twice_rejected(mentee):
    withdraw_participant(person=mentee, reason=REASON)

    with pytest.raises(WithdrawalError, match="nothing to withdraw"):
        withdraw_participant(person=mentee, reason=REASON)
    assert Letter.objects.filter(kind=LetterKind.WITHDRAWAL_NOTICE).count() == 1

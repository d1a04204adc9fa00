import datetime
import io

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from programme.applications.models import ApplicationStatus
from programme.core.models import AuditEvent
from programme.core.roles import CORE_TEAM, OFFICE
from programme.letters.models import Letter, LetterKind
from programme.matching.models import EndReason, MenteeOutcome, PairingStatus
from programme.matching.selectors import waiting_mentees
from programme.matching.services import MatchingError, end_pairing, invite_reenrolment
from programme.vetting.models import EnrolmentStatus
from tests.core.staff import create_staff_user, signed_in_client
from tests.factories import PersonFactory
from tests.matching.test_consensus import enrol_mentee, enrol_mentor
from tests.matching.test_engagement import engage

pytestmark = pytest.mark.django_db


@pytest.fixture
def office():
    return create_staff_user("office", group=OFFICE)


def named_pair():
    mentee = enrol_mentee(
        person=PersonFactory(
            given_name="Nadia",
            family_name="Rahman",
            primary_email="nadia@example.org",
            secondary_email="nadia.home@example.net",
            country="GB",
        )
    )
    mentor = enrol_mentor(
        capacity=1,
        person=PersonFactory(
            given_name="Paolo",
            family_name="Conti",
            primary_email="paolo@example.org",
            secondary_email="paolo.home@example.net",
            country="IT",
        ),
    )
    return mentee, mentor


def end(pairing, office, outcome=MenteeOutcome.REQUEUED):
    return end_pairing(
        pairing=pairing,
        actor=office,
        reason=EndReason.CHEMISTRY,
        note="Both asked to stop after three meetings.",
        mentee_outcome=outcome,
    )


def test_end_pairing_records_end(office):
    pairing = engage(*named_pair())

    ended = end(pairing, office)

    assert ended.status == PairingStatus.ENDED
    assert ended.ended_on == timezone.localdate()
    assert ended.end_reason == EndReason.CHEMISTRY
    assert ended.end_note == "Both asked to stop after three meetings."
    assert ended.mentee_outcome == MenteeOutcome.REQUEUED
    events = AuditEvent.objects.filter(action="matching.pairing.ended", object_id=pairing.pk)
    assert events.count() == 1


def test_end_pairing_frees_mentor_place(office):
    mentee, mentor = named_pair()
    pairing = engage(mentee, mentor)

    end(pairing, office)
    next_pairing = engage(enrol_mentee(country="FR"), mentor)

    assert next_pairing.status == PairingStatus.ENGAGED
    assert next_pairing.mentor_place == 1


def test_end_pairing_sends_one_letter_each(office):
    pairing = engage(*named_pair())

    end(pairing, office)

    letters = {
        letter.idempotency_key: letter
        for letter in Letter.objects.filter(kind=LetterKind.PAIRING_ENDED)
    }
    assert sorted(letters) == [
        f"pairing-ended:{pairing.pk}:mentee",
        f"pairing-ended:{pairing.pk}:mentor",
    ]
    to_mentor = letters[f"pairing-ended:{pairing.pk}:mentor"]
    to_mentee = letters[f"pairing-ended:{pairing.pk}:mentee"]
    assert to_mentor.to_list == ["paolo@example.org"]
    assert to_mentor.cc_list == ["paolo.home@example.net"]
    assert "Nadia Rahman" in to_mentor.body
    assert "free again" in to_mentor.body
    assert to_mentee.to_list == ["nadia@example.org"]
    assert to_mentee.cc_list == ["nadia.home@example.net"]
    assert "Paolo Conti" in to_mentee.body
    assert "The pairing did not work out as hoped." in to_mentee.body
    assert "matching queue" in to_mentee.body


def test_end_pairing_note_not_in_letters(office):
    pairing = engage(*named_pair())

    end(pairing, office)

    for letter in Letter.objects.filter(kind=LetterKind.PAIRING_ENDED):
        assert "three meetings" not in letter.body


def test_end_pairing_requeued_mentee_waits(office):
    mentee, mentor = named_pair()
    pairing = engage(mentee, mentor)

    end(pairing, office)

    mentee.refresh_from_db()
    assert mentee.status == EnrolmentStatus.ACTIVE
    assert list(waiting_mentees()) == [mentee]


def test_end_pairing_withdrawn_mentee(office):
    mentee, mentor = named_pair()
    pairing = engage(mentee, mentor)

    end(pairing, office, outcome=MenteeOutcome.WITHDRAWN)

    mentee.refresh_from_db()
    mentee.application.refresh_from_db()
    assert mentee.status == EnrolmentStatus.WITHDRAWN
    assert mentee.application.status == ApplicationStatus.WITHDRAWN
    assert list(waiting_mentees()) == []
    to_mentee = Letter.objects.get(idempotency_key=f"pairing-ended:{pairing.pk}:mentee")
    assert "withdrawn from the programme" in to_mentee.body


def test_end_pairing_core_team_rejected():
    pairing = engage(*named_pair())
    member = create_staff_user("core-extra", group=CORE_TEAM)

    with pytest.raises(MatchingError, match="Only the office"):
        end(pairing, member)

    pairing.refresh_from_db()
    assert pairing.status == PairingStatus.ENGAGED
    assert Letter.objects.filter(kind=LetterKind.PAIRING_ENDED).count() == 0


def test_end_pairing_twice_rejected(office):
    pairing = engage(*named_pair())
    end(pairing, office)

    with pytest.raises(MatchingError, match="Only an engaged pairing can be ended"):
        end(pairing, office)

    assert Letter.objects.filter(kind=LetterKind.PAIRING_ENDED).count() == 2


def test_end_pairing_invalid_reason_rejected(office):
    pairing = engage(*named_pair())

    with pytest.raises(MatchingError, match="Invalid end reason"):
        end_pairing(
            pairing=pairing,
            actor=office,
            reason="boredom",
            note="",
            mentee_outcome=MenteeOutcome.REQUEUED,
        )


# Re-enrolment invitations.


def mentor_ending_in(days: int, **person):
    today = timezone.localdate()
    return enrol_mentor(
        starts_on=today - datetime.timedelta(days=3 * 365 - days),
        ends_on=today + datetime.timedelta(days=days),
        person=PersonFactory(country="DE", **person),
    )


def test_invite_reenrolment_mentor_term_ending_soon():
    soon = mentor_ending_in(20, primary_email="soon@example.org")
    mentor_ending_in(45)
    enrol_mentee()

    queued = invite_reenrolment(timezone.localdate())

    assert queued == 1
    letter = Letter.objects.get(kind=LetterKind.REENROLMENT_INVITATION)
    assert letter.idempotency_key == f"reenrolment:{soon.pk}"
    assert letter.to_list == ["soon@example.org"]
    assert "/mentors/renew/" in letter.body


def test_invite_reenrolment_once():
    mentor_ending_in(10)

    first = invite_reenrolment(timezone.localdate())
    second = invite_reenrolment(timezone.localdate() + datetime.timedelta(days=1))

    assert (first, second) == (1, 0)
    assert Letter.objects.filter(kind=LetterKind.REENROLMENT_INVITATION).count() == 1


def test_invite_reenrolment_skips_withdrawn_mentor():
    mentor = mentor_ending_in(10)
    mentor.status = EnrolmentStatus.WITHDRAWN
    mentor.save()

    assert invite_reenrolment(timezone.localdate()) == 0


@pytest.mark.django_db(transaction=True)
def test_run_due_tasks_invites_once(run_worker):
    mentor_ending_in(5)

    call_command("run_due_tasks", stdout=io.StringIO())
    run_worker()
    call_command("run_due_tasks", stdout=io.StringIO())
    run_worker()

    assert len(mail.outbox) == 1
    assert Letter.objects.filter(kind=LetterKind.REENROLMENT_INVITATION).count() == 1


# The end page.


def end_url(pairing) -> str:
    return reverse("admin:matching_pairing_end", args=[pairing.pk])


def test_end_page_office_ends_pairing(office):
    pairing = engage(*named_pair())
    client = signed_in_client(office)

    response = client.post(
        end_url(pairing),
        {"reason": EndReason.NO_CONTACT, "mentee_outcome": MenteeOutcome.REQUEUED, "note": ""},
    )

    pairing.refresh_from_db()
    assert response.status_code == 302
    assert pairing.status == PairingStatus.ENDED
    messages = [str(message) for message in get_messages(response.wsgi_request)]
    assert "has ended and the mentor's place is free" in messages[0]


def test_end_page_shows_names(office):
    pairing = engage(*named_pair())

    response = signed_in_client(office).get(end_url(pairing))

    content = response.content.decode()
    assert response.status_code == 200
    assert "Paolo Conti" in content
    assert "Nadia Rahman" in content
    assert "End the pairing and send the letters" in content


def test_end_page_missing_reason_shows_error(office):
    pairing = engage(*named_pair())

    response = signed_in_client(office).post(
        end_url(pairing), {"mentee_outcome": MenteeOutcome.REQUEUED}
    )

    pairing.refresh_from_db()
    assert response.status_code == 200
    assert response.context["form"].errors["reason"] == ["This field is required."]
    assert pairing.status == PairingStatus.ENGAGED


def test_end_page_ended_pairing_error_message(office):
    pairing = engage(*named_pair())
    end(pairing, office)

    response = signed_in_client(office).post(
        end_url(pairing),
        {"reason": EndReason.OTHER, "mentee_outcome": MenteeOutcome.REQUEUED, "note": ""},
    )

    messages = [str(message) for message in get_messages(response.wsgi_request)]
    assert messages == [
        "Only an engaged pairing can be ended, and this one's status is ended early. "
        "Nothing changed."
    ]


@pytest.mark.parametrize("method", ["get", "post"])
def test_end_page_core_team_forbidden(method):
    pairing = engage(*named_pair())
    client = signed_in_client(create_staff_user("core-extra", group=CORE_TEAM))

    response = getattr(client, method)(end_url(pairing))

    pairing.refresh_from_db()
    assert response.status_code == 403
    assert pairing.status == PairingStatus.ENGAGED


def test_pairing_list_links_office_to_end_page(office):
    pairing = engage(*named_pair())

    response = signed_in_client(office).get(reverse("admin:matching_pairing_changelist"))

    assert response.status_code == 200
    assert end_url(pairing) in response.content.decode()

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from programme.applications.models import Role
from programme.core.models import AuditEvent, ProgrammeSettings
from programme.feedback.models import Invitation, QuestionKind, Questionnaire, QuestionnaireKind
from programme.feedback.services import (
    FeedbackError,
    invitation_link,
    invite_pair_to_questionnaire,
    read_invitation_token,
    send_due_questionnaire_reminders,
    send_due_questionnaires,
)
from programme.letters.models import Letter, LetterKind
from programme.matching.models import PairingStatus
from programme.vetting.models import EnrolmentStatus
from tests.feedback.helpers import due_pairing, respond
from tests.matching.factories import PairingFactory

pytestmark = pytest.mark.django_db


def today() -> datetime.date:
    return timezone.localdate()


def test_send_due_questionnaires_invites_both(six_month):
    pairing = due_pairing()

    created = send_due_questionnaires(today())

    invitations = Invitation.objects.filter(pairing=pairing)
    assert created == 2
    assert sorted(invitations.values_list("role", flat=True)) == [Role.MENTEE, Role.MENTOR]
    assert set(invitations.values_list("questionnaire", flat=True)) == {six_month.pk}
    assert set(invitations.values_list("cycle", flat=True)) == {str(pairing.engaged_on.year)}


def test_send_due_questionnaires_queues_letter_per_invitation(six_month):
    pairing = due_pairing()

    send_due_questionnaires(today())

    for invitation in Invitation.objects.filter(pairing=pairing):
        letter = Letter.objects.get(idempotency_key=f"questionnaire:{invitation.pk}")
        person = invitation.enrolment.application.person
        assert letter.kind == LetterKind.QUESTIONNAIRE_INVITATION
        assert letter.to_addresses == person.primary_email
        assert letter.cc_addresses == person.secondary_email
        assert invitation_link(invitation) in letter.body
        assert six_month.title in letter.subject


def test_send_due_questionnaires_twice_creates_nothing_more():
    due_pairing()
    send_due_questionnaires(today())

    created = send_due_questionnaires(today())

    assert created == 0
    assert Invitation.objects.count() == 2
    assert Letter.objects.filter(kind=LetterKind.QUESTIONNAIRE_INVITATION).count() == 2


def test_send_due_questionnaires_after_pause_invites_once():
    due_pairing()
    send_due_questionnaires(today())

    created = send_due_questionnaires(today() + datetime.timedelta(days=40))

    assert created == 0
    assert Invitation.objects.count() == 2


def test_send_due_questionnaires_late_run_catches_up():
    pairing = due_pairing()
    pairing.feedback_due_on = today() - datetime.timedelta(days=30)
    pairing.save(update_fields=["feedback_due_on"])

    created = send_due_questionnaires(today())

    assert created == 2


def test_send_due_questionnaires_skips_not_yet_due():
    due_pairing(feedback_due_on=today() + datetime.timedelta(days=1))

    created = send_due_questionnaires(today())

    assert created == 0
    assert Invitation.objects.count() == 0


def test_send_due_questionnaires_skips_unengaged():
    PairingFactory(status=PairingStatus.PROPOSED, feedback_due_on=today())

    assert send_due_questionnaires(today()) == 0


def test_send_due_questionnaires_skips_withdrawn_enrolment():
    pairing = due_pairing()
    pairing.mentee_enrolment.status = EnrolmentStatus.WITHDRAWN
    pairing.mentee_enrolment.save(update_fields=["status"])

    created = send_due_questionnaires(today())

    assert created == 1
    assert Invitation.objects.get().role == Role.MENTOR


def test_send_due_questionnaires_mentor_with_two_mentees():
    first = due_pairing()
    second = due_pairing(mentor_enrolment=first.mentor_enrolment)

    created = send_due_questionnaires(today())

    assert created == 4
    assert Invitation.objects.filter(enrolment=first.mentor_enrolment).count() == 2
    assert Invitation.objects.filter(pairing=second).count() == 2


def test_send_due_questionnaires_records_events():
    due_pairing()

    send_due_questionnaires(today())

    assert AuditEvent.objects.filter(action="feedback.invitation.created").count() == 2


def queries_to_invite(pairing_count: int) -> int:
    """Count the queries that inviting this many due pairings takes, then retire them."""
    pairings = [due_pairing() for _ in range(pairing_count)]
    with CaptureQueriesContext(connection) as queries:
        send_due_questionnaires(today())
    for pairing in pairings:
        pairing.status = PairingStatus.COMPLETED
        pairing.save(update_fields=["status"])
    return len(queries)


def test_send_due_questionnaires_queries_grow_by_constant():
    # The first letter of each kind creates its template, and later ones only read it.
    queries_to_invite(1)

    one, two, three = (queries_to_invite(count) for count in (1, 2, 3))

    assert three - two == two - one
    assert two - one <= 30


def test_invite_pair_to_questionnaire_completion(completion):
    pairing = due_pairing()

    created = invite_pair_to_questionnaire(
        pairing=pairing, kind=QuestionnaireKind.COMPLETION, today=today()
    )

    assert created == 2
    assert set(
        Invitation.objects.filter(pairing=pairing).values_list("questionnaire", flat=True)
    ) == {completion.pk}


def test_invite_pair_to_questionnaire_idempotent():
    pairing = due_pairing()
    invite_pair_to_questionnaire(pairing=pairing, kind=QuestionnaireKind.COMPLETION, today=today())

    created = invite_pair_to_questionnaire(
        pairing=pairing, kind=QuestionnaireKind.COMPLETION, today=today()
    )

    assert created == 0
    assert Invitation.objects.count() == 2


def test_missing_questionnaire_recreated_from_defaults(completion):
    pairing = due_pairing()
    completion.delete()

    created = invite_pair_to_questionnaire(
        pairing=pairing, kind=QuestionnaireKind.COMPLETION, today=today()
    )

    assert created == 2
    recreated = Questionnaire.objects.get(kind=QuestionnaireKind.COMPLETION)
    assert recreated.questions.filter(kind=QuestionKind.LIKERT).count() == 10


def test_invite_pair_to_unknown_kind_raises():
    with pytest.raises(FeedbackError):
        invite_pair_to_questionnaire(pairing=due_pairing(), kind="yearly", today=today())


def test_invitation_link_reads_back():
    pairing = due_pairing()
    send_due_questionnaires(today())
    invitation = Invitation.objects.filter(pairing=pairing).first()

    token = invitation_link(invitation).rstrip("/").rsplit("/", 1)[1]

    assert read_invitation_token(token) == invitation


# Reminders.


def reminder_day() -> datetime.date:
    days = ProgrammeSettings.objects.get_current().questionnaire_reminder_after_days
    return today() + datetime.timedelta(days=days)


def test_reminders_not_before_period():
    due_pairing()
    send_due_questionnaires(today())

    sent = send_due_questionnaire_reminders(reminder_day() - datetime.timedelta(days=1))

    assert sent == 0


def test_reminders_sent_once_after_period():
    due_pairing()
    send_due_questionnaires(today())

    first = send_due_questionnaire_reminders(reminder_day())
    second = send_due_questionnaire_reminders(reminder_day() + datetime.timedelta(days=30))

    assert first == 2
    assert second == 0
    assert Letter.objects.filter(kind=LetterKind.QUESTIONNAIRE_REMINDER).count() == 2
    for invitation in Invitation.objects.all():
        letter = Letter.objects.get(idempotency_key=f"questionnaire-reminder:{invitation.pk}")
        assert invitation.reminded_on == reminder_day()
        assert invitation_link(invitation) in letter.body


def test_reminders_skip_responded():
    pairing = due_pairing()
    send_due_questionnaires(today())
    respond(Invitation.objects.get(pairing=pairing, role=Role.MENTOR))

    sent = send_due_questionnaire_reminders(reminder_day())

    assert sent == 1
    assert Invitation.objects.get(reminded_on__isnull=False).role == Role.MENTEE


def test_reminders_skip_withdrawn():
    pairing = due_pairing()
    send_due_questionnaires(today())
    pairing.mentor_enrolment.status = EnrolmentStatus.WITHDRAWN
    pairing.mentor_enrolment.save(update_fields=["status"])

    sent = send_due_questionnaire_reminders(reminder_day())

    assert sent == 1

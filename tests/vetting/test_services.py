import datetime

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from programme.applications.models import ApplicationStatus, CareerStage
from programme.core.models import AuditEvent, ProgrammeSettings
from programme.letters.models import Letter, LetterBatch, LetterKind, LetterState
from programme.vetting.models import Decision, Enrolment, EnrolmentStatus, VettingDecision
from programme.vetting.services import (
    VettingError,
    add_years,
    decide_eligible,
    decide_in_bulk,
    decide_not_eligible,
    request_information,
    withdraw_application,
)
from tests.factories import ApplicationFactory, PersonFactory
from tests.vetting.factories import EnrolmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer():
    return User.objects.create_user("vetting-officer", is_staff=True)


@pytest.fixture
def mentor_application():
    person = PersonFactory(
        given_name="Jonas",
        family_name="Berg",
        primary_email="jonas@example.org",
        secondary_email="jonas.home@example.net",
    )
    return ApplicationFactory(mentor=True, person=person, capacity=2)


@pytest.fixture
def mentee_application():
    person = PersonFactory(
        given_name="Maria",
        family_name="Rossi",
        primary_email="maria@example.org",
        secondary_email="maria.home@example.net",
        institution="Ospedale Esempio",
    )
    return ApplicationFactory(
        person=person,
        head_of_department_name="Prof. Giulia Bianchi",
        head_of_department_email="giulia@example.com",
    )


def letter_date(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def test_add_years_leap_day_becomes_28_february():
    result = add_years(datetime.date(2028, 2, 29), 1)

    assert result == datetime.date(2029, 2, 28)


def test_decide_eligible_enrols_mentor_for_mentor_term(mentor_application, officer):
    today = timezone.localdate()

    enrolment = decide_eligible(application=mentor_application, actor=officer)

    mentor_application.refresh_from_db()
    assert mentor_application.status == ApplicationStatus.ELIGIBLE
    assert enrolment.role == "mentor"
    assert enrolment.status == EnrolmentStatus.ACTIVE
    assert enrolment.starts_on == today
    assert enrolment.ends_on == add_years(today, 3) - datetime.timedelta(days=1)


def test_decide_eligible_term_follows_settings(mentee_application, officer):
    programme = ProgrammeSettings.objects.get_current()
    programme.mentee_term_years = 2
    programme.save()
    today = timezone.localdate()

    enrolment = decide_eligible(application=mentee_application, actor=officer)

    assert enrolment.ends_on == add_years(today, 2) - datetime.timedelta(days=1)


def test_decide_eligible_mentor_letter(mentor_application, officer):
    enrolment = decide_eligible(application=mentor_application, actor=officer)

    letter = Letter.objects.get()
    assert letter.kind == LetterKind.ENROLMENT_MENTOR
    assert letter.idempotency_key == f"enrolment:{mentor_application.pk}"
    assert letter.to_list == ["jonas@example.org"]
    assert letter.cc_list == ["jonas.home@example.net"]
    assert letter.state == LetterState.APPROVED
    assert letter.batch is None
    assert "Dear Jonas Berg," in letter.body
    assert letter_date(enrolment.ends_on) in letter.body
    assert "you can take at a time: 2." in letter.body
    assert "http://testserver/tips/" in letter.body


def test_decide_eligible_mentee_letters(mentee_application, officer):
    enrolment = decide_eligible(application=mentee_application, actor=officer)

    welcome = Letter.objects.get(kind=LetterKind.ENROLMENT_MENTEE)
    head = Letter.objects.get(kind=LetterKind.HEAD_OF_DEPARTMENT)
    assert welcome.to_list == ["maria@example.org"]
    assert welcome.cc_list == ["maria.home@example.net"]
    assert "Prof. Giulia Bianchi" in welcome.body
    assert head.idempotency_key == f"head-of-department:{mentee_application.pk}"
    assert head.to_list == ["giulia@example.com"]
    assert head.cc_list == []
    assert head.state == LetterState.APPROVED
    assert "Dear Prof. Giulia Bianchi," in head.body
    assert "Maria Rossi of Ospedale Esempio" in head.body
    assert letter_date(enrolment.starts_on) in head.body


def test_decide_eligible_mentee_without_head_address_one_letter(officer):
    application = ApplicationFactory(head_of_department_name="", head_of_department_email="")

    decide_eligible(application=application, actor=officer)

    assert list(Letter.objects.values_list("kind", flat=True)) == [LetterKind.ENROLMENT_MENTEE]


def test_decide_eligible_records_decision_and_event(mentee_application, officer):
    decide_eligible(application=mentee_application, actor=officer, reason="Clear fit.")

    decision = VettingDecision.objects.get()
    event = AuditEvent.objects.get(action="vetting.application.eligible")
    assert decision.decision == Decision.ELIGIBLE
    assert decision.decided_by == officer
    assert decision.reason == "Clear fit."
    assert event.actor == officer
    assert event.object_id == str(mentee_application.pk)


def test_decide_eligible_twice_one_letter(mentor_application, officer):
    decide_eligible(application=mentor_application, actor=officer)

    with pytest.raises(VettingError, match="already eligible"):
        decide_eligible(application=mentor_application, actor=officer)

    assert Letter.objects.count() == 1
    assert Enrolment.objects.count() == 1
    assert VettingDecision.objects.count() == 1


def test_decide_eligible_stale_instance_raises(mentor_application, officer):
    stale_copy = type(mentor_application).objects.get(pk=mentor_application.pk)
    decide_eligible(application=mentor_application, actor=officer)

    with pytest.raises(VettingError):
        decide_eligible(application=stale_copy, actor=officer)

    assert Letter.objects.count() == 1


def test_decide_not_eligible_letter_quotes_reason(mentee_application, officer):
    reason = "You are in your second year of training; trainees join from the fourth."

    decide_not_eligible(application=mentee_application, actor=officer, reason=reason)

    mentee_application.refresh_from_db()
    letter = Letter.objects.get()
    assert mentee_application.status == ApplicationStatus.NOT_ELIGIBLE
    assert letter.kind == LetterKind.NOT_ELIGIBLE
    assert letter.idempotency_key == f"not-eligible:{mentee_application.pk}"
    assert letter.to_list == ["maria@example.org"]
    assert letter.cc_list == ["maria.home@example.net"]
    assert letter.state == LetterState.APPROVED
    assert "Dear Maria Rossi," in letter.body
    assert reason in letter.body
    assert "as a mentee" in letter.body
    assert Enrolment.objects.count() == 0


def test_decide_not_eligible_blank_reason_raises(mentee_application, officer):
    with pytest.raises(VettingError, match="reason is missing"):
        decide_not_eligible(application=mentee_application, actor=officer, reason="  ")

    mentee_application.refresh_from_db()
    assert mentee_application.status == ApplicationStatus.SUBMITTED
    assert Letter.objects.count() == 0


def test_decide_not_eligible_twice_one_letter(mentee_application, officer):
    decide_not_eligible(application=mentee_application, actor=officer, reason="Not a member.")

    with pytest.raises(VettingError, match="already not eligible"):
        decide_not_eligible(application=mentee_application, actor=officer, reason="Not a member.")

    assert Letter.objects.count() == 1


def test_request_information_letter_and_status(mentee_application, officer):
    decision = request_information(
        application=mentee_application, actor=officer, reason="Which year of training are you in?"
    )

    mentee_application.refresh_from_db()
    letter = Letter.objects.get()
    assert mentee_application.status == ApplicationStatus.INFORMATION_REQUESTED
    assert letter.kind == LetterKind.INFORMATION_REQUESTED
    assert letter.idempotency_key == f"information-requested:{mentee_application.pk}:{decision.pk}"
    assert "Which year of training are you in?" in letter.body
    assert letter.state == LetterState.APPROVED


def test_request_information_new_question_new_letter(mentee_application, officer):
    request_information(application=mentee_application, actor=officer, reason="First question?")

    request_information(application=mentee_application, actor=officer, reason="Second question?")

    assert Letter.objects.filter(kind=LetterKind.INFORMATION_REQUESTED).count() == 2


def test_request_information_same_question_twice_raises(mentee_application, officer):
    request_information(application=mentee_application, actor=officer, reason="Your year?")

    with pytest.raises(VettingError, match="already waits for an answer"):
        request_information(application=mentee_application, actor=officer, reason="Your year?")

    assert Letter.objects.count() == 1


def test_decide_eligible_after_information_requested(mentee_application, officer):
    request_information(application=mentee_application, actor=officer, reason="Your year?")

    decide_eligible(application=mentee_application, actor=officer)

    mentee_application.refresh_from_db()
    assert mentee_application.status == ApplicationStatus.ELIGIBLE
    assert Letter.objects.count() == 3


def test_withdraw_by_office_ends_enrolment(officer):
    enrolment = EnrolmentFactory()
    today = timezone.localdate()

    decision = withdraw_application(
        application=enrolment.application,
        actor=officer,
        reason="Asked by telephone.",
        by_applicant=False,
    )

    enrolment.refresh_from_db()
    enrolment.application.refresh_from_db()
    assert enrolment.application.status == ApplicationStatus.WITHDRAWN
    assert enrolment.status == EnrolmentStatus.WITHDRAWN
    assert enrolment.ends_on == today
    assert decision.decision == Decision.WITHDRAWN
    assert decision.decided_by == officer
    assert decision.by_applicant is False
    assert AuditEvent.objects.filter(action="vetting.application.withdrawn").count() == 1
    assert AuditEvent.objects.filter(action="vetting.enrolment.withdrawn").count() == 1


def test_withdraw_by_applicant_records_no_actor(mentee_application):
    decision = withdraw_application(application=mentee_application, reason="", by_applicant=True)

    assert decision.decided_by is None
    assert decision.by_applicant is True
    assert Letter.objects.count() == 0


def test_withdraw_twice_changes_nothing(mentee_application):
    withdraw_application(application=mentee_application, reason="", by_applicant=True)

    second = withdraw_application(application=mentee_application, reason="", by_applicant=True)

    assert second is None
    assert VettingDecision.objects.count() == 1


def test_withdraw_not_eligible_raises(mentee_application, officer):
    decide_not_eligible(application=mentee_application, actor=officer, reason="Not a member.")

    with pytest.raises(VettingError, match="already closed"):
        withdraw_application(application=mentee_application, reason="", by_applicant=True)

    mentee_application.refresh_from_db()
    assert mentee_application.status == ApplicationStatus.NOT_ELIGIBLE


def test_withdraw_deletes_draft_letters_of_bulk_decision(mentee_application, officer):
    decide_in_bulk(
        applications=[mentee_application], decision=Decision.ELIGIBLE, actor=officer, reason=""
    )

    withdraw_application(application=mentee_application, reason="", by_applicant=True)

    assert Letter.objects.count() == 0


def test_decide_in_bulk_eligible_one_batch_of_drafts(officer):
    mentees = ApplicationFactory.create_batch(2)
    mentor = ApplicationFactory(mentor=True)

    result = decide_in_bulk(
        applications=[*mentees, mentor], decision=Decision.ELIGIBLE, actor=officer, reason=""
    )

    assert LetterBatch.objects.count() == 1
    assert len(result.decided) == 3
    assert result.skipped == []
    assert result.batch.letters.count() == 5
    assert set(Letter.objects.values_list("state", flat=True)) == {LetterState.DRAFT}
    assert Enrolment.objects.count() == 3


def test_decide_in_bulk_not_eligible_letters_quote_reason(officer):
    applications = ApplicationFactory.create_batch(3, membership_status="not_member")

    result = decide_in_bulk(
        applications=applications,
        decision=Decision.NOT_ELIGIBLE,
        actor=officer,
        reason="Only society members can take part.",
    )

    letters = list(Letter.objects.all())
    assert len(letters) == 3
    assert {letter.batch_id for letter in letters} == {result.batch.pk}
    assert all("Only society members can take part." in letter.body for letter in letters)
    assert result.batch.kind == LetterKind.NOT_ELIGIBLE


def test_decide_in_bulk_skips_decided_application(officer):
    decided = ApplicationFactory()
    decide_not_eligible(application=decided, actor=officer, reason="Not a member.")
    waiting = ApplicationFactory()

    result = decide_in_bulk(
        applications=[decided, waiting], decision=Decision.ELIGIBLE, actor=officer, reason=""
    )

    assert [application.pk for application in result.decided] == [waiting.pk]
    assert [application.pk for application, _ in result.skipped] == [decided.pk]
    assert "already not eligible" in result.skipped[0][1]
    assert result.batch.letters.count() == 2


def test_decide_in_bulk_nothing_decidable_creates_no_batch(officer):
    application = ApplicationFactory(status=ApplicationStatus.WITHDRAWN)

    result = decide_in_bulk(
        applications=[application], decision=Decision.ELIGIBLE, actor=officer, reason=""
    )

    assert result.batch is None
    assert LetterBatch.objects.count() == 0
    assert len(result.skipped) == 1


def test_decide_in_bulk_missing_reason_changes_nothing(officer):
    application = ApplicationFactory()

    with pytest.raises(VettingError):
        decide_in_bulk(
            applications=[application],
            decision=Decision.INFORMATION_REQUESTED,
            actor=officer,
            reason="",
        )

    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert LetterBatch.objects.count() == 0


def test_decide_in_bulk_withdrawn_decision_rejected(officer):
    application = ApplicationFactory()

    with pytest.raises(VettingError, match="Invalid bulk decision"):
        decide_in_bulk(
            applications=[application], decision=Decision.WITHDRAWN, actor=officer, reason="x"
        )

    assert VettingDecision.objects.count() == 0


def test_trainee_mentee_enrolment_letter_names_head(officer):
    application = ApplicationFactory(
        career_stage=CareerStage.TRAINEE,
        training_year=5,
        consultant_years=None,
        head_of_department_name="Dr Ana Lima",
    )

    decide_eligible(application=application, actor=officer)

    welcome = Letter.objects.get(kind=LetterKind.ENROLMENT_MENTEE)
    assert "We are also writing to Dr Ana Lima" in welcome.body


def test_decide_in_bulk_repeated_question_no_empty_batch(officer):
    application = ApplicationFactory()
    request_information(application=application, actor=officer, reason="Your year?")

    result = decide_in_bulk(
        applications=[application],
        decision=Decision.INFORMATION_REQUESTED,
        actor=officer,
        reason="Your year?",
    )

    assert result.batch is None
    assert LetterBatch.objects.count() == 0
    assert len(result.skipped) == 1

import datetime

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core import mail

from programme.core.models import AuditEvent, ProgrammeSettings
from programme.core.roles import CORE_TEAM
from programme.letters.models import Letter, LetterKind, LetterState
from programme.matching.models import Pairing, PairingReview, PairingStatus, Verdict
from programme.matching.services import (
    MatchingError,
    add_months,
    propose_pairing,
    review_pairing,
)
from programme.vetting.models import EnrolmentStatus
from tests.factories import PersonFactory
from tests.matching.test_consensus import core_team, enrol_mentee, enrol_mentor

pytestmark = pytest.mark.django_db


def engage(mentee, mentor):
    """Propose and approve a pairing with a core team of two; return the engaged pairing."""
    proposer, reviewer = core_team_of_two()
    pairing = propose_pairing(mentee=mentee, mentor=mentor, proposer=proposer)
    return review_pairing(pairing=pairing, reviewer=reviewer, verdict=Verdict.APPROVE)


def core_team_of_two():
    """The two core-team members created by an earlier call, or two new ones."""
    members = list(User.objects.filter(groups__name=CORE_TEAM).order_by("pk"))
    return members if len(members) == 2 else core_team(2)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (datetime.date(2027, 1, 15), 6, datetime.date(2027, 7, 15)),
        (datetime.date(2027, 8, 31), 6, datetime.date(2028, 2, 29)),
        (datetime.date(2027, 1, 31), 1, datetime.date(2027, 2, 28)),
        (datetime.date(2027, 12, 1), 12, datetime.date(2028, 12, 1)),
    ],
)
def test_add_months_calendar(start, months, expected):
    assert add_months(start, months) == expected


def test_engage_sets_due_dates():
    programme = ProgrammeSettings.objects.get_current()
    programme.checkin_after_days = 30
    programme.feedback_after_months = 6
    programme.completion_after_months = 12
    programme.save()
    mentee, mentor = enrol_mentee(), enrol_mentor()

    with time_machine.travel(datetime.datetime(2026, 8, 31, 10, tzinfo=datetime.UTC)):
        pairing = engage(mentee, mentor)

    assert pairing.status == PairingStatus.ENGAGED
    assert pairing.engaged_on == datetime.date(2026, 8, 31)
    assert pairing.checkin_due_on == datetime.date(2026, 9, 30)
    assert pairing.feedback_due_on == datetime.date(2027, 2, 28)
    assert pairing.completion_due_on == datetime.date(2027, 8, 31)


def test_engage_takes_lowest_free_place_and_copies_capacity():
    mentor = enrol_mentor(capacity=3)
    first = engage(enrol_mentee(), mentor)
    second = engage(enrol_mentee(country="FR"), mentor)
    Pairing.objects.filter(pk=first.pk).update(status=PairingStatus.ENDED)

    third = engage(enrol_mentee(country="IT"), mentor)

    assert (first.mentor_place, second.mentor_place, third.mentor_place) == (1, 2, 1)
    assert third.mentor_capacity == 3


def test_engage_records_event():
    pairing = engage(enrol_mentee(), enrol_mentor())

    events = AuditEvent.objects.filter(action="matching.pairing.engaged", object_id=pairing.pk)
    assert events.count() == 1


def test_engage_queues_one_letter_to_both_with_cc():
    mentee = enrol_mentee(
        person=PersonFactory(
            given_name="Aiko",
            family_name="Tanaka",
            primary_email="aiko@example.org",
            secondary_email="aiko.home@example.net",
            country="GB",
        ),
        specific_needs="Help with my first research grant.",
        area_research=True,
    )
    mentor = enrol_mentor(
        person=PersonFactory(
            given_name="Lukas",
            family_name="Brandt",
            primary_email="lukas@example.org",
            secondary_email="lukas.home@example.net",
            country="DE",
            institution="Klinikum Example",
        )
    )

    pairing = engage(mentee, mentor)

    letters = Letter.objects.filter(kind=LetterKind.ENGAGEMENT)
    assert letters.count() == 1
    letter = letters.get()
    assert letter.idempotency_key == f"engagement:{pairing.pk}"
    assert letter.to_list == ["lukas@example.org", "aiko@example.org"]
    assert letter.cc_list == ["lukas.home@example.net", "aiko.home@example.net"]
    assert letter.state == LetterState.APPROVED
    for text in (
        "Lukas Brandt",
        "Aiko Tanaka",
        "lukas@example.org, lukas.home@example.net",
        "aiko@example.org, aiko.home@example.net",
        "Klinikum Example",
        "Germany",
        "United Kingdom",
        "Help with my first research grant.",
        "Research",
    ):
        assert text in letter.body, text


def test_engage_letter_quotes_minimum_meetings_and_dates():
    programme = ProgrammeSettings.objects.get_current()
    programme.minimum_meetings = 6
    programme.save()

    with time_machine.travel(datetime.datetime(2026, 3, 2, 10, tzinfo=datetime.UTC)):
        engage(enrol_mentee(), enrol_mentor())

    body = Letter.objects.get(kind=LetterKind.ENGAGEMENT).body
    assert "at least 6 times" in body
    assert "1 April 2026" in body
    assert "2 September 2026" in body
    assert "2 March 2027" in body
    assert "/tips/" in body


def test_engage_full_mentor_rejected_nothing_written():
    proposer, reviewer = core_team(2)
    mentor = enrol_mentor(capacity=1)
    first = propose_pairing(mentee=enrol_mentee(), mentor=mentor, proposer=proposer)
    second = propose_pairing(
        mentee=enrol_mentee(country="FR"),
        mentor=mentor,
        proposer=proposer,
        override_reason="The first proposal may be objected to.",
    )
    review_pairing(pairing=first, reviewer=reviewer, verdict=Verdict.APPROVE)

    with pytest.raises(MatchingError, match="This mentor has no free place") as raised:
        review_pairing(pairing=second, reviewer=reviewer, verdict=Verdict.APPROVE)

    assert "nothing was recorded" in str(raised.value)
    second.refresh_from_db()
    assert second.status == PairingStatus.PROPOSED
    assert second.mentor_place is None
    assert PairingReview.objects.filter(pairing=second).count() == 0
    assert Letter.objects.filter(kind=LetterKind.ENGAGEMENT).count() == 1


def test_engage_withdrawn_mentee_rejected():
    proposer, reviewer = core_team(2)
    mentee = enrol_mentee()
    pairing = propose_pairing(mentee=mentee, mentor=enrol_mentor(), proposer=proposer)
    mentee.status = EnrolmentStatus.WITHDRAWN
    mentee.save()

    with pytest.raises(MatchingError, match="mentee's enrolment is withdrawn"):
        review_pairing(pairing=pairing, reviewer=reviewer, verdict=Verdict.APPROVE)

    pairing.refresh_from_db()
    assert pairing.status == PairingStatus.PROPOSED


def test_review_pairing_already_engaged_names_member():
    proposer, first, second = core_team(3)
    programme = ProgrammeSettings.objects.get_current()
    programme.consensus_approvals = 1
    programme.save()
    pairing = propose_pairing(mentee=enrol_mentee(), mentor=enrol_mentor(), proposer=proposer)
    review_pairing(pairing=pairing, reviewer=first, verdict=Verdict.APPROVE)

    with pytest.raises(MatchingError, match="engaged a moment ago by core-1"):
        review_pairing(pairing=pairing, reviewer=second, verdict=Verdict.APPROVE)

    assert PairingReview.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_engagement_letter_sent_once(run_worker):
    engage(enrol_mentee(), enrol_mentor())

    run_worker()
    run_worker()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert len(message.to) == 2
    assert len(message.cc) == 2
    assert Letter.objects.get(kind=LetterKind.ENGAGEMENT).state == LetterState.SENT

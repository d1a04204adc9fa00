import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from programme.core.roles import CORE_TEAM, OFFICE
from programme.matching.models import Pairing
from programme.matching.plan import plan_matches, propose_plan
from tests.core.staff import create_staff_user, signed_in_client
from tests.matching.factories import MenteeEnrolmentFactory, MentorEnrolmentFactory, PairingFactory

pytestmark = pytest.mark.django_db

PLAN_URL = reverse("admin:matching_waitingmentee_plan")


def mentee(days_ago: int, *, lacks_local: bool = False, **kwargs):
    return MenteeEnrolmentFactory(
        application__submitted_at=timezone.now() - datetime.timedelta(days=days_ago),
        application__lacks_local_mentoring=lacks_local,
        **kwargs,
    )


def planned(rows) -> list[tuple[int, int | None]]:
    return [(row.mentee.pk, row.suggestion.mentor_id if row.suggestion else None) for row in rows]


@pytest.fixture
def core_member():
    return create_staff_user("core-member", group=CORE_TEAM)


def test_plan_matches_fills_capacity_in_queue_order():
    later, earlier, priority = mentee(5), mentee(20), mentee(1, lacks_local=True)
    best = MentorEnrolmentFactory(application__capacity=1, application__practice_years=30)
    second = MentorEnrolmentFactory(application__capacity=1, application__practice_years=10)

    rows = plan_matches()

    assert planned(rows) == [(priority.pk, best.pk), (earlier.pk, second.pk), (later.pk, None)]


def test_plan_matches_counts_existing_pairings():
    waiting = mentee(5)
    full = MentorEnrolmentFactory(application__capacity=1, application__practice_years=30)
    PairingFactory(mentor_enrolment=full)
    free = MentorEnrolmentFactory(application__capacity=1, application__practice_years=6)

    rows = plan_matches()

    assert planned(rows) == [(waiting.pk, free.pk)]


def test_plan_matches_fills_mentor_to_capacity():
    first, second, third = mentee(30), mentee(20), mentee(10)
    mentor = MentorEnrolmentFactory(application__capacity=2)

    rows = plan_matches()

    assert planned(rows) == [(first.pk, mentor.pk), (second.pk, mentor.pk), (third.pk, None)]


def test_plan_matches_skips_rule_breakers():
    waiting = mentee(5)
    MentorEnrolmentFactory(application__person__country="IT", application__practice_years=30)
    eligible = MentorEnrolmentFactory(application__practice_years=5)

    rows = plan_matches()

    assert planned(rows) == [(waiting.pk, eligible.pk)]


def test_plan_matches_skips_objected_pair():
    waiting = mentee(5)
    objected = MentorEnrolmentFactory(application__practice_years=30)
    other = MentorEnrolmentFactory(application__practice_years=5)
    PairingFactory(mentee_enrolment=waiting, mentor_enrolment=objected, status="objected")

    rows = plan_matches()

    assert planned(rows) == [(waiting.pk, other.pk)]


def test_plan_matches_limit_takes_head_of_queue():
    first, _ = mentee(30), mentee(10)
    MentorEnrolmentFactory()

    rows = plan_matches(limit=1)

    assert [row.mentee.pk for row in rows] == [first.pk]


def test_propose_plan_reports_failures(core_member):
    first, second = mentee(30), mentee(10)
    mentor = MentorEnrolmentFactory(application__capacity=1)

    outcome = propose_plan(
        choices=[(first.pk, mentor.pk), (second.pk, mentor.pk)], proposer=core_member
    )

    assert [pairing.mentee_enrolment_id for pairing in outcome.proposed] == [first.pk]
    assert [(failure.mentee_id, failure.mentor_id) for failure in outcome.failed] == [
        (second.pk, mentor.pk)
    ]
    assert "free place" in outcome.failed[0].reason.lower()


def test_plan_page_proposes_ticked_rows(core_member):
    client = signed_in_client(core_member)
    first, second = mentee(30), mentee(10)
    mentor_a, mentor_b = MentorEnrolmentFactory(), MentorEnrolmentFactory()

    response = client.post(PLAN_URL, {"pair": [f"{first.pk}-{mentor_a.pk}"]})

    assert response.status_code == 302
    assert list(Pairing.objects.values_list("mentee_enrolment", "mentor_enrolment")) == [
        (first.pk, mentor_a.pk)
    ]
    assert second.mentee_pairings.count() == 0
    assert mentor_b.mentor_pairings.count() == 0


def test_plan_page_shows_rows(core_member):
    client = signed_in_client(core_member)
    waiting = mentee(5)
    mentor = MentorEnrolmentFactory()

    response = client.get(PLAN_URL)

    _position, row, shown_mentor = response.context["rows"][0]
    assert response.status_code == 200
    assert row.mentee == waiting
    assert shown_mentor == mentor
    assert f'value="{waiting.pk}-{mentor.pk}"' in response.content.decode()


@pytest.mark.parametrize("count", [1, 3])
def test_plan_page_query_count_constant(core_member, django_assert_num_queries, count):
    client = signed_in_client(core_member)
    for days in range(count):
        mentee(days + 1)
        MentorEnrolmentFactory()

    # Session, user, TOTP device, permissions (two), the mentees, their facts,
    # the mentors' pairing counts and facts, the earlier pairings, the earlier
    # objections and the planned mentors' names.
    with django_assert_num_queries(12):
        response = client.get(PLAN_URL)

    assert len(response.context["rows"]) == count


def test_plan_page_office_forbidden():
    client = signed_in_client(create_staff_user("office-member", group=OFFICE))

    response = client.get(PLAN_URL)

    assert response.status_code == 403


def test_plan_page_anonymous_sent_to_login(client):
    response = client.get(PLAN_URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_plan_page_empty_queue(core_member):
    client = signed_in_client(core_member)

    response = client.get(PLAN_URL)

    assert response.status_code == 200
    assert "nothing to plan" in response.content.decode()


def test_plan_page_nothing_ticked(core_member):
    client = signed_in_client(core_member)
    mentee(5)

    response = client.post(PLAN_URL, {})

    assert response.status_code == 302
    assert Pairing.objects.count() == 0

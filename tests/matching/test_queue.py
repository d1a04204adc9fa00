import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from programme.core.roles import CORE_TEAM, OFFICE
from programme.matching.models import PairingStatus
from programme.matching.selectors import (
    available_mentors,
    engagement_times,
    figures_by_month,
    waiting_applications,
    waiting_count,
    waiting_mentees,
)
from programme.vetting.models import EnrolmentStatus
from tests.core.staff import create_staff_user, signed_in_client
from tests.matching.factories import MenteeEnrolmentFactory, MentorEnrolmentFactory, PairingFactory

pytestmark = pytest.mark.django_db

QUEUE_URL = reverse("admin:matching_waitingmentee_changelist")
FIGURES_URL = reverse("admin:matching_waitingmentee_figures")


def submitted(days_ago: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days_ago)


def mentee(days_ago: int, *, lacks_local: bool = False, **kwargs):
    return MenteeEnrolmentFactory(
        application__submitted_at=submitted(days_ago),
        application__lacks_local_mentoring=lacks_local,
        **kwargs,
    )


@pytest.fixture
def core_client():
    return signed_in_client(create_staff_user("core-member", group=CORE_TEAM))


def test_waiting_mentees_priority_first():
    early = mentee(20)
    priority = mentee(5, lacks_local=True)

    assert list(waiting_mentees()) == [priority, early]


def test_waiting_mentees_then_by_date():
    later = mentee(5)
    earlier = mentee(20)

    assert list(waiting_mentees()) == [earlier, later]


def test_waiting_mentees_then_by_id():
    moment = submitted(7)
    first = MenteeEnrolmentFactory(application__submitted_at=moment)
    second = MenteeEnrolmentFactory(application__submitted_at=moment)

    assert list(waiting_mentees()) == [first, second]


def test_waiting_mentees_leaves_out_paired_and_inactive():
    waiting = mentee(3)
    PairingFactory(mentee_enrolment=mentee(10))
    PairingFactory(mentee_enrolment=mentee(11), engaged=True)
    mentee(12, status=EnrolmentStatus.WITHDRAWN)
    MentorEnrolmentFactory()

    assert list(waiting_mentees()) == [waiting]


def test_queue_page_reads_agree_with_waiting_mentees():
    moment = submitted(7)
    expected = [
        mentee(30),
        mentee(2, lacks_local=True),
        MenteeEnrolmentFactory(application__submitted_at=moment),
        MenteeEnrolmentFactory(application__submitted_at=moment),
        mentee(10),
    ]
    PairingFactory(mentee_enrolment=mentee(11), engaged=True)
    PairingFactory(mentee_enrolment=mentee(12))
    PairingFactory(mentee_enrolment=mentee(13), status=PairingStatus.ENDED)
    mentee(14, status=EnrolmentStatus.WITHDRAWN)
    MentorEnrolmentFactory()

    in_order = list(waiting_mentees())
    assert len(in_order) == 6
    assert [row["enrolment__id"] for row in waiting_applications()] == [e.pk for e in in_order]
    assert waiting_count() == len(in_order)
    assert set(expected) < set(in_order)


def test_waiting_mentees_requeued_mentee_keeps_place():
    first, second, third = mentee(30), mentee(20), mentee(10)
    PairingFactory(mentee_enrolment=first, status=PairingStatus.ENDED)
    PairingFactory(mentee_enrolment=second, status=PairingStatus.OBJECTED)

    assert list(waiting_mentees()) == [first, second, third]


def test_available_mentors_leaves_out_full_and_short_terms():
    free = MentorEnrolmentFactory(application__capacity=2)
    PairingFactory(mentor_enrolment=free)
    full = MentorEnrolmentFactory(application__capacity=1)
    PairingFactory(mentor_enrolment=full, engaged=True)
    MentorEnrolmentFactory(ends_on=timezone.localdate() + datetime.timedelta(days=100))
    MentorEnrolmentFactory(status=EnrolmentStatus.ENDED)

    mentors = list(available_mentors())

    assert mentors == [free]
    assert mentors[0].active_count == 1
    assert mentors[0].engaged_count == 0


def test_engagement_times_days_from_application():
    application_day = timezone.localdate() - datetime.timedelta(days=40)
    pairing = PairingFactory(
        engaged=True,
        mentee_enrolment__application__submitted_at=timezone.make_aware(
            datetime.datetime.combine(application_day, datetime.time(12))
        ),
    )

    times = engagement_times()

    assert [(time.pairing_id, time.days) for time in times] == [(pairing.pk, 40)]


def test_figures_by_month_mean_and_range():
    times = engagement_times()
    pairings = [PairingFactory(engaged=True) for _ in range(3)]
    for pairing, (engaged_on, days) in zip(
        pairings,
        [
            (datetime.date(2026, 3, 5), 51),
            (datetime.date(2026, 3, 20), 68),
            (datetime.date(2026, 4, 2), 9),
        ],
        strict=True,
    ):
        submitted_on = engaged_on - datetime.timedelta(days=days)
        application = pairing.mentee_enrolment.application
        application.submitted_at = timezone.make_aware(
            datetime.datetime.combine(submitted_on, datetime.time(9))
        )
        application.save(update_fields=["submitted_at"])
        pairing.engaged_on = engaged_on
        pairing.save(update_fields=["engaged_on"])

    figures = figures_by_month(engagement_times())

    assert times == []
    assert [(f.month, f.count, f.mean_days, f.min_days, f.max_days) for f in figures] == [
        (datetime.date(2026, 3, 1), 2, 59.5, 51, 68),
        (datetime.date(2026, 4, 1), 1, 9.0, 9, 9),
    ]


def test_queue_page_core_team_sees_mentee(core_client):
    waiting = mentee(
        12,
        application__specific_needs="Help with head and neck oncology reporting.",
        application__wants_academic_mentor=True,
    )

    response = core_client.get(QUEUE_URL)

    assert response.status_code == 200
    row = response.context["rows"][0]
    assert row.enrolment_id == waiting.pk
    assert row.days_waiting == 12
    person = waiting.application.person
    assert row.name == f"{person.given_name} {person.family_name}"
    page = response.content.decode()
    assert "Help with head and neck oncology reporting." in page
    assert (
        f'href="{reverse("admin:matching_waitingmentee_suggestions", args=[waiting.pk])}"' in page
    )


def test_queue_page_office_sees_places_but_cannot_propose():
    waiting = mentee(3)
    client = signed_in_client(create_staff_user("office-member", group=OFFICE))

    response = client.get(QUEUE_URL)

    assert response.status_code == 200
    assert response.context["rows"][0].enrolment_id == waiting.pk
    page = response.content.decode()
    assert reverse("admin:matching_waitingmentee_suggestions", args=[waiting.pk]) not in page
    assert reverse("admin:matching_waitingmentee_plan") not in page
    suggestions = client.get(
        reverse("admin:matching_waitingmentee_suggestions", args=[waiting.pk])
    )
    assert suggestions.status_code == 403


def test_queue_page_anonymous_sent_to_login(client):
    response = client.get(QUEUE_URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("count", [1, 3])
def test_queue_page_query_count_constant(core_client, django_assert_num_queries, count):
    for days in range(count):
        mentee(days + 1)
        PairingFactory(engaged=True)

    # Session, user, TOTP device, permissions (two), the two counts, the page
    # of mentees, the engagement summary and, with the cache empty, the times.
    with django_assert_num_queries(10):
        response = core_client.get(QUEUE_URL)

    assert len(response.context["rows"]) == count


def test_queue_page_paginates_at_25(core_client):
    for days in range(26):
        MenteeEnrolmentFactory(application__submitted_at=submitted(days + 1))

    response = core_client.get(QUEUE_URL, {"page": 2})

    assert len(response.context["rows"]) == 1
    assert response.context["rows"][0].position == 26


def test_admin_index_shows_queue_to_core_team(core_client):
    response = core_client.get(reverse("admin:index"))

    assert QUEUE_URL in response.content.decode()
    assert "Matching queue" in response.content.decode()


def test_admin_index_lists_queue_for_office():
    client = signed_in_client(create_staff_user("office-member", group=OFFICE))

    response = client.get(reverse("admin:index"))

    assert QUEUE_URL in response.content.decode()


@pytest.mark.parametrize("role", [OFFICE, CORE_TEAM])
def test_figures_page_open_to_both_roles(role):
    client = signed_in_client(create_staff_user("member", group=role))
    PairingFactory(engaged=True)

    response = client.get(FIGURES_URL)

    assert response.status_code == 200
    assert len(response.context["times"]) == 1


@pytest.mark.parametrize("count", [1, 3])
def test_pairing_list_query_count_constant(core_client, django_assert_num_queries, count):
    for _ in range(count):
        PairingFactory(engaged=True)

    # Session, user, TOTP device, permissions (two), the count twice and the page.
    with django_assert_num_queries(8):
        response = core_client.get(reverse("admin:matching_pairing_changelist"))

    assert response.status_code == 200


def test_queue_page_empty_says_nobody_waits(core_client):
    response = core_client.get(QUEUE_URL)

    assert response.status_code == 200
    assert "Nobody is waiting for a mentor." in response.content.decode()
    assert "No pairing has been engaged yet" in response.content.decode()


def test_queue_figures_follow_new_engagement(core_client):
    first = PairingFactory(engaged=True)
    core_client.get(QUEUE_URL)

    PairingFactory(engaged=True)
    response = core_client.get(QUEUE_URL)

    assert sum(month.count for month in response.context["figures"]) == 2
    assert first.engaged_on is not None

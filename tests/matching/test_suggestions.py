import pytest
from django.urls import reverse

from programme.core.roles import CORE_TEAM, OFFICE
from programme.matching.models import Pairing, PairingReview, PairingStatus, Verdict
from programme.matching.suggestions import rank_mentors
from programme.vetting.models import Enrolment
from tests.core.staff import create_staff_user, signed_in_client
from tests.matching.factories import MenteeEnrolmentFactory, MentorEnrolmentFactory, PairingFactory

pytestmark = pytest.mark.django_db


def suggestions_url(enrolment) -> str:
    return reverse("admin:matching_waitingmentee_suggestions", args=[enrolment.pk])


@pytest.fixture
def core_client():
    return signed_in_client(create_staff_user("core-member", group=CORE_TEAM))


def test_rank_mentors_orders_by_score():
    mentee = MenteeEnrolmentFactory(
        application__area_research=True, application__wants_academic_mentor=True
    )
    weaker = MentorEnrolmentFactory(application__interest_research=False)
    stronger = MentorEnrolmentFactory(
        application__area_research=True, application__interest_research=True
    )

    ranked = rank_mentors(mentee)

    assert [suggestion.mentor_id for suggestion in ranked] == [stronger.pk, weaker.pk]
    assert ranked[0].score > ranked[1].score


def test_rank_mentors_puts_rule_breakers_last():
    mentee = MenteeEnrolmentFactory(application__area_research=True)
    same_country = MentorEnrolmentFactory(
        application__area_research=True, application__person__country="IT"
    )
    eligible = MentorEnrolmentFactory(application__area_research=False)

    ranked = rank_mentors(mentee)

    assert [suggestion.mentor_id for suggestion in ranked] == [eligible.pk, same_country.pk]
    assert ranked[1].eligible is False
    assert [rule.code for rule in ranked[1].broken_rules] == ["different_countries"]


def test_rank_mentors_ties_prefer_lighter_load():
    mentee = MenteeEnrolmentFactory()
    busy = MentorEnrolmentFactory(application__capacity=3, application__practice_years=14)
    PairingFactory(mentor_enrolment=busy, engaged=True)
    # Four fewer load points, made up by eight more years of practice.
    idle = MentorEnrolmentFactory(application__capacity=3, application__practice_years=6)

    ranked = rank_mentors(mentee)

    assert ranked[0].score == ranked[1].score
    assert [suggestion.mentor_id for suggestion in ranked] == [idle.pk, busy.pk]


def test_rank_mentors_given_mentors_only():
    mentee = MenteeEnrolmentFactory()
    chosen = MentorEnrolmentFactory()
    MentorEnrolmentFactory()

    ranked = rank_mentors(mentee, mentors=Enrolment.objects.filter(pk=chosen.pk))

    assert [suggestion.mentor_id for suggestion in ranked] == [chosen.pk]


def test_rank_mentors_query_count_constant(django_assert_num_queries):
    mentee = MenteeEnrolmentFactory()
    for _ in range(5):
        PairingFactory(mentor_enrolment=MentorEnrolmentFactory(), status=PairingStatus.ENDED)

    with django_assert_num_queries(4):
        ranked = rank_mentors(mentee)

    assert len(ranked) == 5


def test_suggestions_page_lists_rules_and_criteria(core_client):
    mentee = MenteeEnrolmentFactory()
    mentor = MentorEnrolmentFactory(application__person__country="IT")

    response = core_client.get(suggestions_url(mentee))

    row = response.context["rows"][0]
    assert response.status_code == 200
    assert row.mentor == mentor
    assert len(row.suggestion.hard_rules) == 6
    assert len(row.suggestion.criteria) == 5
    assert 'name="override_reason"' in response.content.decode()


@pytest.mark.parametrize("count", [1, 3])
def test_suggestions_page_query_count_constant(core_client, django_assert_num_queries, count):
    mentee = MenteeEnrolmentFactory()
    for _ in range(count):
        MentorEnrolmentFactory()

    # Session, user, TOTP device, permissions (two), the mentee, the four
    # ranking queries, the shown mentors' names and earlier objections.
    with django_assert_num_queries(12):
        response = core_client.get(suggestions_url(mentee))

    assert len(response.context["rows"]) == count


def test_suggestions_page_proposes_mentor(core_client):
    mentee, mentor = MenteeEnrolmentFactory(), MentorEnrolmentFactory()

    response = core_client.post(
        suggestions_url(mentee), {"mentor": mentor.pk, "note": "Both work on larynx imaging."}
    )

    pairing = Pairing.objects.get()
    assert response.status_code == 302
    assert pairing.mentor_enrolment == mentor
    assert pairing.proposal_note == "Both work on larynx imaging."


def test_suggestions_page_rule_breach_needs_reason(core_client):
    mentee = MenteeEnrolmentFactory()
    mentor = MentorEnrolmentFactory(application__person__country="IT")

    response = core_client.post(suggestions_url(mentee), {"mentor": mentor.pk})

    assert response.status_code == 200
    assert Pairing.objects.count() == 0
    assert "although a hard rule is broken" in response.context["error"]
    block = response.content.decode().split(f'id="mentor-{mentor.pk}"')[1]
    assert '<ul class="errorlist" role="alert">' in block


def test_suggestions_page_override_with_reason(core_client):
    mentee = MenteeEnrolmentFactory()
    mentor = MentorEnrolmentFactory(application__person__country="IT")

    core_client.post(
        suggestions_url(mentee),
        {"mentor": mentor.pk, "override_reason": "Only Italian-speaking laryngology expert."},
    )

    pairing = Pairing.objects.get()
    assert pairing.overridden_rules == ["different_countries"]
    assert pairing.override_reason == "Only Italian-speaking laryngology expert."


def test_suggestions_page_paired_mentee_back_to_queue(core_client):
    pairing = PairingFactory()

    response = core_client.get(suggestions_url(pairing.mentee_enrolment))

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:matching_waitingmentee_changelist")


def test_suggestions_page_office_forbidden():
    client = signed_in_client(create_staff_user("office-member", group=OFFICE))

    response = client.get(suggestions_url(MenteeEnrolmentFactory()))

    assert response.status_code == 403


def test_suggestions_page_anonymous_sent_to_login(client):
    response = client.get(suggestions_url(MenteeEnrolmentFactory()))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_suggestions_page_without_mentors(core_client):
    response = core_client.get(suggestions_url(MenteeEnrolmentFactory()))

    assert response.status_code == 200
    assert "There is no active mentor to suggest." in response.content.decode()


def test_suggestions_page_unknown_mentee_back_to_queue(core_client):
    response = core_client.get(reverse("admin:matching_waitingmentee_suggestions", args=[999999]))

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:matching_waitingmentee_changelist")


def test_suggestions_page_shows_earlier_objection(core_client):
    mentee = MenteeEnrolmentFactory()
    mentor = MentorEnrolmentFactory()
    pairing = PairingFactory(
        mentee_enrolment=mentee, mentor_enrolment=mentor, status=PairingStatus.OBJECTED
    )
    objector = create_staff_user("objector", group=CORE_TEAM)
    PairingReview.objects.create(
        pairing=pairing, reviewer=objector, verdict=Verdict.OBJECT, reason="Too far apart."
    )

    response = core_client.get(suggestions_url(mentee))

    row = next(row for row in response.context["rows"] if row.mentor.pk == mentor.pk)
    assert [review.reason for review in row.objections] == ["Too far apart."]
    assert "objector objected to this pairing on" in response.content.decode()

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from programme.applications.models import ApplicationStatus
from programme.core.models import AuditEvent, ProgrammeSettings
from programme.core.roles import CORE_TEAM, OFFICE
from programme.matching.models import Pairing, PairingReview, PairingStatus, Verdict
from programme.matching.selectors import waiting_mentees
from programme.matching.services import (
    MatchingError,
    approvals_needed,
    propose_pairing,
    review_pairing,
)
from programme.vetting.models import EnrolmentStatus
from tests.core.staff import create_staff_user, signed_in_client
from tests.factories import ApplicationFactory, PersonFactory
from tests.vetting.factories import EnrolmentFactory

pytestmark = pytest.mark.django_db


def enrol_mentee(*, country: str = "GB", person=None, **answers):
    person = person or PersonFactory(country=country)
    application = ApplicationFactory(person=person, status=ApplicationStatus.ELIGIBLE, **answers)
    return EnrolmentFactory(application=application)


def enrol_mentor(*, country: str = "DE", capacity: int = 1, person=None, **enrolment):
    """An active mentor enrolment that started a month ago and ends about three years from now."""
    person = person or PersonFactory(country=country)
    application = ApplicationFactory(
        person=person, mentor=True, capacity=capacity, status=ApplicationStatus.ELIGIBLE
    )
    enrolment.setdefault("ends_on", timezone.localdate() + datetime.timedelta(days=3 * 365))
    return EnrolmentFactory(application=application, **enrolment)


def core_team(count: int):
    return [create_staff_user(f"core-{number}", group=CORE_TEAM) for number in range(count)]


def events(action: str, pairing: Pairing) -> int:
    return AuditEvent.objects.filter(action=action, object_id=str(pairing.pk)).count()


def set_consensus_approvals(value: int | None) -> None:
    programme = ProgrammeSettings.objects.get_current()
    programme.consensus_approvals = value
    programme.save()


# approvals_needed


def test_approvals_needed_every_other_member_by_default():
    proposer, *_ = core_team(3)

    assert approvals_needed(proposer=proposer) == 2


def test_approvals_needed_ignores_inactive_members():
    proposer, _, inactive = core_team(3)
    inactive.is_active = False
    inactive.save()

    assert approvals_needed(proposer=proposer) == 1


def test_approvals_needed_uses_setting():
    proposer, *_ = core_team(4)
    set_consensus_approvals(1)

    assert approvals_needed(proposer=proposer) == 1


def test_approvals_needed_setting_capped_at_other_members():
    proposer, *_ = core_team(2)
    set_consensus_approvals(5)

    assert approvals_needed(proposer=proposer) == 1


def test_approvals_needed_setting_zero_still_one():
    proposer, *_ = core_team(2)
    set_consensus_approvals(0)

    assert approvals_needed(proposer=proposer) == 1


def test_approvals_needed_only_member_zero():
    (proposer,) = core_team(1)
    set_consensus_approvals(2)

    assert approvals_needed(proposer=proposer) == 0


# propose_pairing


def test_propose_pairing_creates_proposal():
    proposer, *_ = core_team(2)
    mentee, mentor = enrol_mentee(), enrol_mentor()

    pairing = propose_pairing(mentee=mentee, mentor=mentor, proposer=proposer, note="Both teach.")

    assert pairing.status == PairingStatus.PROPOSED
    assert pairing.proposed_by == proposer
    assert pairing.proposal_note == "Both teach."
    assert pairing.overridden_rules == []
    assert events("matching.pairing.proposed", pairing) == 1


def test_propose_pairing_sole_member_engages_at_once():
    (proposer,) = core_team(1)

    pairing = propose_pairing(mentee=enrol_mentee(), mentor=enrol_mentor(), proposer=proposer)

    assert pairing.status == PairingStatus.ENGAGED
    assert pairing.mentor_place == 1


def test_propose_pairing_mentee_already_proposed_rejected():
    proposer, *_ = core_team(2)
    mentee = enrol_mentee()
    propose_pairing(mentee=mentee, mentor=enrol_mentor(), proposer=proposer)

    with pytest.raises(MatchingError, match="already has a proposed pairing"):
        propose_pairing(mentee=mentee, mentor=enrol_mentor(country="FR"), proposer=proposer)

    assert Pairing.objects.count() == 1


def test_propose_pairing_without_permission_rejected():
    office = create_staff_user("office", group=OFFICE)

    with pytest.raises(MatchingError, match="Only members of the core team"):
        propose_pairing(mentee=enrol_mentee(), mentor=enrol_mentor(), proposer=office)

    assert Pairing.objects.count() == 0


def test_propose_pairing_roles_swapped_rejected():
    proposer, *_ = core_team(2)

    with pytest.raises(MatchingError, match="right roles"):
        propose_pairing(mentee=enrol_mentor(), mentor=enrol_mentee(), proposer=proposer)


# Hard rules: each one blocks a proposal without a written override reason.


def broken_capacity(proposer):
    mentor = enrol_mentor(capacity=1)
    other_member = core_team_others(proposer)[0]
    filled = propose_pairing(mentee=enrol_mentee(country="FR"), mentor=mentor, proposer=proposer)
    review_pairing(pairing=filled, reviewer=other_member, verdict=Verdict.APPROVE)
    return enrol_mentee(), mentor


def broken_term(proposer):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    mentor = enrol_mentor(
        starts_on=yesterday - datetime.timedelta(days=365),
        ends_on=yesterday,
        status=EnrolmentStatus.ENDED,
    )
    return enrol_mentee(), mentor


def broken_different_people(proposer):
    person = PersonFactory(country="GB")
    return enrol_mentee(person=person), enrol_mentor(person=person)


def broken_different_countries(proposer):
    return enrol_mentee(country="IT"), enrol_mentor(country="IT")


def broken_not_paired_before(proposer):
    mentee, mentor = enrol_mentee(), enrol_mentor(capacity=2)
    other_member = core_team_others(proposer)[0]
    earlier = propose_pairing(mentee=mentee, mentor=mentor, proposer=proposer)
    review_pairing(pairing=earlier, reviewer=other_member, verdict=Verdict.APPROVE)
    Pairing.objects.filter(pk=earlier.pk).update(status=PairingStatus.ENDED)
    return mentee, mentor


def core_team_others(proposer):
    return [user for user in core_team_members() if user.pk != proposer.pk]


def core_team_members():
    from django.contrib.auth.models import User

    return User.objects.filter(groups__name=CORE_TEAM).order_by("pk")


BROKEN_RULES = {
    "capacity": broken_capacity,
    "term": broken_term,
    "different_people": broken_different_people,
    "different_countries": broken_different_countries,
    "not_paired_before": broken_not_paired_before,
}


@pytest.mark.parametrize("code", BROKEN_RULES)
def test_propose_pairing_broken_rule_blocked(code):
    proposer, _ = core_team(2)
    mentee, mentor = BROKEN_RULES[code](proposer)
    pairings_before = Pairing.objects.count()

    with pytest.raises(MatchingError, match="breaks these rules") as raised:
        propose_pairing(mentee=mentee, mentor=mentor, proposer=proposer)

    assert "although a hard rule is broken" in str(raised.value)
    assert Pairing.objects.count() == pairings_before


@pytest.mark.parametrize("code", BROKEN_RULES)
def test_propose_pairing_broken_rule_overridden(code):
    proposer, _ = core_team(2)
    mentee, mentor = BROKEN_RULES[code](proposer)

    pairing = propose_pairing(
        mentee=mentee,
        mentor=mentor,
        proposer=proposer,
        override_reason="The mentee asked for exactly this expertise.",
    )

    pairing.refresh_from_db()
    assert pairing.status == PairingStatus.PROPOSED
    assert code in pairing.overridden_rules
    assert pairing.override_reason == "The mentee asked for exactly this expertise."
    assert events("matching.rule.overridden", pairing) == 1


def test_propose_pairing_rules_met_ignores_override_reason():
    proposer, _ = core_team(2)

    pairing = propose_pairing(
        mentee=enrol_mentee(),
        mentor=enrol_mentor(),
        proposer=proposer,
        override_reason="Not needed.",
    )

    assert pairing.overridden_rules == []
    assert pairing.override_reason == ""
    assert events("matching.rule.overridden", pairing) == 0


# review_pairing


def test_review_pairing_approvals_engage():
    proposer, first, second = core_team(3)
    pairing = propose_pairing(mentee=enrol_mentee(), mentor=enrol_mentor(), proposer=proposer)

    after_first = review_pairing(pairing=pairing, reviewer=first, verdict=Verdict.APPROVE)
    assert after_first.status == PairingStatus.PROPOSED
    after_second = review_pairing(pairing=pairing, reviewer=second, verdict=Verdict.APPROVE)

    assert after_second.status == PairingStatus.ENGAGED
    assert events("matching.pairing.approved", pairing) == 2
    assert events("matching.pairing.engaged", pairing) == 1


def test_review_pairing_setting_one_approval_engages():
    proposer, first, _ = core_team(3)
    set_consensus_approvals(1)
    pairing = propose_pairing(mentee=enrol_mentee(), mentor=enrol_mentor(), proposer=proposer)

    reviewed = review_pairing(pairing=pairing, reviewer=first, verdict=Verdict.APPROVE)

    assert reviewed.status == PairingStatus.ENGAGED


def test_review_pairing_objection_closes_and_requeues():
    proposer, first, _ = core_team(3)
    mentee = enrol_mentee()
    pairing = propose_pairing(mentee=mentee, mentor=enrol_mentor(), proposer=proposer)

    reviewed = review_pairing(
        pairing=pairing, reviewer=first, verdict=Verdict.OBJECT, reason="Different subspecialty."
    )

    assert reviewed.status == PairingStatus.OBJECTED
    assert events("matching.pairing.objected", pairing) == 1
    assert list(waiting_mentees()) == [mentee]


def test_review_pairing_after_objection_rejected():
    proposer, first, second = core_team(3)
    pairing = propose_pairing(mentee=enrol_mentee(), mentor=enrol_mentor(), proposer=proposer)
    review_pairing(pairing=pairing, reviewer=first, verdict=Verdict.OBJECT, reason="No.")

    with pytest.raises(MatchingError, match="objected to this proposal"):
        review_pairing(pairing=pairing, reviewer=second, verdict=Verdict.APPROVE)

    assert PairingReview.objects.count() == 1


def test_review_pairing_objection_needs_reason():
    proposer, first, _ = core_team(3)
    pairing = propose_pairing(mentee=enrol_mentee(), mentor=enrol_mentor(), proposer=proposer)

    with pytest.raises(MatchingError, match="reason is missing"):
        review_pairing(pairing=pairing, reviewer=first, verdict=Verdict.OBJECT, reason="  ")

    pairing.refresh_from_db()
    assert pairing.status == PairingStatus.PROPOSED
    assert PairingReview.objects.count() == 0


def test_review_pairing_proposer_rejected():
    proposer, *_ = core_team(3)
    pairing = propose_pairing(mentee=enrol_mentee(), mentor=enrol_mentor(), proposer=proposer)

    with pytest.raises(MatchingError, match="You proposed this pairing"):
        review_pairing(pairing=pairing, reviewer=proposer, verdict=Verdict.APPROVE)

    assert PairingReview.objects.count() == 0


def test_review_pairing_twice_rejected():
    proposer, first, _ = core_team(3)
    pairing = propose_pairing(mentee=enrol_mentee(), mentor=enrol_mentor(), proposer=proposer)
    review_pairing(pairing=pairing, reviewer=first, verdict=Verdict.APPROVE)

    with pytest.raises(MatchingError, match="already reviewed this proposal"):
        review_pairing(pairing=pairing, reviewer=first, verdict=Verdict.APPROVE)

    assert PairingReview.objects.count() == 1


def test_review_pairing_office_user_rejected():
    proposer, _ = core_team(2)
    office = create_staff_user("office", group=OFFICE)
    pairing = propose_pairing(mentee=enrol_mentee(), mentor=enrol_mentor(), proposer=proposer)

    with pytest.raises(MatchingError, match="Only active members of the core team"):
        review_pairing(pairing=pairing, reviewer=office, verdict=Verdict.APPROVE)

    assert PairingReview.objects.count() == 0


def test_review_pairing_invalid_verdict_rejected():
    proposer, first = core_team(2)
    pairing = propose_pairing(mentee=enrol_mentee(), mentor=enrol_mentor(), proposer=proposer)

    with pytest.raises(MatchingError, match="Invalid verdict"):
        review_pairing(pairing=pairing, reviewer=first, verdict="maybe")


# The review pages.


def review_url(pairing: Pairing) -> str:
    return reverse("admin:matching_pairing_review", args=[pairing.pk])


def page_messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_review_list_shows_proposals_awaiting_member():
    proposer, first, _ = core_team(3)
    pairing = propose_pairing(mentee=enrol_mentee(), mentor=enrol_mentor(), proposer=proposer)
    reviewed = propose_pairing(
        mentee=enrol_mentee(), mentor=enrol_mentor(country="FR"), proposer=proposer
    )
    review_pairing(pairing=reviewed, reviewer=first, verdict=Verdict.APPROVE)

    response = signed_in_client(first).get(reverse("admin:matching_pairing_reviews"))

    assert response.status_code == 200
    assert [proposal.pk for proposal in response.context["proposals"]] == [pairing.pk]


def test_review_list_hides_own_proposals():
    proposer, *_ = core_team(2)
    propose_pairing(mentee=enrol_mentee(), mentor=enrol_mentor(), proposer=proposer)

    response = signed_in_client(proposer).get(reverse("admin:matching_pairing_reviews"))

    assert list(response.context["proposals"]) == []


@pytest.mark.parametrize("count", [1, 3])
def test_review_list_query_count_constant(count, django_assert_num_queries):
    proposer, reviewer = core_team(2)
    for _ in range(count):
        propose_pairing(
            mentee=enrol_mentee(), mentor=enrol_mentor(country="FR"), proposer=proposer
        )
    client = signed_in_client(reviewer)
    client.get(reverse("admin:matching_pairing_reviews"))

    # The same number for 1 and 3 proposals: the list is one query.
    with django_assert_num_queries(6):
        response = client.get(reverse("admin:matching_pairing_reviews"))

    assert response.status_code == 200


def test_review_page_shows_people_rules_and_reviews():
    proposer, first, second = core_team(3)
    mentee = enrol_mentee(specific_needs="Guidance on head and neck cancer staging.")
    pairing = propose_pairing(
        mentee=mentee, mentor=enrol_mentor(), proposer=proposer, note="Both like research."
    )
    review_pairing(pairing=pairing, reviewer=first, verdict=Verdict.APPROVE, reason="Agreed.")

    response = signed_in_client(second).get(review_url(pairing))

    content = response.content.decode()
    assert response.status_code == 200
    assert mentee.application.person.full_name in content
    assert "Guidance on head and neck cancer staging." in content
    assert "Both like research." in content
    assert "Agreed." in content
    assert "Different countries" in content
    assert "Approve the pairing" in content
    assert mentee.application.person.primary_email not in content


def test_review_page_approve_engages():
    proposer, reviewer = core_team(2)
    pairing = propose_pairing(mentee=enrol_mentee(), mentor=enrol_mentor(), proposer=proposer)

    response = signed_in_client(reviewer).post(
        review_url(pairing), {"_approve": "1", "approve-comment": ""}
    )

    pairing.refresh_from_db()
    assert response.status_code == 302
    assert pairing.status == PairingStatus.ENGAGED
    assert "the pairing is engaged" in page_messages(response)[0]


def test_review_page_object_needs_reason():
    proposer, reviewer = core_team(2)
    pairing = propose_pairing(mentee=enrol_mentee(), mentor=enrol_mentor(), proposer=proposer)

    response = signed_in_client(reviewer).post(
        review_url(pairing), {"_object": "1", "object-reason": ""}
    )

    pairing.refresh_from_db()
    assert response.status_code == 200
    assert "Write why you object" in response.content.decode()
    assert pairing.status == PairingStatus.PROPOSED


def test_review_page_object_closes_proposal():
    proposer, reviewer = core_team(2)
    pairing = propose_pairing(mentee=enrol_mentee(), mentor=enrol_mentor(), proposer=proposer)

    response = signed_in_client(reviewer).post(
        review_url(pairing), {"_object": "1", "object-reason": "Too far apart in subspecialty."}
    )

    pairing.refresh_from_db()
    assert pairing.status == PairingStatus.OBJECTED
    assert "back in the matching queue" in page_messages(response)[0]


def test_review_page_proposer_gets_error_message():
    proposer, _ = core_team(2)
    pairing = propose_pairing(mentee=enrol_mentee(), mentor=enrol_mentor(), proposer=proposer)

    response = signed_in_client(proposer).post(review_url(pairing), {"_approve": "1"})

    assert response.status_code == 302
    assert page_messages(response) == [
        "You proposed this pairing, and your proposal already counts as your approval. "
        "Another member of the core team needs to review it."
    ]
    assert PairingReview.objects.count() == 0


@pytest.mark.parametrize("url_name", ["reviews", "review"])
def test_review_pages_office_forbidden(url_name):
    proposer, _ = core_team(2)
    pairing = propose_pairing(mentee=enrol_mentee(), mentor=enrol_mentor(), proposer=proposer)
    args = [pairing.pk] if url_name == "review" else []
    client = signed_in_client(create_staff_user("office", group=OFFICE))

    response = client.post(reverse(f"admin:matching_pairing_{url_name}", args=args))

    assert response.status_code == 403
    assert PairingReview.objects.count() == 0


def test_review_page_unknown_pairing_not_found():
    _, reviewer = core_team(2)

    response = signed_in_client(reviewer).get(reverse("admin:matching_pairing_review", args=[999]))

    assert response.status_code == 404


def test_pairing_list_links_core_team_to_review_page():
    proposer, reviewer = core_team(2)
    pairing = propose_pairing(mentee=enrol_mentee(), mentor=enrol_mentor(), proposer=proposer)

    response = signed_in_client(reviewer).get(reverse("admin:matching_pairing_changelist"))

    assert response.status_code == 200
    assert review_url(pairing) in response.content.decode()

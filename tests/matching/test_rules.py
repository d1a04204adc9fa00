import datetime

import pytest

from programme.matching.models import PairingStatus
from programme.matching.rules import (
    LANGUAGE_POINTS,
    LANGUAGE_REQUIRED_POINTS,
    check_hard_rules,
    load_mentee_facts,
    load_mentor_facts,
    score_soft_criteria,
    soft_score,
)
from programme.vetting.models import Enrolment, EnrolmentStatus
from programme.vetting.services import add_years
from tests.factories import PersonFactory
from tests.matching.factories import MenteeEnrolmentFactory, MentorEnrolmentFactory, PairingFactory

pytestmark = pytest.mark.django_db


def rule(results, code):
    return next(result for result in results if result.code == code)


def criterion(results, code):
    return next(result for result in results if result.code == code)


def facts(mentee, mentor):
    mentee_facts = load_mentee_facts(Enrolment.objects.filter(pk=mentee.pk))[0]
    mentor_facts = load_mentor_facts(Enrolment.objects.filter(pk=mentor.pk))[0]
    return mentee_facts, mentor_facts


def test_check_hard_rules_all_met_for_plain_pair():
    results = check_hard_rules(mentee=MenteeEnrolmentFactory(), mentor=MentorEnrolmentFactory())

    assert [result.code for result in results] == [
        "capacity",
        "term",
        "different_people",
        "different_countries",
        "language_when_needed",
        "not_paired_before",
    ]
    assert all(result.met for result in results)


def test_check_hard_rules_wrong_roles_raise():
    mentee = MenteeEnrolmentFactory()

    with pytest.raises(ValueError):
        check_hard_rules(mentee=mentee, mentor=MenteeEnrolmentFactory())


def test_capacity_met_with_one_place_left():
    mentor = MentorEnrolmentFactory(application__capacity=2)
    PairingFactory(mentor_enrolment=mentor)

    result = rule(check_hard_rules(mentee=MenteeEnrolmentFactory(), mentor=mentor), "capacity")

    assert result.met is True


def test_capacity_broken_by_proposed_and_engaged_pairings():
    mentor = MentorEnrolmentFactory(application__capacity=2)
    PairingFactory(mentor_enrolment=mentor)
    PairingFactory(mentor_enrolment=mentor, engaged=True)

    result = rule(check_hard_rules(mentee=MenteeEnrolmentFactory(), mentor=mentor), "capacity")

    assert result.met is False
    assert result.explanation == (
        "The mentor has 2 places; 2 are taken by proposed or engaged pairings."
    )


def test_capacity_ignores_ended_and_objected_pairings():
    mentor = MentorEnrolmentFactory(application__capacity=1)
    PairingFactory(mentor_enrolment=mentor, status=PairingStatus.OBJECTED)
    PairingFactory(mentor_enrolment=mentor, status=PairingStatus.ENDED)

    result = rule(check_hard_rules(mentee=MenteeEnrolmentFactory(), mentor=mentor), "capacity")

    assert result.met is True


def test_capacity_leaves_out_pairing_being_checked():
    mentor = MentorEnrolmentFactory(application__capacity=1)
    pairing = PairingFactory(mentor_enrolment=mentor)

    result = rule(
        check_hard_rules(mentee=pairing.mentee_enrolment, mentor=mentor, pairing=pairing),
        "capacity",
    )

    assert result.met is True


def test_term_met_when_ending_on_pairing_year_end():
    on = datetime.date(2027, 3, 1)
    mentor = MentorEnrolmentFactory(starts_on=on, ends_on=add_years(on, 1))

    result = rule(check_hard_rules(mentee=MenteeEnrolmentFactory(), mentor=mentor, on=on), "term")

    assert result.met is True


def test_term_broken_when_ending_a_day_early():
    on = datetime.date(2027, 3, 1)
    mentor = MentorEnrolmentFactory(
        starts_on=on, ends_on=add_years(on, 1) - datetime.timedelta(days=1)
    )

    result = rule(check_hard_rules(mentee=MenteeEnrolmentFactory(), mentor=mentor, on=on), "term")

    assert result.met is False


@pytest.mark.parametrize("status", [EnrolmentStatus.ENDED, EnrolmentStatus.WITHDRAWN])
def test_term_broken_for_inactive_enrolment(status):
    mentor = MentorEnrolmentFactory(status=status)

    result = rule(check_hard_rules(mentee=MenteeEnrolmentFactory(), mentor=mentor), "term")

    assert result.met is False
    assert result.explanation == f"The mentor's enrolment is {status.label.lower()}."


def test_different_people_broken_by_shared_address():
    mentee = MenteeEnrolmentFactory(application__person__secondary_email="Shared@Example.org")
    mentor = MentorEnrolmentFactory(application__person__primary_email="shared@example.org ")

    result = rule(check_hard_rules(mentee=mentee, mentor=mentor), "different_people")

    assert result.met is False


def test_different_people_met_for_distinct_addresses():
    result = rule(
        check_hard_rules(mentee=MenteeEnrolmentFactory(), mentor=MentorEnrolmentFactory()),
        "different_people",
    )

    assert result.met is True


def test_different_countries_broken_by_same_country():
    mentee = MenteeEnrolmentFactory(application__person__country="GB")

    result = rule(
        check_hard_rules(mentee=mentee, mentor=MentorEnrolmentFactory()), "different_countries"
    )

    assert result.met is False
    assert result.explanation == "Both work in United Kingdom."


def test_different_countries_waived_for_language():
    mentee = MenteeEnrolmentFactory(
        application__person__country="GB", application__needs_same_country_for_language=True
    )

    result = rule(
        check_hard_rules(mentee=mentee, mentor=MentorEnrolmentFactory()), "different_countries"
    )

    assert result.met is True


def test_language_needed_broken_without_shared_language():
    mentee = MenteeEnrolmentFactory(
        application__person__languages=["it"],
        application__needs_same_country_for_language=True,
    )
    mentor = MentorEnrolmentFactory(application__person__languages=["en", "de"])

    result = rule(check_hard_rules(mentee=mentee, mentor=mentor), "language_when_needed")

    assert result.met is False
    assert "they share no language: the mentee gave Italian, the mentor English, German" in (
        result.explanation
    )


def test_language_needed_met_with_shared_language():
    mentee = MenteeEnrolmentFactory(
        application__person__languages=["it", "en"],
        application__needs_same_country_for_language=True,
    )
    mentor = MentorEnrolmentFactory(application__person__languages=["it"])

    result = rule(check_hard_rules(mentee=mentee, mentor=mentor), "language_when_needed")

    assert result.met is True


def test_language_only_scored_when_not_needed():
    mentee = MenteeEnrolmentFactory(application__person__languages=["it"])
    mentor = MentorEnrolmentFactory(application__person__languages=["en"])

    result = rule(check_hard_rules(mentee=mentee, mentor=mentor), "language_when_needed")

    assert result.met is True


@pytest.mark.parametrize(
    "status",
    [
        PairingStatus.PROPOSED,
        PairingStatus.ENGAGED,
        PairingStatus.COMPLETED,
        PairingStatus.ENDED,
    ],
)
def test_not_paired_before_broken_across_enrolments(status):
    mentee_person, mentor_person = PersonFactory(country="IT"), PersonFactory()
    earlier = PairingFactory(
        mentee_enrolment__application__person=mentee_person,
        mentor_enrolment__application__person=mentor_person,
        status=status,
    )
    Enrolment.objects.filter(pk=earlier.mentee_enrolment_id).update(status=EnrolmentStatus.ENDED)
    # A new application and enrolment for each, with the same addresses on new Person rows.
    mentee = MenteeEnrolmentFactory(
        application__person__primary_email=mentee_person.primary_email,
    )
    mentor = MentorEnrolmentFactory(
        application__person__secondary_email=mentor_person.secondary_email,
    )

    result = rule(check_hard_rules(mentee=mentee, mentor=mentor), "not_paired_before")

    assert result.met is False


def test_not_paired_before_met_after_objection():
    pairing = PairingFactory(status=PairingStatus.OBJECTED)

    result = rule(
        check_hard_rules(mentee=pairing.mentee_enrolment, mentor=pairing.mentor_enrolment),
        "not_paired_before",
    )

    assert result.met is True


def test_not_paired_before_met_with_other_mentor():
    pairing = PairingFactory(status=PairingStatus.ENDED)

    result = rule(
        check_hard_rules(mentee=pairing.mentee_enrolment, mentor=MentorEnrolmentFactory()),
        "not_paired_before",
    )

    assert result.met is True


def test_areas_criterion_partly_covered():
    mentee = MenteeEnrolmentFactory(
        application__area_research=True, application__area_clinical=True
    )
    mentor = MentorEnrolmentFactory(
        application__area_research=True, application__area_clinical=False
    )

    result = criterion(score_soft_criteria(*facts(mentee, mentor))[1], "areas")

    assert result.met is False
    assert result.points == 15
    assert result.explanation == (
        "The mentor covers 1 of the 2 areas the mentee wants (research), "
        "but not clinical practice."
    )


def test_areas_criterion_fully_covered():
    mentee = MenteeEnrolmentFactory(application__area_career=True)
    mentor = MentorEnrolmentFactory(
        application__area_career=True, application__area_education=True
    )

    result = criterion(score_soft_criteria(*facts(mentee, mentor))[1], "areas")

    assert result.met is True
    assert result.explanation == (
        "The mentor covers every area the mentee wants: career development, clinical practice."
    )


def test_academic_criterion_met_by_research_interest():
    mentee = MenteeEnrolmentFactory(application__wants_academic_mentor=True)
    mentor = MentorEnrolmentFactory(application__interest_research=True)

    result = criterion(score_soft_criteria(*facts(mentee, mentor))[1], "academic")

    assert result.met is True
    assert result.points == 20


def test_academic_criterion_broken_without_research_interest():
    mentee = MenteeEnrolmentFactory(application__wants_academic_mentor=True)
    mentor = MentorEnrolmentFactory(application__interest_research=False)

    result = criterion(score_soft_criteria(*facts(mentee, mentor))[1], "academic")

    assert result.met is False
    assert result.points == 0


def test_academic_criterion_not_requested():
    mentee = MenteeEnrolmentFactory(application__wants_academic_mentor=False)

    result = criterion(
        score_soft_criteria(*facts(mentee, MentorEnrolmentFactory()))[1], "academic"
    )

    assert result.met is True
    assert result.max_points == 0
    assert result.explanation == "The mentee did not ask for an academic mentor."


def test_language_criterion_shared_language():
    mentee = MenteeEnrolmentFactory(application__person__languages=["it", "en"])
    mentor = MentorEnrolmentFactory(application__person__languages=["en", "de"])

    result = criterion(score_soft_criteria(*facts(mentee, mentor))[1], "language")

    assert result.met is True
    assert result.points == LANGUAGE_POINTS
    assert result.explanation == "Both hold meetings in English."


def test_language_criterion_none_shared():
    mentee = MenteeEnrolmentFactory(application__person__languages=["it"])
    mentor = MentorEnrolmentFactory(application__person__languages=["en", "de"])

    result = criterion(score_soft_criteria(*facts(mentee, mentor))[1], "language")

    assert result.met is False
    assert result.explanation == (
        "No shared language: the mentee gave Italian, the mentor English, German."
    )


def test_language_criterion_weighs_more_for_same_country_request():
    mentee = MenteeEnrolmentFactory(
        application__person__languages=["it"],
        application__needs_same_country_for_language=True,
    )
    mentor = MentorEnrolmentFactory(application__person__languages=["it"])

    result = criterion(score_soft_criteria(*facts(mentee, mentor))[1], "language")

    assert result.points == LANGUAGE_REQUIRED_POINTS


def test_load_criterion_counts_engaged_pairings():
    mentor = MentorEnrolmentFactory(application__capacity=3)
    PairingFactory(mentor_enrolment=mentor, engaged=True)
    PairingFactory(mentor_enrolment=mentor)

    result = criterion(score_soft_criteria(*facts(MenteeEnrolmentFactory(), mentor))[1], "load")

    assert result.met is False
    assert result.points == 6
    assert result.explanation == "The mentor already mentors 1 mentee."


def test_experience_criterion_gives_half_point_per_year():
    mentor = MentorEnrolmentFactory(application__practice_years=17)

    result = criterion(
        score_soft_criteria(*facts(MenteeEnrolmentFactory(), mentor))[1], "experience"
    )

    assert result.met is True
    assert result.points == 8
    assert result.explanation == "17 years of independent practice, 10 or more."


def test_score_soft_criteria_equals_fast_score():
    mentee = MenteeEnrolmentFactory(
        application__area_research=True,
        application__wants_academic_mentor=True,
        application__person__languages=["it", "en"],
    )
    mentor = MentorEnrolmentFactory(
        application__area_research=True,
        application__interest_research=True,
        application__practice_years=30,
    )
    mentee_facts, mentor_facts = facts(mentee, mentor)

    score, criteria = score_soft_criteria(mentee_facts, mentor_facts)

    assert score == sum(result.points for result in criteria)
    assert score == soft_score(mentee_facts, mentor_facts)
    assert score == 30 + 20 + 10 + 10 + 10

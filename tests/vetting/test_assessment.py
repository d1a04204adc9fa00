import pytest

from programme.applications.models import CareerStage, MembershipStatus
from programme.core.models import ProgrammeSettings
from programme.vetting.assessment import Outcome, Summary, assess_application
from tests.factories import ApplicationFactory


def mentee(**fields):
    return ApplicationFactory.build(**fields)


def mentor(**fields):
    return ApplicationFactory.build(mentor=True, **fields)


def required_outcomes(application, programme=None) -> dict[str, Outcome]:
    assessment = assess_application(application, programme=programme or ProgrammeSettings())
    return {criterion.label: criterion.outcome for criterion in assessment.required}


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (MembershipStatus.MEMBER, Outcome.MET),
        (MembershipStatus.APPLIED, Outcome.UNKNOWN),
        (MembershipStatus.NOT_MEMBER, Outcome.NOT_MET),
        ("", Outcome.UNKNOWN),
    ],
)
def test_membership_outcome(status, expected):
    application = mentee(membership_status=status)

    outcomes = required_outcomes(application)

    assert outcomes["Society membership"] == expected


@pytest.mark.parametrize(
    ("training_year", "expected"),
    [(3, Outcome.NOT_MET), (4, Outcome.MET), (None, Outcome.UNKNOWN)],
)
def test_trainee_training_year_at_threshold(training_year, expected):
    application = mentee(
        career_stage=CareerStage.TRAINEE, training_year=training_year, consultant_years=None
    )

    outcomes = required_outcomes(application)

    assert outcomes["Career stage"] == expected


@pytest.mark.parametrize(
    ("consultant_years", "expected"),
    [(0, Outcome.MET), (5, Outcome.MET), (6, Outcome.NOT_MET), (None, Outcome.UNKNOWN)],
)
def test_consultant_years_at_threshold(consultant_years, expected):
    application = mentee(career_stage=CareerStage.CONSULTANT, consultant_years=consultant_years)

    outcomes = required_outcomes(application)

    assert outcomes["Career stage"] == expected


def test_career_stage_missing_unknown():
    application = mentee(career_stage="", consultant_years=None)

    outcomes = required_outcomes(application)

    assert outcomes["Career stage"] == Outcome.UNKNOWN


@pytest.mark.parametrize(
    ("practice_years", "expected"),
    [(4, Outcome.NOT_MET), (5, Outcome.MET), (None, Outcome.UNKNOWN)],
)
def test_mentor_practice_years_at_threshold(practice_years, expected):
    application = mentor(practice_years=practice_years)

    outcomes = required_outcomes(application)

    assert outcomes["Years of independent practice"] == expected


def test_trainee_explanation_names_threshold():
    application = mentee(career_stage=CareerStage.TRAINEE, training_year=3, consultant_years=None)

    assessment = assess_application(application, programme=ProgrammeSettings())

    assert assessment.required[1].explanation == "Trainee in year 3. Trainees qualify from year 4."


def test_mentee_criteria_in_order():
    assessment = assess_application(mentee(), programme=ProgrammeSettings())

    assert [criterion.label for criterion in assessment.required] == [
        "Society membership",
        "Career stage",
    ]
    assert assessment.desirable == ()


@pytest.mark.django_db
def test_assessment_reads_changed_settings():
    programme = ProgrammeSettings.objects.get_current()
    programme.mentee_min_training_year = 3
    programme.mentor_min_practice_years = 10
    programme.save()
    trainee = mentee(career_stage=CareerStage.TRAINEE, training_year=3, consultant_years=None)
    experienced = mentor(practice_years=8)

    trainee_outcome = assess_application(trainee).required[1].outcome
    mentor_outcome = assess_application(experienced).required[1].outcome

    assert trainee_outcome == Outcome.MET
    assert mentor_outcome == Outcome.NOT_MET


def test_mentor_desirables_never_block():
    application = mentor(interest_research=False, interest_teaching=False, prior_mentoring=False)

    assessment = assess_application(application, programme=ProgrammeSettings())

    assert [criterion.outcome for criterion in assessment.desirable] == [
        Outcome.NOT_MET,
        Outcome.NOT_MET,
    ]
    assert assessment.summary == Summary.ALL_MET


def test_mentor_desirables_met():
    application = mentor(interest_teaching=True, prior_mentoring=True)

    assessment = assess_application(application, programme=ProgrammeSettings())

    assert [criterion.outcome for criterion in assessment.desirable] == [Outcome.MET, Outcome.MET]
    assert assessment.desirable[0].explanation == "Interested in teaching."


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({}, Summary.ALL_MET),
        ({"membership_status": MembershipStatus.APPLIED}, Summary.SOME_UNKNOWN),
        ({"consultant_years": 9}, Summary.SOME_NOT_MET),
        (
            {"membership_status": MembershipStatus.APPLIED, "consultant_years": 9},
            Summary.SOME_NOT_MET,
        ),
    ],
)
def test_summary_outcome(fields, expected):
    application = mentee(**fields)

    assessment = assess_application(application, programme=ProgrammeSettings())

    assert assessment.summary == expected

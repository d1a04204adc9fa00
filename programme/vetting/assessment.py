"""Automatic check of an application against the programme's eligibility criteria.

The result only helps the office decide: criteria are kept general because
training differs between countries, so a person makes every decision.
Thresholds come from ProgrammeSettings, so the office can change them.
"""

import enum
from dataclasses import dataclass

from programme.applications.models import Application, CareerStage, MembershipStatus, Role
from programme.core.models import ProgrammeSettings


class Outcome(enum.StrEnum):
    MET = "met"
    NOT_MET = "not_met"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return {"met": "Met", "not_met": "Not met", "unknown": "Unknown"}[self.value]


class Summary(enum.StrEnum):
    ALL_MET = "all_met"
    SOME_NOT_MET = "some_not_met"
    SOME_UNKNOWN = "some_unknown"

    @property
    def label(self) -> str:
        return {
            "all_met": "All criteria met",
            "some_not_met": "Some criteria not met",
            "some_unknown": "Some criteria unknown: check them by hand",
        }[self.value]


@dataclass(frozen=True)
class Criterion:
    label: str
    outcome: Outcome
    explanation: str


@dataclass(frozen=True)
class Assessment:
    """Required criteria, which decide the summary, and desirable ones, which never do."""

    required: tuple[Criterion, ...]
    desirable: tuple[Criterion, ...]

    @property
    def summary(self) -> Summary:
        outcomes = {criterion.outcome for criterion in self.required}
        if Outcome.NOT_MET in outcomes:
            return Summary.SOME_NOT_MET
        if Outcome.UNKNOWN in outcomes:
            return Summary.SOME_UNKNOWN
        return Summary.ALL_MET


def years(count: int) -> str:
    return f"{count} year" if count == 1 else f"{count} years"


def assess_membership(application: Application) -> Criterion:
    label = "Society membership"
    match application.membership_status:
        case MembershipStatus.MEMBER:
            return Criterion(label, Outcome.MET, "Member of the society.")
        case MembershipStatus.APPLIED:
            return Criterion(
                label,
                Outcome.UNKNOWN,
                "Membership applied for: check with the society that it has been granted.",
            )
        case MembershipStatus.NOT_MEMBER:
            return Criterion(label, Outcome.NOT_MET, "Not a member of the society.")
    return Criterion(label, Outcome.UNKNOWN, "Membership status not given.")


def assess_career_stage(application: Application, programme: ProgrammeSettings) -> Criterion:
    label = "Career stage"
    min_year = programme.mentee_min_training_year
    max_years = programme.mentee_max_consultant_years

    if application.career_stage == CareerStage.TRAINEE:
        year = application.training_year
        if year is None:
            return Criterion(
                label, Outcome.UNKNOWN, "Trainee, but the year of training is missing."
            )
        outcome = Outcome.MET if year >= min_year else Outcome.NOT_MET
        return Criterion(
            label, outcome, f"Trainee in year {year}. Trainees qualify from year {min_year}."
        )

    if application.career_stage == CareerStage.CONSULTANT:
        served = application.consultant_years
        if served is None:
            return Criterion(
                label, Outcome.UNKNOWN, "Consultant, but the years since appointment are missing."
            )
        outcome = Outcome.MET if served <= max_years else Outcome.NOT_MET
        return Criterion(
            label,
            outcome,
            f"Consultant for {years(served)}. Consultants qualify up to {years(max_years)} "
            "after appointment.",
        )

    return Criterion(label, Outcome.UNKNOWN, "Career stage not given.")


def assess_practice_years(application: Application, programme: ProgrammeSettings) -> Criterion:
    label = "Years of independent practice"
    required = programme.mentor_min_practice_years
    practised = application.practice_years
    if practised is None:
        return Criterion(label, Outcome.UNKNOWN, "Years of independent practice not given.")
    outcome = Outcome.MET if practised >= required else Outcome.NOT_MET
    return Criterion(
        label,
        outcome,
        f"{years(practised)} of independent practice. Mentors need at least {years(required)}.",
    )


def assess_mentor_desirables(application: Application) -> tuple[Criterion, ...]:
    interests = [
        name
        for name, ticked in (
            ("research", application.interest_research),
            ("teaching", application.interest_teaching),
        )
        if ticked
    ]
    if interests:
        interest = Criterion(
            "Interest in research or teaching",
            Outcome.MET,
            f"Interested in {' and '.join(interests)}.",
        )
    else:
        interest = Criterion(
            "Interest in research or teaching",
            Outcome.NOT_MET,
            "No interest in research or teaching ticked.",
        )

    if application.prior_mentoring:
        experience = Criterion("Earlier mentoring experience", Outcome.MET, "Has mentored before.")
    else:
        experience = Criterion(
            "Earlier mentoring experience", Outcome.NOT_MET, "Has not mentored before."
        )
    return (interest, experience)


def assess_application(
    application: Application, *, programme: ProgrammeSettings | None = None
) -> Assessment:
    """Check each criterion for the application's role against the current thresholds."""
    if programme is None:
        programme = ProgrammeSettings.objects.get_current()

    if application.role == Role.MENTOR:
        return Assessment(
            required=(
                assess_membership(application),
                assess_practice_years(application, programme),
            ),
            desirable=assess_mentor_desirables(application),
        )
    return Assessment(
        required=(
            assess_membership(application),
            assess_career_stage(application, programme),
        ),
        desirable=(),
    )

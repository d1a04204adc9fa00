"""Reads for the vetting pages and the public mentors page."""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from programme.applications.models import Application, Role
from programme.vetting.models import Enrolment, EnrolmentStatus, VettingDecision


@dataclass(frozen=True)
class ShowcaseMentor:
    """One mentor's entry on the public mentors page: these fields and no others."""

    name: str
    country: str
    institution: str
    areas: tuple[str, ...]


# The only columns the showcase reads: other personal data is never loaded
# or decrypted for a public page.
SHOWCASE_FIELDS = (
    "id",
    "application__id",
    "application__area_research",
    "application__area_education",
    "application__area_clinical",
    "application__area_career",
    "application__area_other",
    "application__person__id",
    "application__person__given_name",
    "application__person__family_name",
    "application__person__country",
    "application__person__institution",
)


def showcase_mentors() -> list[ShowcaseMentor]:
    """Return the mentors with a running enrolment who agreed to be shown publicly.

    Sorted by country name, then family and given name. Names are encrypted,
    so the sorting happens here rather than in the database.
    """
    enrolments = (
        Enrolment.objects.filter(
            role=Role.MENTOR,
            status=EnrolmentStatus.ACTIVE,
            ends_on__gte=timezone.localdate(),
            application__showcase_consent=True,
        )
        .select_related("application__person")
        .only(*SHOWCASE_FIELDS)
    )
    rows = []
    for enrolment in enrolments:
        person = enrolment.application.person
        sort_key = (
            person.country.name.casefold(),
            person.family_name.casefold(),
            person.given_name.casefold(),
        )
        entry = ShowcaseMentor(
            name=person.full_name,
            country=person.country.name,
            institution=person.institution,
            areas=tuple(enrolment.application.areas),
        )
        rows.append((sort_key, entry))
    rows.sort(key=lambda row: row[0])
    return [entry for _, entry in rows]


def decisions_for(application: Application) -> QuerySet[VettingDecision]:
    """Return the application's vetting decisions, newest first, with who took them."""
    return application.vetting_decisions.select_related("decided_by").order_by(
        "-decided_at", "-id"
    )

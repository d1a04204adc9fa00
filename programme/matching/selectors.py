"""Reads for matching: the queue of waiting mentees, available mentors and engagement times."""

import datetime
import statistics
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, Exists, F, Max, OuterRef, QuerySet
from django.utils import timezone

from programme.applications.models import Application, Role
from programme.matching.models import ACTIVE_STATUSES, Pairing
from programme.matching.rules import pairing_year_end, with_pairing_counts
from programme.vetting.models import Enrolment, EnrolmentStatus

# Queue order: mentees without local mentoring first, then by when the
# application arrived. A mentee whose pairing ended keeps their place, because
# the order depends on the application only.
# The application's id breaks ties: each application has at most one
# enrolment, and the queue page reads applications in this order by an index.
QUEUE_ORDER = (
    F("application__lacks_local_mentoring").desc(),
    "application__submitted_at",
    "application__id",
)

# A waiting mentee's fields that the suggestions page shows about them.
MENTEE_FIELDS = (
    "id",
    "role",
    "status",
    "application__id",
    "application__submitted_at",
    "application__lacks_local_mentoring",
    "application__needs_same_country_for_language",
    "application__wants_academic_mentor",
    "application__area_research",
    "application__area_education",
    "application__area_clinical",
    "application__area_career",
    "application__area_other",
    "application__area_other_details",
    "application__specific_needs",
    "application__person__id",
    "application__person__given_name",
    "application__person__family_name",
    "application__person__country",
    "application__person__languages",
)


def waiting_mentees() -> QuerySet[Enrolment]:
    """Return active mentee enrolments with no proposed or engaged pairing, in queue order."""
    active_pairing = Pairing.objects.filter(
        mentee_enrolment=OuterRef("pk"), status__in=ACTIVE_STATUSES
    )
    return (
        Enrolment.objects.filter(role=Role.MENTEE, status=EnrolmentStatus.ACTIVE)
        .filter(~Exists(active_pairing))
        .select_related("application__person")
        .order_by(*QUEUE_ORDER)
    )


# The queue page's columns, read from the application: the name, the needs
# and the other skills are the only values decrypted.
QUEUE_PAGE_FIELDS = (
    "id",
    "submitted_at",
    "lacks_local_mentoring",
    "needs_same_country_for_language",
    "wants_academic_mentor",
    "area_research",
    "area_education",
    "area_clinical",
    "area_career",
    "area_other",
    "area_other_details",
    "specific_needs",
    "enrolment__id",
    "person__id",
    "person__given_name",
    "person__family_name",
    "person__country",
    "person__languages",
)


def waiting_applications() -> QuerySet:
    """Return the queue page's values of each waiting mentee's application, in queue order.

    The same people as ``waiting_mentees``. Starting from the applications
    lets the query walk their queue-order index and stop after the rows a
    page needs, where the enrolment-first query sorts every waiting mentee.
    Plain values (decrypted) rather than models keep a page of rows cheap.
    """
    active_pairing = Pairing.objects.filter(
        mentee_enrolment=OuterRef("enrolment"), status__in=ACTIVE_STATUSES
    )
    return (
        Application.objects.filter(
            role=Role.MENTEE,
            enrolment__role=Role.MENTEE,
            enrolment__status=EnrolmentStatus.ACTIVE,
        )
        .filter(~Exists(active_pairing))
        .order_by("-lacks_local_mentoring", "submitted_at", "id")
        .values(*QUEUE_PAGE_FIELDS)
    )


def waiting_count() -> int:
    """Count the waiting mentees: active mentee enrolments less those in a pairing.

    A mentee is in at most one proposed or engaged pairing (a database
    constraint), so the difference is exact, and two index counts are
    cheaper than testing every enrolment for a pairing.
    """
    active = Enrolment.objects.filter(role=Role.MENTEE, status=EnrolmentStatus.ACTIVE)
    paired = Pairing.objects.filter(
        status__in=ACTIVE_STATUSES,
        mentee_enrolment__role=Role.MENTEE,
        mentee_enrolment__status=EnrolmentStatus.ACTIVE,
    )
    return active.count() - paired.count()


def pair_description(pairing: Pairing) -> str:
    """Name both people of a pairing, for messages to staff: "A (mentee) with B (mentor)"."""
    names = (
        Pairing.objects.filter(pk=pairing.pk)
        .select_related(
            "mentee_enrolment__application__person", "mentor_enrolment__application__person"
        )
        .get()
    )
    mentee = names.mentee_enrolment.application.person.full_name
    mentor = names.mentor_enrolment.application.person.full_name
    return f"{mentee} (mentee) with {mentor} (mentor)"


def active_mentors() -> QuerySet[Enrolment]:
    """Return active mentor enrolments, oldest first."""
    return Enrolment.objects.filter(role=Role.MENTOR, status=EnrolmentStatus.ACTIVE).order_by("id")


def available_mentors(on: datetime.date | None = None) -> QuerySet[Enrolment]:
    """Return active mentors with a free place whose term covers a pairing year from ``on``.

    Each carries ``active_count`` (proposed and engaged pairings) and
    ``engaged_count``.
    """
    return (
        with_pairing_counts(active_mentors())
        .filter(ends_on__gte=pairing_year_end(on), active_count__lt=F("application__capacity"))
        .select_related("application__person")
    )


@dataclass(frozen=True)
class EngagementTime:
    """Days from a mentee's application to the engagement of their pairing."""

    pairing_id: int
    engaged_on: datetime.date
    days: int


@dataclass(frozen=True)
class MonthFigures:
    """Days to engagement for the pairings engaged in one calendar month."""

    month: datetime.date
    count: int
    mean_days: float
    min_days: int
    max_days: int


def engagement_times() -> list[EngagementTime]:
    """Return the days from application to engagement for every pairing that was engaged.

    Completed and ended pairings count too, because they were engaged once.
    The application day is taken in the current time zone. One query.
    """
    rows = (
        Pairing.objects.filter(engaged_on__isnull=False)
        .order_by("engaged_on", "id")
        .values_list("id", "engaged_on", "mentee_enrolment__application__submitted_at")
    )
    # Converting in Python is faster than the database's date cast on SQLite.
    return [
        EngagementTime(
            pairing_id=pairing_id,
            engaged_on=engaged_on,
            days=(engaged_on - timezone.localdate(submitted_at)).days,
        )
        for pairing_id, engaged_on, submitted_at in rows
    ]


def cached_figures_by_month() -> list[MonthFigures]:
    """Return figures_by_month of every engagement, recomputed only after a new one.

    A pairing's engagement date never changes once set, so the number of
    engaged pairings and the highest id identify the data. The figures are
    kept in Django's cache under a key made of those two numbers.
    """
    summary = Pairing.objects.filter(engaged_on__isnull=False).aggregate(
        count=Count("id"), last=Max("id")
    )
    key = f"matching:figures:{summary['count']}:{summary['last']}"
    figures = cache.get(key)
    if figures is None:
        figures = figures_by_month(engagement_times())
        cache.set(key, figures, timeout=24 * 60 * 60)
    return figures


def figures_by_month(times: list[EngagementTime]) -> list[MonthFigures]:
    """Group engagement times by month of engagement, oldest month first."""
    by_month: dict[datetime.date, list[int]] = {}
    for time in times:
        by_month.setdefault(time.engaged_on.replace(day=1), []).append(time.days)
    return [
        MonthFigures(
            month=month,
            count=len(days),
            mean_days=round(statistics.fmean(days), 1),
            min_days=min(days),
            max_days=max(days),
        )
        for month, days in sorted(by_month.items())
    ]

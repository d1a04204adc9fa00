"""Enrolments in both roles and pairings between them, for matching tests."""

import datetime

import factory
from django.utils import timezone

from programme.applications.models import ApplicationStatus
from programme.matching.models import Pairing, PairingStatus
from programme.vetting.services import add_years
from tests.factories import ApplicationFactory
from tests.vetting.factories import EnrolmentFactory


def days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


class MentorEnrolmentFactory(EnrolmentFactory):
    """An active three-year mentor enrolment that started 30 days ago, capacity 2, from the UK."""

    application = factory.SubFactory(
        ApplicationFactory, mentor=True, status=ApplicationStatus.ELIGIBLE
    )
    ends_on = factory.LazyAttribute(
        lambda enrolment: add_years(enrolment.starts_on, 3) - datetime.timedelta(days=1)
    )


class MenteeEnrolmentFactory(EnrolmentFactory):
    """An active one-year mentee enrolment that started 30 days ago, from Italy.

    The country differs from MentorEnrolmentFactory's, so a pair from the two
    factories meets the different-countries rule.
    """

    application = factory.SubFactory(
        ApplicationFactory, status=ApplicationStatus.ELIGIBLE, person__country="IT"
    )


# Statuses a pairing reaches only after it was engaged.
ENGAGED_ONCE = (PairingStatus.ENGAGED, PairingStatus.COMPLETED, PairingStatus.ENDED)


def next_free_place(pairing) -> int:
    """The mentor's next place after those their engaged pairings hold."""
    return (
        Pairing.objects.filter(
            mentor_enrolment=pairing.mentor_enrolment, status=PairingStatus.ENGAGED
        ).count()
        + 1
    )


class PairingFactory(factory.django.DjangoModelFactory):
    """A proposed pairing. Another status fills in what the database needs for it.

    An engaged pairing takes the mentor's next free place and is engaged
    today; completed and ended pairings were engaged today too. ``engaged=True``
    is short for status=PairingStatus.ENGAGED.
    """

    class Meta:
        model = Pairing

    mentor_enrolment = factory.SubFactory(MentorEnrolmentFactory)
    mentee_enrolment = factory.SubFactory(MenteeEnrolmentFactory)
    status = PairingStatus.PROPOSED
    mentor_place = factory.LazyAttribute(
        lambda pairing: (
            next_free_place(pairing) if pairing.status == PairingStatus.ENGAGED else None
        )
    )
    mentor_capacity = factory.LazyAttribute(
        lambda pairing: (
            max(pairing.mentor_enrolment.application.capacity or 1, pairing.mentor_place)
            if pairing.status == PairingStatus.ENGAGED
            else None
        )
    )
    engaged_on = factory.LazyAttribute(
        lambda pairing: timezone.localdate() if pairing.status in ENGAGED_ONCE else None
    )

    class Params:
        engaged = factory.Trait(status=PairingStatus.ENGAGED)

import datetime

import factory
from django.utils import timezone

from programme.applications.models import ApplicationStatus
from programme.vetting.models import Decision, Enrolment, EnrolmentStatus, VettingDecision
from tests.factories import ApplicationFactory


class EnrolmentFactory(factory.django.DjangoModelFactory):
    """An active enrolment whose application is already eligible."""

    class Meta:
        model = Enrolment

    application = factory.SubFactory(ApplicationFactory, status=ApplicationStatus.ELIGIBLE)
    role = factory.SelfAttribute("application.role")
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))
    ends_on = factory.LazyAttribute(
        lambda enrolment: enrolment.starts_on + datetime.timedelta(days=364)
    )
    status = EnrolmentStatus.ACTIVE


class VettingDecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VettingDecision

    application = factory.SubFactory(ApplicationFactory)
    decision = Decision.INFORMATION_REQUESTED
    reason = "Please send your membership number."

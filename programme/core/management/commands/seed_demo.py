"""Create the synthetic demo cohort: 33 mentor and 27 mentee applications."""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from programme.applications.models import Application
from programme.core.demo_cohort import DemoApplicant, build_cohort
from programme.core.models import Person, ProgrammeSettings


def create_applicants(applicants: list[DemoApplicant]) -> int:
    """Create a Person and a submitted Application per applicant whose token is new.

    Returns how many were created. Each row's fields are validated first, so a
    mistake in the cohort tables fails here instead of on a page later. Unlike
    a real submission, this writes no audit events and sends no e-mail.
    """
    tokens = [applicant.submission_token for applicant in applicants]

    with transaction.atomic():
        existing = set(
            Application.objects.filter(submission_token__in=tokens).values_list(
                "submission_token", flat=True
            )
        )
        new_applicants = [a for a in applicants if a.submission_token not in existing]
        people = [Person(**applicant.person) for applicant in new_applicants]
        applications = [
            Application(submission_token=applicant.submission_token, **applicant.application)
            for applicant in new_applicants
        ]
        validate_rows(people, applications)

        Person.objects.bulk_create(people)
        for person, application in zip(people, applications, strict=True):
            application.person = person
        Application.objects.bulk_create(applications)
    return len(new_applicants)


def validate_rows(people: list[Person], applications: list[Application]) -> None:
    """Raise ValidationError for a field value the models reject.

    Uniqueness and check constraints are left to the database, which enforces
    them on insert, because checking them here costs a query per row.
    """
    for person in people:
        person.full_clean(validate_unique=False, validate_constraints=False)
    for application in applications:
        application.full_clean(
            exclude=["person"], validate_unique=False, validate_constraints=False
        )


class Command(BaseCommand):
    help = (
        "Create a synthetic demo cohort of 33 mentor and 27 mentee applications, status "
        "submitted, that matches the reference programme's first-cycle figures. Applications "
        "that already exist are skipped, so running it again creates nothing twice."
    )

    def handle(self, *args, **options) -> None:
        programme = ProgrammeSettings.objects.get_current()
        applicants = build_cohort(
            now=timezone.now(), privacy_notice_version=programme.privacy_notice_version
        )

        created = create_applicants(applicants)

        self.stdout.write(
            f"Demo applications: {created} created, {len(applicants) - created} already existed."
        )

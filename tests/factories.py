import datetime

import factory
from django.utils import timezone

from programme.applications.models import Application, CareerStage, MembershipStatus, Role
from programme.core.models import Gender, Person


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    given_name = factory.Faker("first_name")
    family_name = factory.Faker("last_name")
    primary_email = factory.Sequence(lambda n: f"person{n}@example.org")
    secondary_email = factory.Sequence(lambda n: f"person{n}.home@example.net")
    institution = "University Hospital of Exampletown"
    country = "GB"
    gender = Gender.FEMALE
    languages = factory.LazyFunction(lambda: ["en"])


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    person = factory.SubFactory(PersonFactory)
    role = Role.MENTEE
    submitted_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=3))
    submission_token = factory.Sequence(lambda n: f"test-token-{n}")
    membership_status = MembershipStatus.MEMBER
    motivation = "I would like to grow as a head and neck radiologist."
    area_clinical = True
    career_stage = CareerStage.CONSULTANT
    consultant_years = 2
    head_of_department_name = "Dr Head Example"
    head_of_department_email = "head@example.com"
    privacy_notice_version = "1.0"
    consented_at = factory.SelfAttribute("submitted_at")

    class Params:
        mentor = factory.Trait(
            role=Role.MENTOR,
            career_stage="",
            consultant_years=None,
            head_of_department_name="",
            head_of_department_email="",
            practice_years=12,
            capacity=2,
        )

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from programme.applications.models import ApplicationStatus
from programme.core.models import ProgrammeSettings
from programme.vetting.models import EnrolmentStatus
from programme.vetting.selectors import showcase_mentors
from tests.factories import ApplicationFactory, PersonFactory
from tests.vetting.factories import EnrolmentFactory

pytestmark = pytest.mark.django_db


def enrolled_mentor(*, consent=True, status=EnrolmentStatus.ACTIVE, **person_fields):
    person = PersonFactory(**person_fields)
    application = ApplicationFactory(
        mentor=True,
        person=person,
        status=ApplicationStatus.ELIGIBLE,
        showcase_consent=consent,
        area_research=True,
        area_clinical=False,
        area_education=True,
    )
    return EnrolmentFactory(application=application, status=status)


def test_showcase_lists_consenting_active_mentor(client):
    enrolled_mentor(
        given_name="Jonas",
        family_name="Berg",
        country="SE",
        institution="Exempel University Hospital",
        primary_email="jonas@example.org",
        secondary_email="jonas.home@example.net",
    )

    page = client.get(reverse("vetting:mentors")).content.decode()

    assert "Jonas Berg" in page
    assert "Sweden" in page
    assert "Exempel University Hospital" in page
    assert "Research, Education" in page
    assert "jonas@example.org" not in page
    assert "jonas.home@example.net" not in page


def test_showcase_entry_has_only_public_fields():
    enrolled_mentor(given_name="Jonas", family_name="Berg", country="SE")

    entry = showcase_mentors()[0]

    assert entry.__dataclass_fields__.keys() == {"name", "country", "institution", "areas"}


@pytest.mark.parametrize(
    "arrange",
    [
        lambda: enrolled_mentor(consent=False, given_name="Hidden", family_name="Mentor"),
        lambda: enrolled_mentor(
            status=EnrolmentStatus.WITHDRAWN, given_name="Hidden", family_name="Mentor"
        ),
        lambda: enrolled_mentor(
            status=EnrolmentStatus.ENDED, given_name="Hidden", family_name="Mentor"
        ),
        lambda: ApplicationFactory(
            mentor=True,
            showcase_consent=True,
            person=PersonFactory(given_name="Hidden", family_name="Mentor"),
        ),
        lambda: EnrolmentFactory(
            application=ApplicationFactory(
                person=PersonFactory(given_name="Hidden", family_name="Mentor"),
                showcase_consent=True,
            )
        ),
    ],
    ids=["no-consent", "withdrawn", "ended", "not-enrolled", "mentee"],
)
def test_showcase_leaves_out(client, arrange):
    arrange()

    page = client.get(reverse("vetting:mentors")).content.decode()

    assert "Hidden Mentor" not in page


def test_showcase_leaves_out_term_past_end():
    enrolment = enrolled_mentor(given_name="Past", family_name="Term")
    enrolment.starts_on = timezone.localdate() - datetime.timedelta(days=800)
    enrolment.ends_on = timezone.localdate() - datetime.timedelta(days=1)
    enrolment.save()

    mentors = showcase_mentors()

    assert mentors == []


def test_showcase_sorted_by_country_then_name():
    enrolled_mentor(given_name="Zoe", family_name="Adams", country="GB")
    enrolled_mentor(given_name="Anna", family_name="Zeller", country="AT")
    enrolled_mentor(given_name="Ben", family_name="Brown", country="GB")
    enrolled_mentor(given_name="Carl", family_name="adler", country="AT")

    names = [mentor.name for mentor in showcase_mentors()]

    assert names == ["Carl adler", "Anna Zeller", "Zoe Adams", "Ben Brown"]


def test_showcase_query_count_constant(client):
    ProgrammeSettings.objects.get_current()
    enrolled_mentor()
    with CaptureQueriesContext(connection) as with_one:
        client.get(reverse("vetting:mentors"))
    enrolled_mentor()
    enrolled_mentor()

    with CaptureQueriesContext(connection) as with_three:
        response = client.get(reverse("vetting:mentors"))

    assert response.status_code == 200
    assert len(with_one.captured_queries) == len(with_three.captured_queries)


def test_showcase_empty_page_kind(client):
    page = client.get(reverse("vetting:mentors")).content.decode()

    assert "No mentors are listed yet" in page

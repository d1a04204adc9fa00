import datetime

import pytest
from django.test import Client
from django.urls import URLPattern, get_resolver, reverse
from django.utils import timezone

from programme.core.models import ProgrammeSettings
from programme.matching.models import PairingStatus
from programme.meetings.urls import PUBLIC_NAMES
from tests.matching.factories import MenteeEnrolmentFactory, MentorEnrolmentFactory
from tests.meetings.conftest import engaged_pairing_between, log_meeting, sign_in_as

pytestmark = pytest.mark.django_db

HOME_URL = reverse("meetings:home")
SIGN_IN_URL = reverse("meetings:sign_in")


def page(client: Client, url: str = HOME_URL) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_home_shows_partner_details(mentee_client):
    content = page(mentee_client)

    assert "Welcome, Nadia" in content
    assert "Your mentor: Paul Carter" in content
    assert "paul@example.org" in content
    assert "paul.home@example.net" in content
    assert "United Kingdom" in content
    assert "Royal Example Infirmary" in content
    assert "Education" in content


def test_home_mentor_sees_mentee(mentor_client):
    content = page(mentor_client)

    assert "Your mentee: Nadia Rahman" in content
    assert "nadia.home@example.net" in content
    assert "Ospedale Esempio" in content
    assert "Research" in content


def test_home_waiting_mentee(client):
    enrolment = MenteeEnrolmentFactory()
    sign_in_as(client, enrolment.application.person)

    content = page(client)

    assert "Waiting to be matched" in content
    assert "Log a meeting" not in content


def test_home_mentor_without_mentee(client):
    enrolment = MentorEnrolmentFactory()
    sign_in_as(client, enrolment.application.person)

    content = page(client)

    assert "No mentee yet" in content


def test_home_timeline_marks_past_and_next(mentee_client, pairing):
    response = mentee_client.get(HOME_URL)

    item = response.context["overview"].current[0]
    labels = [(m.is_past, m.is_next) for m in item.milestones]
    assert labels == [(True, False), (False, True), (False, False), (False, False)]
    assert pairing.checkin_due_on.strftime("%-d %B %Y") in response.content.decode()
    assert pairing.completion_due_on.strftime("%-d %B %Y") in response.content.decode()


def test_home_links_tips(mentee_client):
    content = page(mentee_client)

    assert f'href="{reverse("public:tips")}"' in content


def test_home_progress_towards_minimum(mentee_client, pairing):
    log_meeting(pairing)

    content = page(mentee_client)

    assert "1 of at least 4 meetings logged: 3 to go" in content
    assert '<progress class="w-100 mb-3" max="4" value="1"' in content


def test_home_progress_follows_setting(mentee_client, pairing):
    programme = ProgrammeSettings.objects.get_current()
    programme.minimum_meetings = 6
    programme.save()
    log_meeting(pairing)

    content = page(mentee_client)

    assert "1 of at least 6 meetings logged: 5 to go" in content


def test_home_lists_meetings(mentee_client, pairing):
    log_meeting(pairing, topic="Reading temporal bone CT")

    content = page(mentee_client)

    assert "Reading temporal bone CT" in content
    assert "Ask about funding in spring." in content


def test_home_completed_pairing_listed_as_past(mentee_client, pairing):
    pairing.status = PairingStatus.COMPLETED
    pairing.mentor_place = None
    pairing.save()

    response = mentee_client.get(HOME_URL)

    overview = response.context["overview"]
    assert overview.current == []
    assert [item.pairing for item in overview.past] == [pairing]
    assert "Past pairings" in response.content.decode()


def test_home_hides_other_pairings(mentee_client, other_pairing):
    log_meeting(other_pairing, topic="Another pair's topic")

    content = page(mentee_client)

    assert "Another pair&#x27;s topic" not in content
    assert other_pairing.mentor_enrolment.application.person.full_name not in content


def test_pairing_page_shows_own(mentee_client, pairing):
    content = page(mentee_client, reverse("meetings:pairing", args=[pairing.pk]))

    assert "Your pairing with Paul Carter" in content


def test_pairing_page_other_pairing_404(mentee_client, other_pairing):
    response = mentee_client.get(reverse("meetings:pairing", args=[other_pairing.pk]))

    assert response.status_code == 404


def test_pairing_page_proposed_pairing_404(client):
    proposed = engaged_pairing_between(MentorEnrolmentFactory(), MenteeEnrolmentFactory())
    proposed.status = PairingStatus.PROPOSED
    proposed.mentor_place = None
    proposed.save()
    sign_in_as(client, proposed.mentee_enrolment.application.person)

    response = client.get(reverse("meetings:pairing", args=[proposed.pk]))

    assert response.status_code == 404


def test_home_not_cached(mentee_client):
    response = mentee_client.get(HOME_URL)

    assert "no-store" in response["Cache-Control"]


def portal_urls() -> list[tuple[str, str]]:
    """Return (name, path) for every meetings URL, with 1 for each path parameter."""
    resolver = get_resolver()
    urls = []
    for entry in resolver.url_patterns:
        if getattr(entry, "namespace", None) != "meetings":
            continue
        for pattern in entry.url_patterns:
            assert isinstance(pattern, URLPattern)
            arguments = {name: 1 for name in pattern.pattern.converters}
            urls.append((pattern.name, reverse(f"meetings:{pattern.name}", kwargs=arguments)))
    return urls


@pytest.mark.parametrize("method", ["get", "post"])
def test_portal_urls_send_anonymous_to_sign_in(client, method):
    unexpected = []

    for name, url in portal_urls():
        if name in PUBLIC_NAMES:
            continue
        response = getattr(client, method)(url)
        if response.status_code == 405:
            continue
        if response.status_code != 302 or response["Location"] != SIGN_IN_URL:
            unexpected.append((name, method, response.status_code))

    assert unexpected == []


def test_portal_urls_found(client):
    names = {name for name, _ in portal_urls()}

    assert {"sign_in", "use_link", "sign_out", "home", "my_data_json"} <= names


def test_public_nav_links_sign_in(client):
    content = client.get(reverse("public:home")).content.decode()

    assert f'href="{SIGN_IN_URL}">Participant sign-in</a>' in content


@pytest.mark.parametrize("count", [1, 3])
def test_home_query_count_constant(mentee_client, pairing, count, django_assert_num_queries):
    for days_ago in range(count):
        log_meeting(pairing, days_ago=days_ago)
    ProgrammeSettings.objects.get_current()

    # The portal's own reads, then the open check-ins and certificates (two)
    # and the open questionnaires (one).
    with django_assert_num_queries(13):
        response = mentee_client.get(HOME_URL)

    assert response.status_code == 200
    assert len(response.context["overview"].current[0].meetings) == count


def test_home_meetings_newest_first(mentee_client, pairing):
    older = log_meeting(pairing, days_ago=10)
    newer = log_meeting(pairing, days_ago=2)

    response = mentee_client.get(HOME_URL)

    meetings = response.context["overview"].current[0].meetings
    assert meetings == [newer, older]


def test_home_engaged_today_marks_engagement_past(client):
    pairing = engaged_pairing_between(
        MentorEnrolmentFactory(), MenteeEnrolmentFactory(), days_ago=0
    )
    sign_in_as(client, pairing.mentee_enrolment.application.person)

    response = client.get(HOME_URL)

    first = response.context["overview"].current[0].milestones[0]
    assert first.due_on == timezone.localdate()
    assert first.is_past is True
    assert timezone.localdate() - pairing.engaged_on == datetime.timedelta(0)


def test_home_lists_ended_pairing_as_past(mentee_client, pairing):
    log_meeting(pairing, days_ago=3)
    pairing.status = PairingStatus.ENDED
    pairing.save(update_fields=["status"])

    response = mentee_client.get(HOME_URL)

    overview = response.context["overview"]
    assert overview.current == []
    assert [item.pairing for item in overview.past] == [pairing]
    assert overview.past[0].meeting_count == 1

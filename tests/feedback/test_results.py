import re

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from programme.applications.models import Role
from programme.core.models import ProgrammeSettings
from programme.core.roles import CORE_TEAM, OFFICE
from programme.feedback.models import Likert, Response, Topic
from programme.feedback.selectors import questionnaire_results, too_few_message
from tests.core.staff import create_staff_user, signed_in_client
from tests.feedback.helpers import due_pairing, invitations_for, respond

pytestmark = pytest.mark.django_db

TOO_FEW = too_few_message(5)


def results_url(questionnaire, **query) -> str:
    url = reverse("admin:feedback_questionnaire_results", args=[questionnaire.pk])
    return url + (f"?cycle={query['cycle']}" if "cycle" in query else "")


def mentee_responses(count: int, **answers) -> None:
    """Invite new pairings and let their mentees answer; the mentors do not answer."""
    for _ in range(count):
        pairing = due_pairing()
        respond(invitations_for(pairing)[Role.MENTEE], **answers)


def staff_with_results(username: str = "results-office", group: str = OFFICE):
    user = create_staff_user(username, group=group)
    # Granted here as well as through the role, so these tests check the page
    # itself. test_roles_may_see_results checks the roles.
    user.user_permissions.add(Permission.objects.get(codename="view_response"))
    return signed_in_client(user)


def group(result, key: str):
    return next(group for group in result.groups if group.key == key)


def test_results_four_responses_suppressed(six_month):
    mentee_responses(4)
    cycle = six_month.invitations.first().cycle

    results = questionnaire_results(six_month, cycle=cycle)

    statement = results.statements[0]
    assert group(statement, "mentee").hidden_reason == TOO_FEW
    assert group(statement, "all").hidden_reason == TOO_FEW
    assert group(results.meetings[0], "mentee").hidden_reason == TOO_FEW
    assert results.free_texts[0].groups[1].hidden_reason == TOO_FEW
    assert results.free_texts[0].groups[1].texts == []


def test_results_five_responses_shown(six_month):
    mentee_responses(3, scale=Likert.STRONGLY_AGREE, meetings=2, topics=[Topic.CAREER])
    mentee_responses(2, scale=Likert.UNSURE, meetings=6, topics=[Topic.CAREER, Topic.OTHER])
    cycle = six_month.invitations.first().cycle

    results = questionnaire_results(six_month, cycle=cycle)

    statement = results.statements[0]
    mentees = group(statement, "mentee")
    meetings = group(results.meetings[0], "mentee")
    topics = group(results.topics[0], "mentee")
    assert mentees.hidden_reason == ""
    assert mentees.size == 5
    assert statement.table[1] == (mentees, [0, 0, 40, 0, 60])
    assert group(statement, "mentor").hidden_reason == TOO_FEW
    assert meetings.mean == 3.6
    assert (meetings.minimum, meetings.maximum) == (2, 6)
    assert topics.counts[Topic.CAREER] == 5
    assert topics.counts[Topic.OTHER] == 2
    assert topics.counts[Topic.RESEARCH] == 0


def test_results_response_rate(six_month):
    mentee_responses(5)
    cycle = six_month.invitations.first().cycle

    rates = questionnaire_results(six_month, cycle=cycle).response_rates

    assert [(rate.label, rate.invited, rate.responded) for rate in rates] == [
        ("Mentors", 5, 0),
        ("Mentees", 5, 5),
        ("All", 10, 5),
    ]
    assert rates[2].percent == 50
    assert all(rate.shown for rate in rates)


def test_results_response_rate_hidden_for_small_groups(six_month):
    mentee_responses(2)
    cycle = six_month.invitations.first().cycle
    client = staff_with_results()

    rates = questionnaire_results(six_month, cycle=cycle).response_rates
    page = client.get(results_url(six_month, cycle=cycle)).content.decode()

    assert not any(rate.shown for rate in rates)
    assert "Too few invited to show (fewer than 5 in a group)" in page
    assert "100%" not in page


def test_results_free_text_sorted(six_month):
    for text in ("melon", "Apple", "banana", "cherry", "date"):
        mentee_responses(1, text=text)
    cycle = six_month.invitations.first().cycle

    results = questionnaire_results(six_month, cycle=cycle)

    mentees = results.free_texts[0].groups[1]
    assert mentees.texts == ["Apple", "banana", "cherry", "date", "melon"]


def test_results_free_text_shown_beside_small_role(six_month):
    mentee_responses(5, text="Mentee view")
    pairing = due_pairing()
    respond(invitations_for(pairing)[Role.MENTOR], text="Mentor view")
    cycle = six_month.invitations.first().cycle

    results = questionnaire_results(six_month, cycle=cycle)

    mentors, mentees = results.free_texts[0].groups
    assert mentors.hidden_reason == TOO_FEW
    assert mentors.texts == []
    assert mentees.texts == ["Mentee view"] * 5
    assert group(results.statements[0], "mentee").hidden_reason.startswith("Not shown")


def test_results_other_cycle_left_out(six_month):
    mentee_responses(5)
    cycle = six_month.invitations.first().cycle

    results = questionnaire_results(six_month, cycle=str(int(cycle) + 1))

    assert group(results.statements[0], "all").size == 0


def test_results_page_office_sees_chart(six_month):
    mentee_responses(5)
    client = staff_with_results()

    response = client.get(results_url(six_month))

    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('class="feedback-chart"') == 10
    assert TOO_FEW in page
    # An inline style attribute. SVG's font-style presentation attribute is allowed.
    assert re.findall(r"\sstyle=", page.split('id="content-main"')[1]) == []


def test_results_page_unknown_cycle_shows_newest(six_month):
    mentee_responses(1)
    client = staff_with_results()

    response = client.get(results_url(six_month, cycle="1999"), follow=True)

    assert response.status_code == 200
    content = response.content.decode()
    assert "There are no invitations or responses for cycle &#x27;1999&#x27;" in content


def test_results_page_without_invitations_says_so(six_month):
    client = staff_with_results()

    response = client.get(results_url(six_month))

    assert "Nobody has been invited to this questionnaire yet" in response.content.decode()


def test_results_page_anonymous_sent_to_login(client, six_month):
    response = client.get(results_url(six_month))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_results_page_without_permission_forbidden(six_month):
    user = create_staff_user("no-results")
    client = signed_in_client(user)

    response = client.get(results_url(six_month))

    assert response.status_code == 403


def test_results_page_queries_constant(six_month):
    client = staff_with_results()
    settings_row = ProgrammeSettings.objects.get_current()
    # Every group is shown, so all figures are worked out at both sizes.
    ProgrammeSettings.objects.filter(pk=settings_row.pk).update(feedback_min_group_size=1)
    mentee_responses(1)
    url = results_url(six_month)
    with CaptureQueriesContext(connection) as one_response:
        client.get(url)

    mentee_responses(2)
    with CaptureQueriesContext(connection) as three_responses:
        client.get(url)

    assert len(three_responses) == len(one_response)


def test_questionnaire_change_page_links_results(six_month):
    editor = create_staff_user("editor", group=OFFICE)
    editor.user_permissions.add(
        *Permission.objects.filter(codename__in=["change_questionnaire", "view_response"])
    )
    client = signed_in_client(editor)

    page = client.get(
        reverse("admin:feedback_questionnaire_change", args=[six_month.pk])
    ).content.decode()

    assert results_url(six_month) in page


@pytest.mark.parametrize("role", [OFFICE, CORE_TEAM])
def test_roles_may_see_results(role):
    codenames = Group.objects.get(name=role).permissions.values_list("codename", flat=True)

    assert "view_response" in codenames


def test_results_default_cycle_large_enough(six_month):
    mentee_responses(5)
    shown_cycle = six_month.invitations.first().cycle
    Response.objects.create(questionnaire=six_month, role=Role.MENTEE, cycle="2999")
    client = staff_with_results()

    response = client.get(results_url(six_month))

    assert response.context["cycle"] == shown_cycle
    assert "2999" in response.context["cycles"]

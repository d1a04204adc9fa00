"""A participant's half year in a real browser, and the office reading the results.

The mentee signs in by the link in their letter, logs a meeting and answers
the six-month questionnaire; an office user then sees the statements as
charts. Four other pairs answered before, so the groups are large enough to
show.
"""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from programme.core.roles import OFFICE
from programme.feedback.models import Invitation, Questionnaire, QuestionnaireKind, Response
from programme.letters.models import Letter, LetterKind
from programme.meetings.models import Meeting
from tests.browser.test_match_in_browser import sign_in
from tests.core.staff import create_staff_user
from tests.factories import PersonFactory
from tests.feedback.helpers import due_pairing, invitations_for, respond
from tests.matching.test_consensus import enrol_mentee, enrol_mentor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ADDRESS = "amira@example.org"


def link_in_letter(kind: str) -> str:
    letter = Letter.objects.filter(kind=kind).latest("created_at")
    return re.search(r"http://\S+", letter.body).group(0)


def test_participant_logs_meeting_answers_and_office_sees_chart(
    page: Page, live_server, settings, page_problems
):
    settings.SITE_URL = live_server.url
    today = timezone.localdate()
    mentee = enrol_mentee(
        person=PersonFactory(
            given_name="Amira",
            family_name="Haddad",
            primary_email=ADDRESS,
            secondary_email="amira.home@example.net",
            country="EG",
        )
    )
    mentor = enrol_mentor(
        person=PersonFactory(given_name="Lars", family_name="Nilsson", country="SE")
    )
    pairing = due_pairing(
        mentee_enrolment=mentee,
        mentor_enrolment=mentor,
        engaged_on=today - datetime.timedelta(days=190),
        checkin_due_on=today - datetime.timedelta(days=160),
        completion_due_on=today + datetime.timedelta(days=175),
    )
    for _ in range(4):
        for invitation in invitations_for(due_pairing()).values():
            respond(invitation)
    invitations_for(pairing)

    page.goto(live_server.url + reverse("meetings:sign_in"))
    page.get_by_label("Your e-mail address").fill(ADDRESS)
    page.get_by_role("button", name="Send me a sign-in link").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.goto(link_in_letter(LetterKind.SIGN_IN_LINK))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Lars Nilsson").first).to_be_visible()

    page.get_by_role("link", name="Log a meeting").click()
    page.get_by_label("Date of the meeting").fill(
        (today - datetime.timedelta(days=20)).isoformat()
    )
    page.get_by_label("Length in minutes").fill("40")
    page.get_by_label("The mentee").check()
    page.get_by_label("Theme").select_option("career")
    page.get_by_label("Topic").fill("Preparing for a consultant interview")
    page.get_by_role("button", name="Save the meeting").click()
    expect(page.get_by_text("The meeting is saved in your log.")).to_be_visible()
    meeting = Meeting.objects.get(pairing=pairing)
    assert meeting.topic == "Preparing for a consultant interview"
    assert meeting.minutes == 40

    page.goto(live_server.url + reverse("meetings:home"))
    questionnaire = Questionnaire.objects.get(kind=QuestionnaireKind.SIX_MONTH)
    page.get_by_role("link", name=re.compile(questionnaire.title)).first.click()
    for radio in page.locator("input[type=radio][value='5']").all():
        radio.check()
    page.locator("input[type=number]").fill("1")
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Thank you")
    mentee_invitation = Invitation.objects.get(pairing=pairing, enrolment=mentee)
    assert mentee_invitation.responded is True
    assert Response.objects.filter(questionnaire=questionnaire).count() == 9

    page.context.clear_cookies()
    sign_in(page, live_server.url, create_staff_user("office-browser", group=OFFICE))
    page.goto(
        live_server.url + reverse("admin:feedback_questionnaire_results", args=[questionnaire.pk])
    )
    charts = page.locator("svg")
    expect(charts.first).to_be_visible()
    assert charts.count() >= 10
    bar_titles = page.locator("svg title").all_text_contents()
    assert "All: Strongly agree 100%" in bar_titles
    assert page_problems == []

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from programme.core.roles import CORE_TEAM
from programme.letters.models import Letter, LetterKind, LetterState
from programme.matching.models import Pairing, PairingStatus
from tests.core.staff import PASSWORD, create_staff_user, next_code
from tests.factories import PersonFactory
from tests.matching.test_consensus import enrol_mentee, enrol_mentor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, base_url: str, user) -> None:
    page.goto(f"{base_url}/admin/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("6-digit code").fill(next_code(user))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Log out").click()
    page.context.clear_cookies()


def approve_in_review_list(page: Page, base_url: str, reviewer, pairing: Pairing) -> None:
    sign_in(page, base_url, reviewer)
    page.goto(base_url + reverse("admin:matching_pairing_reviews"))
    page.get_by_role("link", name=f"Review pairing {pairing.pk}").click()
    expect(page.get_by_role("heading", name="Rules")).to_be_visible()
    page.get_by_label("Comment (optional)").fill("A good fit for research.")
    page.get_by_role("button", name="Approve the pairing").click()
    expect(page.locator(".messagelist")).to_be_visible()


def test_core_team_proposes_and_approves_letter_reaches_smtp(
    page: Page, live_server, settings, smtp_server, run_worker, page_problems
):
    settings.SITE_URL = live_server.url
    controller, handler = smtp_server
    controller.start()
    proposer, first, second = (
        create_staff_user(f"core-browser-{number}", group=CORE_TEAM) for number in range(3)
    )
    mentee = enrol_mentee(
        person=PersonFactory(
            given_name="Chiara",
            family_name="Rossi",
            primary_email="chiara@example.org",
            secondary_email="chiara.home@example.net",
            country="IT",
        ),
        area_research=True,
    )
    mentor = enrol_mentor(
        person=PersonFactory(
            given_name="Hannah",
            family_name="Becker",
            primary_email="hannah@example.org",
            secondary_email="hannah.home@example.net",
            country="DE",
        ),
        capacity=2,
    )

    sign_in(page, live_server.url, proposer)
    page.goto(
        live_server.url + reverse("admin:matching_waitingmentee_suggestions", args=[mentee.pk])
    )
    page.locator(f"#mentor-{mentor.pk}").get_by_role("button", name="Propose this mentor").click()
    expect(page.locator(".messagelist")).to_contain_text("is proposed")
    sign_out(page)
    pairing = Pairing.objects.get(mentee_enrolment=mentee)

    approve_in_review_list(page, live_server.url, first, pairing)
    expect(page.locator(".messagelist")).to_contain_text("1 more approval")
    sign_out(page)
    approve_in_review_list(page, live_server.url, second, pairing)
    expect(page.locator(".messagelist")).to_contain_text("the pairing is engaged")
    run_worker()
    run_worker()

    pairing.refresh_from_db()
    assert pairing.status == PairingStatus.ENGAGED
    letter = Letter.objects.get(kind=LetterKind.ENGAGEMENT)
    assert letter.state == LetterState.SENT
    assert len(handler.messages) == 1
    message = handler.messages[0]
    assert message["To"] == "hannah@example.org, chiara@example.org"
    assert message["Cc"] == "hannah.home@example.net, chiara.home@example.net"
    assert page_problems == []

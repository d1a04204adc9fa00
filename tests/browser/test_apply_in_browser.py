import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from programme.applications.models import Application
from programme.core.models import Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fill_mentee_form(page: Page) -> None:
    page.get_by_label("Given name").fill("Zoë")
    page.get_by_label("Family name").fill("Παπαδοπούλου")
    page.get_by_label("E-mail address*", exact=True).fill("zoe.p@example.org")
    page.get_by_label("Second e-mail address").fill("zoe.p@example.org")
    page.get_by_label("Country of practice").select_option("GR")
    page.get_by_label("Institution").fill("Example General Hospital")
    page.get_by_label("Female").check()
    page.get_by_label("Greek").check()
    page.get_by_label("English").check()
    page.get_by_label("Member of the society").check()
    page.get_by_label("Consultant in the early years after appointment").check()
    page.get_by_label("Years since appointment as consultant").fill("1")
    page.get_by_label("Research").check()
    page.get_by_label("Clinical practice").check()
    page.get_by_label("What would you like help with?").fill("Writing my first paper.")
    page.get_by_label("I have no access to mentoring").check()
    page.get_by_role("group", name="Have you been mentored before?").get_by_label("No").check()
    page.get_by_label("Why do you want to take part?").fill(
        "To learn from an experienced colleague."
    )
    page.get_by_label("Name of your head of training or head of department").fill(
        "Dr Nikos Example"
    )
    page.get_by_label("Their e-mail address").fill("head@example.com")
    page.get_by_label("I have read the privacy notice").check()


def test_mentee_applies_and_confirms_address(
    page: Page, live_server, settings, page_problems, run_worker
):
    settings.SITE_URL = live_server.url

    page.goto(live_server.url)
    page.get_by_role("link", name="Apply as a mentee").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Apply as a mentee")
    fill_mentee_form(page)
    page.get_by_role("button", name="Send my application").click()

    summary = page.locator("#form-errors")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Your application was not sent yet")
    expect(summary.get_by_role("link", name="Second e-mail address")).to_be_visible()
    expect(page.locator("#div_id_secondary_email")).to_contain_text("differs from the first")
    expect(page.get_by_label("Given name")).to_have_value("Zoë")
    expect(page.get_by_label("Family name")).to_have_value("Παπαδοπούλου")
    expect(page.get_by_label("What would you like help with?")).to_have_value(
        "Writing my first paper."
    )
    expect(page.get_by_label("Greek")).to_be_checked()
    expect(page.get_by_label("Country of practice")).to_have_value("GR")
    assert Application.objects.count() == 0

    page.get_by_label("Second e-mail address").fill("zoe.home@example.net")
    page.get_by_label("I have read the privacy notice").check()
    page.get_by_role("button", name="Send my application").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for applying")
    assert Application.objects.count() == 1

    run_worker()
    message = next(m for m in mail.outbox if m.to == ["zoe.p@example.org"])
    link = re.search(r"https?://\S+/confirm-address/\S+/", message.body).group(0)
    page.goto(link)
    page.get_by_role("button", name="Confirm my address").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Address confirmed")
    person = Person.objects.get()
    assert person.primary_email_confirmed_at is not None
    assert person.secondary_email_confirmed_at is None
    assert page_problems == []


def test_menu_opens_on_a_phone(page: Page, live_server, page_problems):
    page.set_viewport_size({"width": 375, "height": 740})

    page.goto(live_server.url)
    menu_link = page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Apply as a mentor"
    )
    expect(menu_link).to_be_hidden()
    page.get_by_role("button", name="Show menu").click()

    expect(menu_link).to_be_visible()
    assert page_problems == []

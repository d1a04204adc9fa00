import pytest
from playwright.sync_api import Page, expect

from programme.core.roles import OFFICE
from tests.core.staff import PASSWORD, create_staff_user, next_code
from tests.factories import ApplicationFactory, PersonFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_office_signs_in_with_code_and_sees_applications(page: Page, live_server, page_problems):
    user = create_staff_user("office-browser", group=OFFICE)
    ApplicationFactory(person=PersonFactory(given_name="Ingrid", family_name="Example"))

    page.goto(f"{live_server.url}/admin/applications/application/")
    expect(page.get_by_label("6-digit code")).to_be_visible()
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("6-digit code").fill(next_code(user))
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Select application to view")
    expect(page.get_by_role("link", name="Ingrid Example")).to_be_visible()
    assert page_problems == []


def test_wrong_code_keeps_office_on_sign_in_page(page: Page, live_server, page_problems):
    user = create_staff_user("office-browser", group=OFFICE)
    right = next_code(user)
    wrong = "000000" if right != "000000" else "111111"

    page.goto(f"{live_server.url}/admin/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("6-digit code").fill(wrong)
    page.get_by_role("button", name="Sign in").click()

    expect(page.locator(".errornote")).to_contain_text(
        "The user name, password or code is not right"
    )
    expect(page.get_by_label("Password")).to_have_value("")
    assert page_problems == []

import pypdfium2
import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from programme.applications.models import ApplicationStatus
from programme.core.roles import OFFICE
from programme.letters.models import Letter, LetterState
from tests.core.staff import PASSWORD, create_staff_user, next_code
from tests.factories import ApplicationFactory, PersonFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def pdf_text(pdf: bytes) -> str:
    document = pypdfium2.PdfDocument(pdf)
    return " ".join(
        document[index].get_textpage().get_text_range() for index in range(len(document))
    )


def test_office_vets_mentee_and_letters_reach_smtp(
    page: Page, live_server, settings, smtp_server, run_worker, page_problems
):
    settings.SITE_URL = live_server.url
    controller, handler = smtp_server
    controller.start()
    office = create_staff_user("office-browser", group=OFFICE)
    application = ApplicationFactory(
        person=PersonFactory(
            given_name="Αικατερίνη",
            family_name="Παπαδοπούλου",
            primary_email="katerina@example.org",
            secondary_email="katerina.home@example.net",
        ),
        training_year=None,
        consultant_years=1,
        head_of_department_name="Prof. 王秀英",
        head_of_department_email="head@example.com",
    )

    page.goto(f"{live_server.url}/admin/")
    page.get_by_label("Username").fill(office.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("6-digit code").fill(next_code(office))
    page.get_by_role("button", name="Sign in").click()
    page.goto(
        live_server.url + reverse("admin:applications_application_vetting", args=[application.pk])
    )
    page.get_by_label("Eligible", exact=True).check()
    page.get_by_role("button", name="Decide and send the letter").click()
    expect(page.locator(".messagelist")).to_be_visible()
    run_worker()
    run_worker()

    application.refresh_from_db()
    assert application.status == ApplicationStatus.ELIGIBLE
    assert Letter.objects.filter(state=LetterState.SENT).count() == 2
    by_recipient = {message["To"]: message for message in handler.messages}
    assert sorted(by_recipient) == ["head@example.com", "katerina@example.org"]
    assert len(handler.messages) == 2
    enrolment = by_recipient["katerina@example.org"]
    assert enrolment["Cc"] == "katerina.home@example.net"
    attachment = next(
        part for part in enrolment.walk() if part.get_content_type() == "application/pdf"
    )
    assert "Αικατερίνη Παπαδοπούλου" in pdf_text(attachment.get_payload(decode=True))
    head = by_recipient["head@example.com"]
    head_pdf = next(part for part in head.walk() if part.get_content_type() == "application/pdf")
    text = pdf_text(head_pdf.get_payload(decode=True))
    assert "Prof. 王秀英" in text
    assert "Αικατερίνη Παπαδοπούλου" in text
    assert page_problems == []

import pytest
from django.urls import reverse

from programme.applications.models import ApplicationStatus
from programme.applications.services import make_withdrawal_token
from programme.vetting.models import EnrolmentStatus, VettingDecision
from tests.factories import ApplicationFactory
from tests.vetting.factories import EnrolmentFactory

pytestmark = pytest.mark.django_db


def withdraw_url(application) -> str:
    return reverse("vetting:withdraw", kwargs={"token": make_withdrawal_token(application)})


def test_withdraw_get_changes_nothing(client):
    application = ApplicationFactory()

    response = client.get(withdraw_url(application))

    application.refresh_from_db()
    assert response.status_code == 200
    assert "Withdraw my application" in response.content.decode()
    assert application.status == ApplicationStatus.SUBMITTED
    assert VettingDecision.objects.count() == 0


def test_withdraw_get_sends_no_store(client):
    application = ApplicationFactory()

    response = client.get(withdraw_url(application))

    assert "no-store" in response["Cache-Control"]


def test_withdraw_post_withdraws(client):
    application = ApplicationFactory()

    response = client.post(withdraw_url(application), {"reason": "My circumstances changed."})

    application.refresh_from_db()
    decision = VettingDecision.objects.get()
    assert response.status_code == 200
    assert "Your application is withdrawn" in response.content.decode()
    assert application.status == ApplicationStatus.WITHDRAWN
    assert decision.by_applicant is True
    assert decision.reason == "My circumstances changed."


def test_withdraw_post_without_reason_withdraws(client):
    application = ApplicationFactory()

    response = client.post(withdraw_url(application), {})

    application.refresh_from_db()
    assert response.status_code == 200
    assert application.status == ApplicationStatus.WITHDRAWN


def test_withdraw_post_twice_harmless(client):
    application = ApplicationFactory()
    client.post(withdraw_url(application), {"reason": ""})

    response = client.post(withdraw_url(application), {"reason": ""})

    assert response.status_code == 200
    assert VettingDecision.objects.count() == 1


def test_withdraw_get_after_withdrawal_says_so(client):
    application = ApplicationFactory(status=ApplicationStatus.WITHDRAWN)

    page = client.get(withdraw_url(application)).content.decode()

    assert "already" in page
    assert "Withdraw my application" not in page


def test_withdraw_post_ends_enrolment(client):
    enrolment = EnrolmentFactory()

    client.post(withdraw_url(enrolment.application), {"reason": ""})

    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.WITHDRAWN


def test_withdraw_not_eligible_application_stays_closed(client):
    application = ApplicationFactory(status=ApplicationStatus.NOT_ELIGIBLE)

    response = client.post(withdraw_url(application), {"reason": ""})

    application.refresh_from_db()
    assert response.status_code == 200
    assert "already closed" in response.content.decode()
    assert application.status == ApplicationStatus.NOT_ELIGIBLE


@pytest.mark.parametrize("method", ["get", "post"])
def test_withdraw_bad_token_400(client, method):
    application = ApplicationFactory()
    url = withdraw_url(application)[:-3] + "xx/"

    response = getattr(client, method)(url)

    application.refresh_from_db()
    assert response.status_code == 400
    assert "This link is not valid" in response.content.decode()
    assert application.status == ApplicationStatus.SUBMITTED


def test_withdraw_token_of_replaced_submission_400(client):
    application = ApplicationFactory()
    url = withdraw_url(application)
    application.submission_token = "another-submission"
    application.save()

    response = client.post(url)

    assert response.status_code == 400


def test_withdraw_too_long_reason_keeps_application(client):
    application = ApplicationFactory()

    response = client.post(withdraw_url(application), {"reason": "x" * 2001})

    application.refresh_from_db()
    assert response.status_code == 400
    assert application.status == ApplicationStatus.SUBMITTED
    assert "x" * 2001 in response.content.decode()


def test_withdraw_page_has_no_inline_style_or_script(client):
    application = ApplicationFactory()

    page = client.get(withdraw_url(application)).content.decode()

    assert "style=" not in page
    assert "<style" not in page
    assert "<script>" not in page

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from programme.applications.models import ApplicationStatus
from programme.letters.models import Letter, LetterBatch, LetterState
from programme.vetting.models import Decision, Enrolment, VettingDecision
from tests.factories import ApplicationFactory
from tests.vetting.factories import EnrolmentFactory, VettingDecisionFactory

pytestmark = pytest.mark.django_db

VET = "applications.vet_application"
VIEW = "applications.view_application"
CONTACTS = "applications.view_contact_details"
CHANGELIST = reverse("admin:applications_application_changelist")


def vetting_url(application) -> str:
    return reverse("admin:applications_application_vetting", args=[application.pk])


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def query_count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


def test_vetting_page_ok_with_permission(staff_client):
    client, _ = staff_client(VIEW, VET)
    application = ApplicationFactory(motivation="A motivation the office must read.")

    response = client.get(vetting_url(application))

    page = response.content.decode()
    assert response.status_code == 200
    assert "A motivation the office must read." in page
    assert "Assessment: All criteria met" in page
    assert 'name="_decide"' in page
    assert "no-store" in response["Cache-Control"]


def test_vetting_page_403_without_permission(staff_client):
    client, _ = staff_client(VIEW)
    application = ApplicationFactory()

    response = client.get(vetting_url(application))

    assert response.status_code == 403


def test_vetting_page_anonymous_redirected_to_login(client):
    application = ApplicationFactory()

    response = client.get(vetting_url(application))

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_vetting_page_unknown_application_404(staff_client):
    client, _ = staff_client(VIEW, VET)

    response = client.get(reverse("admin:applications_application_vetting", args=[999999]))

    assert response.status_code == 404


def test_vetting_page_hides_head_contact(staff_client):
    client, _ = staff_client(VIEW, VET)
    application = ApplicationFactory(
        head_of_department_name="Prof. Hidden Head", head_of_department_email="hidden@example.com"
    )

    page = client.get(vetting_url(application)).content.decode()

    assert "Prof. Hidden Head" not in page
    assert "hidden@example.com" not in page


def test_vetting_page_shows_head_contact(staff_client):
    client, _ = staff_client(VIEW, VET, CONTACTS)
    application = ApplicationFactory(
        head_of_department_name="Prof. Shown Head", head_of_department_email="shown@example.com"
    )

    page = client.get(vetting_url(application)).content.decode()

    assert "Prof. Shown Head" in page
    assert "shown@example.com" in page


def test_vetting_page_lists_earlier_decisions(staff_client):
    client, _ = staff_client(VIEW, VET)
    decision = VettingDecisionFactory(reason="Which year of training?")

    page = client.get(vetting_url(decision.application)).content.decode()

    assert "Which year of training?" in page
    assert "More information needed" in page


def test_vetting_page_decide_eligible_sends_letter(staff_client):
    client, user = staff_client(VIEW, VET)
    application = ApplicationFactory(mentor=True)

    response = client.post(
        vetting_url(application),
        {"decide-decision": "eligible", "decide-reason": "", "_decide": "1"},
    )

    application.refresh_from_db()
    letter = Letter.objects.get()
    assert response.status_code == 302
    assert response["Location"] == vetting_url(application)
    assert application.status == ApplicationStatus.ELIGIBLE
    assert letter.state == LetterState.APPROVED
    assert VettingDecision.objects.get().decided_by == user
    assert "is eligible" in messages_of(response)[0]


def test_vetting_page_not_eligible_needs_reason(staff_client):
    client, _ = staff_client(VIEW, VET)
    application = ApplicationFactory()

    response = client.post(
        vetting_url(application),
        {"decide-decision": "not_eligible", "decide-reason": " ", "_decide": "1"},
    )

    application.refresh_from_db()
    assert response.status_code == 200
    assert "Please give a reason" in response.content.decode()
    assert application.status == ApplicationStatus.SUBMITTED
    assert Letter.objects.count() == 0


def test_vetting_page_decide_twice_shows_error(staff_client):
    client, _ = staff_client(VIEW, VET)
    application = ApplicationFactory(mentor=True)
    data = {"decide-decision": "eligible", "decide-reason": "", "_decide": "1"}
    client.post(vetting_url(application), data)

    response = client.post(vetting_url(application), data)

    assert response.status_code == 302
    assert "cannot be decided again" in messages_of(response)[-1]
    assert Letter.objects.count() == 1


def test_vetting_page_post_403_without_permission(staff_client):
    client, _ = staff_client(VIEW)
    application = ApplicationFactory()

    response = client.post(
        vetting_url(application), {"decide-decision": "eligible", "_decide": "1"}
    )

    application.refresh_from_db()
    assert response.status_code == 403
    assert application.status == ApplicationStatus.SUBMITTED


def test_vetting_page_withdraw(staff_client):
    client, user = staff_client(VIEW, VET)
    enrolment = EnrolmentFactory()

    response = client.post(
        vetting_url(enrolment.application),
        {"withdraw-reason": "Asked by telephone.", "_withdraw": "1"},
    )

    enrolment.refresh_from_db()
    decision = VettingDecision.objects.get()
    assert response.status_code == 302
    assert enrolment.status == "withdrawn"
    assert decision.decision == Decision.WITHDRAWN
    assert decision.decided_by == user


def test_vetting_page_withdraw_needs_reason(staff_client):
    client, _ = staff_client(VIEW, VET)
    application = ApplicationFactory()

    response = client.post(vetting_url(application), {"withdraw-reason": "", "_withdraw": "1"})

    application.refresh_from_db()
    assert response.status_code == 200
    assert application.status == ApplicationStatus.SUBMITTED


def test_changelist_links_vetting_page_for_vetters(staff_client):
    client, _ = staff_client(VIEW, VET)
    application = ApplicationFactory()

    page = client.get(CHANGELIST).content.decode()

    assert vetting_url(application) in page


def test_changelist_no_vetting_link_without_permission(staff_client):
    client, _ = staff_client(VIEW)
    application = ApplicationFactory()

    page = client.get(CHANGELIST).content.decode()

    assert vetting_url(application) not in page


def test_change_page_hides_head_contact(staff_client):
    client, _ = staff_client(VIEW, VET)
    application = ApplicationFactory(head_of_department_email="hidden@example.com")

    page = client.get(
        reverse("admin:applications_application_change", args=[application.pk])
    ).content.decode()

    assert "hidden@example.com" not in page
    assert vetting_url(application) in page


def test_changelist_query_count_constant_for_vetters(staff_client):
    client, _ = staff_client(VIEW, VET)
    ApplicationFactory()
    with_one = query_count(client, CHANGELIST)
    ApplicationFactory.create_batch(2, mentor=True)

    with_three = query_count(client, CHANGELIST)

    assert with_one == with_three


@pytest.mark.parametrize(
    ("url_name", "permission", "factory"),
    [
        ("admin:vetting_enrolment_changelist", "vetting.view_enrolment", EnrolmentFactory),
        (
            "admin:vetting_vettingdecision_changelist",
            "vetting.view_vettingdecision",
            VettingDecisionFactory,
        ),
    ],
)
def test_record_changelist_query_count_constant(staff_client, url_name, permission, factory):
    client, _ = staff_client(permission)
    factory()
    with_one = query_count(client, reverse(url_name))
    factory.create_batch(2)

    with_three = query_count(client, reverse(url_name))

    assert with_one == with_three


def test_enrolment_page_read_only(staff_client):
    client, _ = staff_client("vetting.view_enrolment", "vetting.change_enrolment")
    enrolment = EnrolmentFactory()

    page = client.get(
        reverse("admin:vetting_enrolment_change", args=[enrolment.pk])
    ).content.decode()
    add = client.get(reverse("admin:vetting_enrolment_add"))

    assert 'name="_save"' not in page
    assert add.status_code == 403


def test_decision_page_shows_reason(staff_client):
    client, _ = staff_client("vetting.view_vettingdecision")
    decision = VettingDecisionFactory(reason="Send your membership number, please.")

    page = client.get(
        reverse("admin:vetting_vettingdecision_change", args=[decision.pk])
    ).content.decode()

    assert "Send your membership number, please." in page
    assert 'name="_save"' not in page


def bulk_action(client, applications, **extra):
    data = {
        "action": "decide_eligibility",
        ACTION_CHECKBOX_NAME: [application.pk for application in applications],
        **extra,
    }
    return client.post(CHANGELIST, data)


def test_bulk_action_shows_confirmation_with_count(staff_client):
    client, _ = staff_client(VIEW, VET)
    applications = ApplicationFactory.create_batch(3)

    response = bulk_action(client, applications, index="0")

    assert response.status_code == 200
    assert response.context["decidable_count"] == 3
    assert "You selected <strong>3</strong> applications" in response.content.decode()
    assert LetterBatch.objects.count() == 0


def test_bulk_action_confirmed_creates_one_batch(staff_client):
    client, _ = staff_client(VIEW, VET)
    applications = ApplicationFactory.create_batch(2, mentor=True)
    decided = ApplicationFactory(status=ApplicationStatus.NOT_ELIGIBLE)

    response = bulk_action(
        client, [*applications, decided], apply="yes", decision="eligible", reason=""
    )

    batch = LetterBatch.objects.get()
    assert response.status_code == 302
    assert batch.letters.count() == 2
    assert set(batch.letters.values_list("state", flat=True)) == {LetterState.DRAFT}
    assert Enrolment.objects.count() == 2
    assert "2 applications decided" in messages_of(response)[0]
    assert "1 application skipped" in messages_of(response)[1]


def test_bulk_action_reason_required_for_not_eligible(staff_client):
    client, _ = staff_client(VIEW, VET)
    applications = ApplicationFactory.create_batch(2)

    response = bulk_action(client, applications, apply="yes", decision="not_eligible", reason="")

    assert response.status_code == 200
    assert "Please give a reason" in response.content.decode()
    assert LetterBatch.objects.count() == 0


def test_bulk_action_unavailable_without_permission(staff_client):
    client, _ = staff_client(VIEW)
    application = ApplicationFactory()

    bulk_action(client, [application], apply="yes", decision="eligible", reason="")

    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert LetterBatch.objects.count() == 0

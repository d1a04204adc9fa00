import io

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from programme.core.fields import encrypted_field_names
from programme.core.roles import CORE_TEAM, OFFICE
from tests.core.staff import create_staff_user, sign_in
from tests.factories import ApplicationFactory, PersonFactory

CHANGELIST = reverse("admin:applications_application_changelist")


@pytest.fixture
def office_client(client):
    """A client signed in as an Office member with password and TOTP code."""
    response = sign_in(client, create_staff_user("officer", group=OFFICE))
    assert response.status_code == 302
    return client


@pytest.fixture
def core_team_client(client):
    """A client signed in as a Core team member, who may not see contact details."""
    response = sign_in(client, create_staff_user("core-member", group=CORE_TEAM))
    assert response.status_code == 302
    return client


def changelist_queries(client) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(CHANGELIST)
    assert response.status_code == 200
    return len(context.captured_queries)


@pytest.mark.django_db
def test_changelist_requires_login(client):
    response = client.get(CHANGELIST)

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


@pytest.mark.django_db
def test_changelist_shows_flags_and_country(office_client):
    person = PersonFactory(country="AT", primary_email_confirmed_at=timezone.now())
    ApplicationFactory(person=person)

    page = office_client.get(CHANGELIST).content.decode()

    assert "Austria" in page
    assert "Mentee" in page
    assert page.count('alt="confirmed"') == 1
    assert page.count('alt="not confirmed"') == 1


@pytest.mark.django_db
def test_changelist_query_count_constant(office_client):
    ApplicationFactory()
    with_one = changelist_queries(office_client)
    ApplicationFactory.create_batch(2, mentor=True)

    with_three = changelist_queries(office_client)

    assert with_one == with_three


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("role=mentor", 1),
        ("role=mentee", 2),
        ("status__exact=submitted", 3),
        ("person__country=IT", 1),
    ],
)
def test_changelist_filters(office_client, query, expected):
    ApplicationFactory(person=PersonFactory(country="IT"))
    ApplicationFactory()
    ApplicationFactory(mentor=True)

    response = office_client.get(f"{CHANGELIST}?{query}")

    assert response.context["cl"].result_count == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("Find.Me@Example.org", 1),
        ("  find.me@example.org  ", 1),
        ("backup.me@example.net", 1),
        ("find.me", 0),
        ("example.org", 0),
    ],
)
def test_changelist_search_by_exact_email(office_client, term, expected):
    person = PersonFactory(
        primary_email="find.me@example.org", secondary_email="backup.me@example.net"
    )
    ApplicationFactory(person=person)
    ApplicationFactory()

    response = office_client.get(CHANGELIST, {"q": term})

    assert response.context["cl"].result_count == expected


@pytest.mark.django_db
def test_application_page_is_view_only(office_client):
    application = ApplicationFactory()
    url = reverse("admin:applications_application_change", args=[application.pk])

    page = office_client.get(url).content.decode()
    response = office_client.post(url, {"status": "eligible"})

    application.refresh_from_db()
    assert 'name="_save"' not in page
    assert response.status_code == 403
    assert application.status == "submitted"


@pytest.mark.django_db
def test_change_page_shows_decrypted_answers(office_client):
    application = ApplicationFactory(
        motivation="A motivation the office must read.",
        person=PersonFactory(given_name="Αθηνά", primary_email="athena@example.org"),
    )

    response = office_client.get(
        reverse("admin:applications_application_change", args=[application.pk])
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "A motivation the office must read." in page
    assert "Αθηνά" in page
    assert "athena@example.org" in page
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_person_change_page_edits_contact(office_client):
    person = PersonFactory(primary_email="typo@exmaple.org")
    url = reverse("admin:core_person_change", args=[person.pk])
    form = office_client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data["primary_email"] = "fixed@example.org"
    data["languages"] = ["en", "fr"]

    response = office_client.post(url, data)

    person.refresh_from_db()
    assert response.status_code == 302
    assert person.primary_email == "fixed@example.org"
    assert person.languages == ["en", "fr"]


def test_no_admin_sorts_filters_or_searches_encrypted_columns(rf):
    # A superuser sees every column a list can show.
    request = rf.get("/admin/")
    request.user = User(username="everything", is_superuser=True, is_active=True, is_staff=True)
    for model, model_admin in admin.site._registry.items():
        encrypted = encrypted_field_names(model)
        related = {
            f"person__{name}"
            for name in encrypted_field_names(model._meta.apps.get_model("core", "Person"))
        }
        forbidden = encrypted | related
        filters = {
            item[0] if isinstance(item, tuple) else item for item in model_admin.list_filter
        }
        ordering = {name.lstrip("-") for name in (model_admin.ordering or ())}
        searches = {name.lstrip("=^@") for name in model_admin.search_fields}
        assert not filters & forbidden, model
        assert not ordering & forbidden, model
        assert not searches & forbidden, model
        assert not set(model_admin.get_sortable_by(request)) & forbidden, model


@pytest.mark.django_db
def test_create_demo_staff_can_view_applications(client, settings, monkeypatch):
    settings.DEBUG = True
    monkeypatch.setenv("DEMO_STAFF_PASSWORD", "demo-password-for-test")
    call_command("create_demo_staff", stdout=io.StringIO())
    ApplicationFactory()

    user = User.objects.get(username="office")
    sign_in(client, user, password="demo-password-for-test")
    response = client.get(CHANGELIST)

    assert user.check_password("demo-password-for-test")
    assert response.status_code == 200


@pytest.mark.django_db
def test_change_page_hides_contacts_from_core_team(core_team_client):
    application = ApplicationFactory(
        motivation="A motivation the core team reads for matching.",
        person=PersonFactory(
            primary_email="athena@example.org", secondary_email="athena.home@example.net"
        ),
        head_of_department_name="Prof. Hidden Head",
        head_of_department_email="hidden.head@example.com",
    )

    response = core_team_client.get(
        reverse("admin:applications_application_change", args=[application.pk])
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "A motivation the core team reads for matching." in page
    assert "athena@example.org" not in page
    assert "athena.home@example.net" not in page
    assert "Prof. Hidden Head" not in page
    assert "hidden.head@example.com" not in page
    assert "Edit contact details" not in page


@pytest.mark.django_db
def test_change_page_shows_contacts_to_office(office_client):
    application = ApplicationFactory(
        head_of_department_name="Prof. Shown Head",
        head_of_department_email="shown.head@example.com",
    )

    page = office_client.get(
        reverse("admin:applications_application_change", args=[application.pk])
    ).content.decode()

    assert "Prof. Shown Head" in page
    assert "shown.head@example.com" in page
    assert "Edit contact details" in page


@pytest.mark.django_db
def test_changelist_query_count_constant_for_core_team(core_team_client):
    ApplicationFactory()
    with_one = changelist_queries(core_team_client)
    ApplicationFactory.create_batch(2, mentor=True)

    with_three = changelist_queries(core_team_client)

    assert with_one == with_three


@pytest.mark.django_db
def test_person_page_forbidden_to_core_team(core_team_client):
    person = PersonFactory()

    response = core_team_client.get(reverse("admin:core_person_change", args=[person.pk]))

    assert response.status_code == 403


@pytest.mark.django_db
def test_core_team_cannot_find_application_by_email():
    from programme.core.roles import CORE_TEAM
    from tests.core.staff import create_staff_user, signed_in_client

    person = PersonFactory(primary_email="find.me@example.org")
    ApplicationFactory(person=person)
    core = signed_in_client(create_staff_user("core-member", group=CORE_TEAM))

    response = core.get(CHANGELIST, {"q": "find.me@example.org"})

    assert response.context["cl"].result_count == 0

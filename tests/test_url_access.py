"""Every URL is either declared public or sits behind the staff sign-in.

The role x URL matrix walks every admin URL pattern, so a new admin page is
checked as soon as it is registered. Anonymous visitors are sent to the sign-in
page. The office and the core team get the page or 403, never an error.
"""

import re

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from programme.core.models import ProgrammeSettings
from programme.core.roles import CORE_TEAM, OFFICE
from programme.core.services import record_event
from programme.letters.models import Letter, LetterBatch, LetterKind, LetterState
from programme.vetting.services import decide_eligible
from tests.core.staff import create_staff_user, signed_in_client
from tests.factories import ApplicationFactory

# Pages anyone may open, by their namespaced URL name.
PUBLIC_URL_NAMES = {
    "public:home",
    "public:how_it_works",
    "public:eligibility",
    "public:tips",
    "public:privacy",
    "applications:apply",
    "applications:thanks",
    "applications:confirm",
    "vetting:withdraw",
    "vetting:mentors",
    "vetting:renew",
    "meetings:sign_in",
    "meetings:sign_in_sent",
    "meetings:use_link",
    "meetings:sign_out",
    "feedback:respond",
    "year:checkin_answer",
    "year:verify",
}
# Pages for a signed-in participant; anonymous visitors are sent to
# meetings:sign_in, which tests/meetings/test_portal.py checks for each.
PARTICIPANT_URL_NAMES = {
    "meetings:home",
    "meetings:pairing",
    "meetings:meeting_add",
    "meetings:meeting_edit",
    "meetings:meeting_delete",
    "meetings:withdraw",
    "meetings:my_data",
    "meetings:my_data_json",
    "year:certificate_pdf",
}
# Everything under this prefix is Django's admin, which requires a staff sign-in.
STAFF_PREFIX = "admin/"
LOGIN_URL = reverse("admin:login")

# Admin URLs that are not gated by a model permission, with the status staff get.
# The sign-in page sends a signed-in user to the index. Logout accepts POST
# only. "View on site" redirects to an object's public page, or returns 404
# for models without one. The catch-all returns 404.
UNGATED_STATUS = {
    "admin:login": 302,
    "admin:logout": 405,
    "admin:view_on_site": 404,
    "admin catch-all": 404,
}
# URL prefixes the core team must be refused: letters, people's records and
# vetting decisions.
CORE_TEAM_FORBIDDEN_PREFIXES = (
    "/admin/letters/",
    "/admin/core/person/",
    "/admin/vetting/vettingdecision/",
)
PARAMETER = re.compile(r"<(?:[^>:]+:)?[^>]+>")


def walk(resolver: URLResolver, namespace: str = "", prefix: str = ""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from walk(entry, inner, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield name, prefix + str(entry.pattern)


def model_of(route: str):
    """The model whose ModelAdmin serves an ``admin/<app label>/<model>/...`` route."""
    parts = route.split("/")
    if len(parts) < 3:
        return None
    try:
        return apps.get_model(parts[1], parts[2])
    except (LookupError, ValueError):
        return None


def admin_urls() -> tuple[list[tuple[str, str]], list[str]]:
    """Return (label, path) for every admin URL pattern, and the routes left out.

    Path parameters are filled with the primary key of the first object of the
    pattern's model. A route whose model has no object yet is left out.
    """
    urls = []
    skipped = []
    for name, route in walk(get_resolver()):
        if not route.startswith(STAFF_PREFIX):
            continue
        if name == "admin:app_list":
            labels = sorted({model._meta.app_label for model in admin.site._registry})
            urls.extend((name, reverse(name, args=[label])) for label in labels)
        elif name == "admin:view_on_site":
            application = apps.get_model("applications", "Application").objects.first()
            content_type = ContentType.objects.get_for_model(application)
            urls.append((name, reverse(name, args=[content_type.pk, application.pk])))
        elif "(?P<" in route:
            urls.append(("admin catch-all", f"/{STAFF_PREFIX}no-such-page/"))
        elif "<" not in route:
            urls.append((name, f"/{route}"))
        else:
            model = model_of(route)
            instance = model._default_manager.order_by("pk").first() if model else None
            if instance is None:
                skipped.append(route)
                continue
            # Unnamed object patterns redirect to the change page.
            urls.append((name or route, "/" + PARAMETER.sub(str(instance.pk), route)))
    return urls, skipped


def staff_status(client: Client, url: str) -> int:
    """GET the URL as staff and return the status of the page it leads to.

    Redirects to another admin page (object URL to change page, for example)
    are followed. A redirect to the sign-in page or to the index, which is
    where the admin sends a request for a missing object, is returned as 302.
    """
    response = client.get(url)
    for _ in range(3):
        location = response.get("Location", "")
        if response.status_code != 302 or location.startswith(LOGIN_URL):
            break
        if location == reverse("admin:index"):
            break
        response = client.get(location)
    return response.status_code


@pytest.fixture
def office_user(db):
    return create_staff_user("matrix-office", group=OFFICE)


@pytest.fixture
def admin_objects(office_user):
    """One object of each admin model the roles touch, so object pages are walked too."""
    application = ApplicationFactory()
    ApplicationFactory(mentor=True)
    ProgrammeSettings.objects.get_current()
    record_event("tests.matrix.object_created", target=application)
    decide_eligible(application=application, actor=office_user)
    LetterBatch.objects.create(kind=LetterKind.TIPS_BULLETIN, description="Matrix batch")
    failed = Letter.objects.order_by("pk").first()
    Letter.objects.filter(pk=failed.pk).update(state=LetterState.FAILED)
    apps.get_model("axes", "AccessAttempt").objects.create(
        username="someone-else",
        ip_address="127.0.0.2",
        user_agent="test",
        http_accept="text/html",
        path_info=LOGIN_URL,
        get_data="",
        post_data="",
        failures_since_start=1,
        attempt_time=timezone.now(),
    )


def test_every_url_is_public_or_staff_only():
    undeclared = []
    for name, route in walk(get_resolver()):
        if name in PUBLIC_URL_NAMES or name in PARTICIPANT_URL_NAMES:
            continue
        if route.startswith(STAFF_PREFIX):
            continue
        undeclared.append((name, route))

    assert undeclared == []


def test_every_declared_public_name_exists():
    names = {name for name, _ in walk(get_resolver())}

    assert PUBLIC_URL_NAMES - names == set()


@pytest.mark.django_db
def test_admin_index_requires_login(client):
    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


@pytest.mark.parametrize("method", ["get", "post"])
def test_admin_urls_send_anonymous_to_login(client, admin_objects, method):
    urls, _ = admin_urls()
    unexpected = []

    for label, url in urls:
        if label == "admin:login":
            continue
        response = getattr(client, method)(url)
        location = response.get("Location", "")
        # Logout sends a visitor who is not signed in to the index, which then
        # sends them to the sign-in page.
        target = reverse("admin:index") if label == "admin:logout" else LOGIN_URL
        if response.status_code != 302 or not location.startswith(target):
            unexpected.append((label, url, response.status_code, location))

    assert unexpected == []


@pytest.mark.parametrize("role", [OFFICE, CORE_TEAM])
def test_admin_urls_give_staff_page_or_403(admin_objects, role):
    client = signed_in_client(create_staff_user("matrix-member", group=role))
    urls, _ = admin_urls()
    unexpected = []

    for label, url in urls:
        status = staff_status(client, url)
        expected = {UNGATED_STATUS[label]} if label in UNGATED_STATUS else {200, 403}
        if status not in expected:
            unexpected.append((label, url, status))

    assert unexpected == []


def test_admin_urls_forbid_core_team_letters_people_decisions(admin_objects):
    client = signed_in_client(create_staff_user("matrix-core", group=CORE_TEAM))
    urls, _ = admin_urls()
    checked = [(label, url) for label, url in urls if url.startswith(CORE_TEAM_FORBIDDEN_PREFIXES)]
    prefixes_found = {
        prefix
        for prefix in CORE_TEAM_FORBIDDEN_PREFIXES
        if any(url.startswith(prefix) for _, url in checked)
    }

    allowed = []
    for label, url in checked:
        status = staff_status(client, url)
        if status != 403:
            allowed.append((label, url, status))

    assert allowed == []
    assert prefixes_found == set(CORE_TEAM_FORBIDDEN_PREFIXES)


@pytest.mark.parametrize(
    ("role", "url_name", "expected"),
    [
        (OFFICE, "admin:applications_application_changelist", 200),
        (OFFICE, "admin:core_person_changelist", 200),
        (OFFICE, "admin:core_auditevent_changelist", 200),
        (OFFICE, "admin:letters_letter_changelist", 200),
        (OFFICE, "admin:letters_letterbatch_changelist", 200),
        (OFFICE, "admin:vetting_enrolment_changelist", 200),
        (OFFICE, "admin:vetting_vettingdecision_changelist", 200),
        (OFFICE, "admin:auth_user_changelist", 403),
        (CORE_TEAM, "admin:applications_application_changelist", 200),
        (CORE_TEAM, "admin:vetting_enrolment_changelist", 200),
        (CORE_TEAM, "admin:core_programmesettings_changelist", 403),
        (CORE_TEAM, "admin:core_auditevent_changelist", 403),
        (CORE_TEAM, "admin:auth_user_changelist", 403),
    ],
)
def test_admin_changelist_by_role(admin_objects, role, url_name, expected):
    client = signed_in_client(create_staff_user("matrix-member", group=role))

    response = client.get(reverse(url_name))

    assert response.status_code == expected


@pytest.mark.django_db
def test_admin_urls_unverified_staff_sent_to_login(admin_objects, office_user):
    client = Client()
    client.force_login(User.objects.get(pk=office_user.pk))
    urls, _ = admin_urls()
    unexpected = []

    for label, url in urls:
        if label in {"admin:login", "admin:logout"}:
            continue
        response = client.get(url)
        if response.status_code != 302 or not response["Location"].startswith(LOGIN_URL):
            unexpected.append((label, url, response.status_code))

    assert unexpected == []

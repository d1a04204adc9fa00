"""Public content pages: open to visitors, one h1 each, and no markup the CSP would block."""

import re

import pytest
from django.urls import reverse

from programme.core.models import ProgrammeSettings
from programme.core.roles import OFFICE
from tests.core.staff import create_staff_user, signed_in_client

PUBLIC_PAGES = [
    "public:home",
    "public:how_it_works",
    "public:eligibility",
    "public:tips",
    "public:privacy",
]

# An opening <script> tag without a src attribute, which the Content-Security-Policy blocks.
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)


def page_html(client, url_name: str) -> str:
    return client.get(reverse(url_name)).content.decode()


def main_html(client, url_name: str) -> str:
    """Return the markup inside <main>, so links in the shared navigation do not count."""
    html = page_html(client, url_name)
    start = html.index("<main")
    end = html.index("</main>", start)
    return html[start:end]


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", PUBLIC_PAGES)
def test_public_page_ok_for_anonymous(client, url_name):
    response = client.get(reverse(url_name))

    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", PUBLIC_PAGES)
def test_public_page_has_one_h1(client, url_name):
    html = page_html(client, url_name)

    assert len(re.findall(r"<h1\b", html)) == 1


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", PUBLIC_PAGES)
def test_public_page_no_style_attribute(client, url_name):
    html = page_html(client, url_name)

    assert "style=" not in html


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", PUBLIC_PAGES)
def test_public_page_no_style_element(client, url_name):
    html = page_html(client, url_name)

    assert "<style" not in html


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", PUBLIC_PAGES)
def test_public_page_no_inline_script(client, url_name):
    html = page_html(client, url_name)

    assert INLINE_SCRIPT.findall(html) == []


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", PUBLIC_PAGES)
def test_public_page_no_event_handler_attribute(client, url_name):
    html = page_html(client, url_name)

    assert re.findall(r"\son[a-z]+\s*=", html) == []


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["mentee", "mentor"])
def test_home_links_to_application_form(client, role):
    apply_url = reverse("applications:apply", kwargs={"role": role})

    main = main_html(client, "public:home")

    assert f'href="{apply_url}"' in main


@pytest.mark.django_db
def test_eligibility_shows_current_mentor_practice_years(client):
    programme = ProgrammeSettings.objects.get_current()
    programme.mentor_min_practice_years = 7
    programme.save()

    main = main_html(client, "public:eligibility")

    assert "at least 7 years" in " ".join(main.split())


@pytest.mark.django_db
def test_privacy_shows_current_notice_version(client):
    programme = ProgrammeSettings.objects.get_current()
    programme.privacy_notice_version = "2.3"
    programme.save()

    main = main_html(client, "public:privacy")

    assert "Version 2.3" in main


@pytest.mark.django_db
def test_admin_403_uses_admin_layout():
    client = signed_in_client(create_staff_user("office-403", group=OFFICE))

    response = client.get(reverse("admin:matching_waitingmentee_plan"))

    assert response.status_code == 403
    page = response.content.decode()
    assert "Back to the staff pages" in page
    assert 'id="site-name"' in page
    assert "Participant sign-in" not in page

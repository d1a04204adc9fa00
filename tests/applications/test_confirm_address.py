import re

import pytest
from django.core import mail
from django.urls import reverse

from programme.applications.services import make_confirmation_token
from programme.core.models import AuditEvent, Person
from tests.factories import PersonFactory


def confirm_url(person: Person, slot: str) -> str:
    return reverse("applications:confirm", kwargs={"token": make_confirmation_token(person, slot)})


@pytest.mark.django_db
def test_confirm_get_changes_nothing(client):
    person = PersonFactory()

    response = client.get(confirm_url(person, "primary"))

    person.refresh_from_db()
    assert response.status_code == 200
    assert "Confirm my address" in response.content.decode()
    assert person.primary_email_confirmed_at is None


@pytest.mark.django_db
def test_confirm_post_confirms_primary_only(client):
    person = PersonFactory()

    response = client.post(confirm_url(person, "primary"))

    person.refresh_from_db()
    assert response.status_code == 200
    assert "is confirmed" in response.content.decode()
    assert person.primary_email_confirmed_at is not None
    assert person.secondary_email_confirmed_at is None


@pytest.mark.django_db
def test_confirm_post_confirms_secondary(client):
    person = PersonFactory()

    client.post(confirm_url(person, "secondary"))

    person.refresh_from_db()
    assert person.secondary_email_confirmed_at is not None
    assert person.primary_email_confirmed_at is None


@pytest.mark.django_db
def test_confirm_twice_keeps_first_time_and_one_event(client):
    person = PersonFactory()
    url = confirm_url(person, "primary")
    client.post(url)
    person.refresh_from_db()
    first_time = person.primary_email_confirmed_at

    client.post(url)

    person.refresh_from_db()
    assert person.primary_email_confirmed_at == first_time
    assert AuditEvent.objects.filter(action="applications.primary_address.confirmed").count() == 1


@pytest.mark.django_db
def test_confirm_invalid_token_rejected(client):
    url = reverse("applications:confirm", kwargs={"token": "abc:def"})

    response = client.post(url)

    assert response.status_code == 400
    assert "not valid" in response.content.decode()


@pytest.mark.django_db
def test_confirm_expired_token_rejected(client, settings):
    person = PersonFactory()
    url = confirm_url(person, "primary")
    settings.ADDRESS_CONFIRMATION_MAX_AGE_DAYS = 0

    response = client.post(url)

    person.refresh_from_db()
    assert response.status_code == 400
    assert person.primary_email_confirmed_at is None


@pytest.mark.django_db
def test_confirm_after_address_change_rejected(client):
    person = PersonFactory(primary_email="before@example.org")
    url = confirm_url(person, "primary")
    person.primary_email = "after@example.org"
    person.save()

    response = client.post(url)

    person.refresh_from_db()
    assert response.status_code == 400
    assert person.primary_email_confirmed_at is None


@pytest.mark.django_db(transaction=True)
def test_emailed_link_confirms_its_address(client, mentee_data, run_worker):
    client.post(reverse("applications:apply", kwargs={"role": "mentee"}), mentee_data())
    run_worker()
    message = next(m for m in mail.outbox if m.to == ["maria.home@example.net"])
    link = re.search(r"http://testserver(/confirm-address/[^/\s]+/)", message.body).group(1)

    client.post(link)

    person = Person.objects.get()
    assert person.secondary_email_confirmed_at is not None
    assert person.primary_email_confirmed_at is None


@pytest.mark.django_db
def test_confirm_page_names_masked_address(client):
    person = PersonFactory(secondary_email="zoe.home@example.net")

    page = client.get(confirm_url(person, "secondary")).content.decode()

    assert "z•••@example.net" in page
    assert "zoe.home" not in page


@pytest.mark.django_db
def test_confirm_page_says_already_confirmed(client):
    person = PersonFactory()
    url = confirm_url(person, "primary")
    client.post(url)

    page = client.get(url).content.decode()

    assert "already confirmed" in page
    assert "Confirm my address" not in page

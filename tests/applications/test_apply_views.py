import re

import pytest
from django.core import mail
from django.urls import reverse

from programme.applications.models import Application, ApplicationStatus
from programme.core.crypto import blind_index
from programme.core.models import AuditEvent, Person
from tests.factories import ApplicationFactory, PersonFactory

MENTEE_URL = reverse("applications:apply", kwargs={"role": "mentee"})
MENTOR_URL = reverse("applications:apply", kwargs={"role": "mentor"})


@pytest.mark.django_db
def test_mentee_form_renders(client):
    response = client.get(MENTEE_URL)

    assert response.status_code == 200
    assert 'name="form_token"' in response.content.decode()
    assert 'name="head_of_department_email"' in response.content.decode()


@pytest.mark.django_db
def test_mentee_form_sends_no_store(client):
    response = client.get(MENTEE_URL)

    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_mentee_submission_stores_application(client, mentee_data):
    response = client.post(MENTEE_URL, mentee_data())

    assert response.status_code == 302
    assert response["Location"] == reverse("applications:thanks", kwargs={"role": "mentee"})
    application = Application.objects.get()
    assert application.role == "mentee"
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.person.given_name == "Maria"
    assert application.person.languages == ["it", "en"]
    assert application.lacks_local_mentoring is True
    assert application.wants_academic_mentor is True
    assert application.needs_same_country_for_language is False
    assert application.area_research is True
    assert application.area_education is False
    assert application.consultant_years == 2
    assert application.training_year is None
    assert application.head_of_department_email == "giulia.bianchi@example.com"
    assert application.privacy_notice_version == "1.0"
    assert application.consented_at is not None


@pytest.mark.django_db
def test_mentor_submission_stores_application(client, mentor_data):
    response = client.post(MENTOR_URL, mentor_data())

    assert response.status_code == 302
    application = Application.objects.get()
    assert application.role == "mentor"
    assert application.practice_years == 14
    assert application.capacity == 2
    assert application.interest_research is True
    assert application.interest_teaching is False
    assert application.showcase_consent is True
    assert application.prior_mentoring is True
    assert application.area_other_details == "Leadership and management"
    assert application.head_of_department_email == ""


@pytest.mark.django_db
def test_submission_writes_audit_event(client, mentee_data):
    client.post(MENTEE_URL, mentee_data())

    event = AuditEvent.objects.get(action="applications.application.submitted")
    assert event.action == "applications.application.submitted"
    assert event.object_id == str(Application.objects.get().pk)


@pytest.mark.django_db(transaction=True)
def test_submission_emails_each_address(client, mentee_data, run_worker):
    client.post(MENTEE_URL, mentee_data())
    run_worker()

    recipients = sorted(message.to[0] for message in mail.outbox)
    assert recipients == ["maria.home@example.net", "maria.rossi@example.org"]
    for message in mail.outbox:
        assert len(message.to) == 1
        assert "\n" not in message.subject
        assert re.search(r"http://testserver/confirm-address/[^/\s]+/", message.body)
    received = next(m for m in mail.outbox if m.to == ["maria.rossi@example.org"])
    assert "/withdraw/" in received.body


@pytest.mark.django_db
def test_thanks_page_renders(client):
    response = client.get(reverse("applications:thanks", kwargs={"role": "mentor"}))

    assert response.status_code == 200
    assert "as a mentor" in response.content.decode()


@pytest.mark.django_db
def test_identical_emails_rejected_with_values_kept(client, mentee_data):
    data = mentee_data(secondary_email="MARIA.Rossi@example.org ")

    response = client.post(MENTEE_URL, data)

    assert response.status_code == 400
    page = response.content.decode()
    assert "differs from the first" in page
    assert 'value="Maria"' in page
    assert 'value="Ospedale Esempio"' in page
    assert "Starting a research project on laryngeal imaging." in page
    assert Application.objects.count() == 0
    assert Person.objects.count() == 0


@pytest.mark.django_db
def test_mentee_without_head_of_department_rejected(client, mentee_data):
    data = mentee_data(head_of_department_name="", head_of_department_email="")

    response = client.post(MENTEE_URL, data)

    assert response.status_code == 400
    assert Application.objects.count() == 0


@pytest.mark.django_db
def test_head_of_department_email_must_not_be_own(client, mentee_data):
    data = mentee_data(head_of_department_email="maria.rossi@example.org")

    response = client.post(MENTEE_URL, data)

    assert response.status_code == 400
    assert "not yours" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("training_year", "0"),
        ("training_year", "11"),
        ("consultant_years", "-1"),
        ("consultant_years", "41"),
        ("consultant_years", "two"),
    ],
)
def test_mentee_number_out_of_bounds_rejected(client, mentee_data, field, value):
    stage = "trainee" if field == "training_year" else "consultant"
    data = mentee_data(career_stage=stage, **{field: value})

    response = client.post(MENTEE_URL, data)

    assert response.status_code == 400
    assert Application.objects.count() == 0


@pytest.mark.django_db
def test_trainee_needs_training_year(client, mentee_data):
    data = mentee_data(career_stage="trainee", training_year="", consultant_years="")

    response = client.post(MENTEE_URL, data)

    assert response.status_code == 400
    assert "year of training" in response.content.decode()


@pytest.mark.django_db
def test_trainee_keeps_only_training_year(client, mentee_data):
    data = mentee_data(career_stage="trainee", training_year="5", consultant_years="3")

    client.post(MENTEE_URL, data)

    application = Application.objects.get()
    assert application.training_year == 5
    assert application.consultant_years is None


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["-1", "51", "1e3", ""])
def test_mentor_practice_years_out_of_bounds_rejected(client, mentor_data, value):
    response = client.post(MENTOR_URL, mentor_data(practice_years=value))

    assert response.status_code == 400
    assert Application.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["0", "6", "many"])
def test_mentor_capacity_outside_choices_rejected(client, mentor_data, value):
    response = client.post(MENTOR_URL, mentor_data(capacity=value))

    assert response.status_code == 400


@pytest.mark.django_db
def test_other_area_needs_details(client, mentor_data):
    response = client.post(MENTOR_URL, mentor_data(area_other_details=""))

    assert response.status_code == 400
    assert "which other skills" in response.content.decode()


@pytest.mark.django_db
def test_missing_consent_rejected(client, mentee_data):
    data = mentee_data()
    del data["privacy_consent"]

    response = client.post(MENTEE_URL, data)

    assert response.status_code == 400
    assert "privacy notice" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "length"),
    [
        ("given_name", 101),
        ("family_name", 101),
        ("institution", 201),
        ("membership_number", 41),
        ("motivation", 3001),
        ("specific_needs", 2001),
        ("head_of_department_name", 201),
    ],
)
def test_too_long_answer_rejected(client, mentee_data, field, length):
    response = client.post(MENTEE_URL, mentee_data(**{field: "a" * length}))

    assert response.status_code == 400
    assert "Ensure this value has at most" in response.content.decode()
    assert Application.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "bad", ["Maria\r\nBcc: x@example.com", "Maria\n", "Ma\x00ria", "Ma\u202eria"]
)
@pytest.mark.parametrize(
    "field", ["given_name", "family_name", "institution", "head_of_department_name"]
)
def test_single_line_field_rejects_control_characters(client, mentee_data, field, bad):
    response = client.post(MENTEE_URL, mentee_data(**{field: bad}))

    assert response.status_code == 400
    assert Application.objects.count() == 0


@pytest.mark.django_db
def test_multi_line_answer_keeps_line_breaks(client, mentee_data):
    client.post(MENTEE_URL, mentee_data(motivation="First line.\r\nSecond line."))

    assert Application.objects.get().motivation == "First line.\nSecond line."


@pytest.mark.django_db
def test_extra_post_fields_ignored(client, mentee_data):
    data = mentee_data(status="eligible", person="1", capacity="5", is_staff="on")

    client.post(MENTEE_URL, data)

    application = Application.objects.get()
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.capacity is None


@pytest.mark.django_db
def test_double_post_creates_one_application(client, mentee_data):
    data = mentee_data()

    first = client.post(MENTEE_URL, data)
    second = client.post(MENTEE_URL, data)

    assert first.status_code == 302
    assert second.status_code == 302
    assert Application.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("address_slot", ["primary_email", "secondary_email"])
def test_open_application_same_role_blocks_second(client, mentee_data, address_slot):
    person = PersonFactory(**{address_slot: "Maria.Rossi@example.org"})
    ApplicationFactory(person=person)

    response = client.post(MENTEE_URL, mentee_data())

    assert response.status_code == 400
    assert "already have an open application as a mentee" in response.content.decode()
    assert Application.objects.count() == 1


@pytest.mark.django_db
def test_open_application_matched_through_second_address(client, mentee_data):
    person = PersonFactory(primary_email="maria.home@example.net")
    ApplicationFactory(person=person)

    response = client.post(MENTEE_URL, mentee_data())

    assert response.status_code == 400
    assert Application.objects.count() == 1


@pytest.mark.django_db
def test_open_application_other_role_allows_new(client, mentee_data):
    person = PersonFactory(primary_email="maria.rossi@example.org")
    ApplicationFactory(person=person, mentor=True)

    response = client.post(MENTEE_URL, mentee_data())

    assert response.status_code == 302
    assert Application.objects.filter(role="mentee").count() == 1


@pytest.mark.django_db
def test_closed_application_allows_new(client, mentee_data):
    person = PersonFactory(primary_email="maria.rossi@example.org")
    ApplicationFactory(person=person, status=ApplicationStatus.WITHDRAWN)

    response = client.post(MENTEE_URL, mentee_data())

    assert response.status_code == 302
    assert Application.objects.count() == 2


@pytest.mark.django_db
def test_honeypot_filled_rejected(client, mentee_data):
    response = client.post(MENTEE_URL, mentee_data(website="https://spam.example.com"))

    assert response.status_code == 400
    assert "looks automated" in response.content.decode()
    assert Application.objects.count() == 0


@pytest.mark.django_db
def test_too_quick_submission_rejected(client, mentee_data, settings):
    settings.APPLICATION_MIN_FILL_SECONDS = 60

    response = client.post(MENTEE_URL, mentee_data())

    assert response.status_code == 400
    assert "sooner after opening" in response.content.decode()
    assert Application.objects.count() == 0


@pytest.mark.django_db
def test_tampered_form_token_rejected_and_replaced(client, mentee_data):
    data = mentee_data(form_token="not-a-signed-token")

    response = client.post(MENTEE_URL, data)

    assert response.status_code == 400
    assert "could not be verified" in response.content.decode()
    assert "not-a-signed-token" not in response.content.decode()
    assert Application.objects.count() == 0


@pytest.mark.django_db
def test_rate_limit_blocks_after_limit(client, mentee_data, settings):
    settings.APPLICATION_RATE_LIMIT_PER_HOUR = 2
    for number in range(2):
        client.post(
            MENTEE_URL,
            mentee_data(
                primary_email=f"first{number}@example.org",
                secondary_email=f"second{number}@example.net",
            ),
        )

    response = client.post(
        MENTEE_URL,
        mentee_data(primary_email="third@example.org", secondary_email="third@example.net"),
    )

    assert response.status_code == 429
    assert "Too many applications" in response.content.decode()
    assert 'value="third@example.org"' in response.content.decode()
    assert Application.objects.count() == 2


@pytest.mark.django_db
def test_rate_limit_counts_hashed_address(client, mentee_data):
    from programme.core.models import RateLimitCounter

    client.post(MENTEE_URL, mentee_data(), REMOTE_ADDR="192.0.2.44")

    counter = RateLimitCounter.objects.get()
    assert "192.0.2.44" not in counter.key_hash
    assert len(counter.key_hash) == 64


@pytest.mark.django_db
def test_stored_indexes_match_addresses(client, mentee_data):
    client.post(MENTEE_URL, mentee_data())

    person = Person.objects.get()
    assert person.primary_email_index == blind_index("maria.rossi@example.org")
    assert person.secondary_email_index == blind_index("maria.home@example.net")

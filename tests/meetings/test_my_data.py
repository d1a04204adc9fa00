import datetime
import json

import pytest
from django.apps import apps
from django.db import models
from django.urls import reverse
from django.utils import timezone

from programme.core.models import AuditEvent, Person
from programme.feedback.models import (
    Answer,
    Invitation,
    Question,
    QuestionKind,
    Questionnaire,
    QuestionnaireKind,
    Response,
)
from programme.letters.models import Certificate, Letter, LetterKind
from programme.meetings.models import CheckIn, CheckInAnswer
from programme.meetings.selectors import EXPORTED_MODELS, NOT_EXPORTED_MODELS
from tests.meetings.conftest import log_meeting

pytestmark = pytest.mark.django_db

MY_DATA_URL = reverse("meetings:my_data")
JSON_URL = reverse("meetings:my_data_json")


@pytest.fixture
def held_data(mentee, mentee_enrolment, pairing, other_pairing):
    """One row of each kind about the mentee, and a meeting of another pair."""
    log_meeting(pairing, topic="Choosing a research question", private_notes="Our own note.")
    log_meeting(other_pairing, topic="Someone else's meeting", private_notes="Not yours.")

    CheckIn.objects.create(
        pairing=pairing,
        enrolment=mentee_enrolment,
        sent_on=timezone.localdate(),
        answer=CheckInAnswer.MET,
        answered_at=timezone.now(),
    )

    questionnaire, _ = Questionnaire.objects.get_or_create(kind=QuestionnaireKind.SIX_MONTH)
    questionnaire.title = "Six months in"
    questionnaire.save()
    question = Question.objects.create(
        questionnaire=questionnaire, kind=QuestionKind.FREE_TEXT, text="Anything else?"
    )
    Invitation.objects.create(
        questionnaire=questionnaire,
        enrolment=mentee_enrolment,
        pairing=pairing,
        role="mentee",
        cycle="2026",
        invited_on=timezone.localdate(),
        responded=True,
    )

    response = Response.objects.create(questionnaire=questionnaire, role="mentee", cycle="2026")
    Answer.objects.create(response=response, question=question, text="Anonymous free text")

    Letter.objects.create(
        kind=LetterKind.ENGAGEMENT,
        idempotency_key="engagement:test",
        person=mentee,
        to_addresses="nadia@example.org",
        subject="You have been paired",
        body="Dear Nadia",
    )

    Certificate.objects.create(
        code="CERT-2026-7",
        source_key=f"pairing:{pairing.pk}:mentee",
        person=mentee,
        holder_name="Nadia Rahman",
        role="mentee",
        starts_on=pairing.engaged_on,
        ends_on=pairing.engaged_on + datetime.timedelta(days=365),
    )

    return mentee


def download(client) -> dict:
    response = client.get(JSON_URL)
    assert response.status_code == 200
    return json.loads(response.content)


def test_my_data_page_lists_everything(mentee_client, held_data):
    content = mentee_client.get(MY_DATA_URL).content.decode()

    for expected in [
        "Nadia",
        "nadia.home@example.net",
        "I would like to grow as a head and neck radiologist.",
        "Paul Carter",
        "Choosing a research question",
        "Our own note.",
        "We have met",
        "Six months in",
        "You have been paired",
        "CERT-2026-7",
    ]:
        assert expected in content, expected


def test_my_data_page_hides_other_pairs(mentee_client, held_data):
    content = mentee_client.get(MY_DATA_URL).content.decode()

    assert "Someone else" not in content
    assert "Not yours." not in content


def test_my_data_page_never_shows_answers(mentee_client, held_data):
    content = mentee_client.get(MY_DATA_URL).content.decode()

    assert "Anonymous free text" not in content


def test_my_data_json_is_attachment(mentee_client, held_data):
    response = mentee_client.get(JSON_URL)

    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="my-data.json"'
    assert "no-store" in response["Cache-Control"]


def test_my_data_json_contents(mentee_client, held_data, pairing):
    data = download(mentee_client)

    assert data["person"]["given_name"] == "Nadia"
    assert data["person"]["primary_email"] == "nadia@example.org"
    assert data["person"]["country"] == "Italy"
    assert "primary_email_index" not in data["person"]
    assert data["applications"][0]["motivation"] == (
        "I would like to grow as a head and neck radiologist."
    )
    assert "submission_token" not in data["applications"][0]
    assert data["enrolments"][0]["status"] == "Active"
    assert data["pairings"][0]["partner_name"] == "Paul Carter"
    assert data["pairings"][0]["engaged_on"] == pairing.engaged_on.isoformat()
    assert [m["topic"] for m in data["meetings"]] == ["Choosing a research question"]
    assert data["meetings"][0]["private_notes"] == "Our own note."
    assert data["check_ins"][0]["answer"] == "We have met"
    assert data["questionnaire_invitations"][0]["responded"] is True
    assert data["letters"][0]["subject"] == "You have been paired"
    assert data["certificates"][0]["code"] == "CERT-2026-7"


def test_my_data_json_has_no_answers_or_others(mentee_client, held_data):
    body = mentee_client.get(JSON_URL).content.decode()

    assert "Anonymous free text" not in body
    assert "Someone else" not in body
    assert "token_hash" not in body


def test_my_data_json_writes_audit_event(mentee_client, mentee, held_data):
    mentee_client.get(JSON_URL)

    event = AuditEvent.objects.get(action="meetings.personal_data.exported")
    assert event.object_id == str(mentee.pk)


def test_my_data_needs_sign_in(client, held_data):
    response = client.get(JSON_URL)

    assert response.status_code == 302
    assert response["Location"] == reverse("meetings:sign_in")


def test_my_data_json_mentor_sees_own(mentor_client, held_data):
    data = download(mentor_client)

    assert data["person"]["given_name"] == "Paul"
    assert data["pairings"][0]["partner_name"] == "Nadia Rahman"
    assert data["certificates"] == []
    assert data["check_ins"] == []


# Models that hold rows about a person: a foreign key to one of these, directly
# or through another model in the set. Proxy models share their model's rows.
PERSON_ROOTS = {"core.person"}


def models_linked_to_person() -> set[str]:
    linked = set(PERSON_ROOTS)
    changed = True
    while changed:
        changed = False
        for model in apps.get_models():
            label = model._meta.label_lower
            if label in linked or model._meta.proxy:
                continue
            parents = {
                f.related_model._meta.label_lower
                for f in model._meta.get_fields()
                if isinstance(f, models.ForeignKey | models.OneToOneField) and f.related_model
            }
            if parents & linked:
                linked.add(label)
                changed = True
    return linked


def test_export_covers_every_linked_model():
    linked = models_linked_to_person()

    missing = linked - EXPORTED_MODELS - set(NOT_EXPORTED_MODELS)

    assert missing == set()


def test_export_lists_only_real_models():
    known = {model._meta.label_lower for model in apps.get_models()}

    assert EXPORTED_MODELS - known == set()
    assert set(NOT_EXPORTED_MODELS) - known == set()
    assert Person._meta.label_lower in EXPORTED_MODELS

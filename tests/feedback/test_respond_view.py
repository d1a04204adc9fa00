import re

import pytest
from django.core import signing
from django.urls import reverse
from django.utils.html import escape

from programme.applications.models import Role
from programme.core.models import AuditEvent
from programme.feedback.models import Answer, Likert, Question, QuestionKind, Response, Topic
from programme.feedback.services import make_invitation_token
from programme.letters.models import Letter
from tests.feedback.helpers import due_pairing, form_data, full_answers, invitations_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def invitation():
    return invitations_for(due_pairing())[Role.MENTEE]


def respond_url(invitation) -> str:
    return reverse("feedback:respond", kwargs={"token": make_invitation_token(invitation)})


def question_of(invitation, kind: str) -> Question:
    return invitation.questionnaire.questions.filter(kind=kind).first()


def test_respond_get_shows_questionnaire(client, invitation):
    response = client.get(respond_url(invitation))

    page = response.content.decode()
    assert response.status_code == 200
    assert invitation.questionnaire.title in page
    assert page.count('type="radio"') == 10 * 5
    assert "no-store" in response["Cache-Control"]
    pairing = invitation.pairing
    partner = (
        pairing.mentee_enrolment if invitation.role == "mentor" else pairing.mentor_enrolment
    ).application.person
    assert f"About your pairing with {escape(partner.full_name)}" in page


def test_respond_get_statements_are_fieldsets(client, invitation):
    statement = question_of(invitation, QuestionKind.LIKERT)

    page = client.get(respond_url(invitation)).content.decode()

    assert f'<fieldset class="feedback-question likert" id="div_id_q{statement.pk}">' in page
    assert f'<legend class="feedback-legend">{statement.text}' in page


def test_respond_page_has_no_inline_style(client, invitation):
    page = client.get(respond_url(invitation)).content.decode()

    assert re.findall(r"\sstyle=", page) == []
    assert "<style" not in page


def test_respond_post_valid_stores_response(client, invitation):
    answers = full_answers(invitation.questionnaire, scale=Likert.SLIGHTLY_AGREE)

    response = client.post(respond_url(invitation), form_data(invitation.questionnaire, answers))

    invitation.refresh_from_db()
    stored = Response.objects.get()
    assert response.status_code == 200
    assert "Thank you for your answers" in response.content.decode()
    assert invitation.responded is True
    assert stored.role == Role.MENTEE
    assert stored.cycle == invitation.cycle
    assert stored.answers.filter(scale=Likert.SLIGHTLY_AGREE).count() == 10
    assert stored.answers.get(question__kind=QuestionKind.MEETING_COUNT).number == 3
    assert stored.answers.get(question__kind=QuestionKind.TOPICS).topics == [Topic.RESEARCH]
    assert stored.answers.get(question__kind=QuestionKind.FREE_TEXT).text == "Very helpful."


def test_respond_post_records_event_without_response(client, invitation):
    answers = full_answers(invitation.questionnaire)

    client.post(respond_url(invitation), form_data(invitation.questionnaire, answers))

    event = AuditEvent.objects.get(action="feedback.response.received")
    assert event.object_type == "feedback.questionnaire"
    assert event.object_id == str(invitation.questionnaire.pk)
    assert event.actor is None


def test_respond_post_optional_questions_may_be_empty(client, invitation):
    answers = full_answers(invitation.questionnaire)
    answers[question_of(invitation, QuestionKind.TOPICS).pk] = []
    answers[question_of(invitation, QuestionKind.FREE_TEXT).pk] = ""

    response = client.post(respond_url(invitation), form_data(invitation.questionnaire, answers))

    assert response.status_code == 200
    assert Answer.objects.count() == 11


def test_respond_post_invalid_keeps_typed_values(client, invitation):
    answers = full_answers(invitation.questionnaire, scale=Likert.UNSURE, text="Kept text")
    missing = question_of(invitation, QuestionKind.LIKERT)
    del answers[missing.pk]
    answers[question_of(invitation, QuestionKind.MEETING_COUNT).pk] = "three"
    data = form_data(invitation.questionnaire, answers)

    response = client.post(respond_url(invitation), data)

    page = response.content.decode()
    other = invitation.questionnaire.questions.filter(kind=QuestionKind.LIKERT)[1]
    assert response.status_code == 400
    assert "Your answers were not sent yet" in page
    assert "Choose how far you agree with this statement." in page
    assert "Enter the number of meetings as a whole number, such as 3." in page
    assert 'value="three"' in page
    assert "Kept text</textarea>" in page
    assert f'id="id_q{other.pk}_2" required checked' in page
    assert f'aria-invalid="true" aria-describedby="id_q{missing.pk}_error"' in page
    assert Response.objects.count() == 0


def test_respond_post_unknown_choice_rejected(client, invitation):
    answers = full_answers(invitation.questionnaire)
    answers[question_of(invitation, QuestionKind.LIKERT).pk] = 9
    answers[question_of(invitation, QuestionKind.TOPICS).pk] = ["astrology"]

    response = client.post(respond_url(invitation), form_data(invitation.questionnaire, answers))

    page = response.content.decode()
    assert response.status_code == 400
    assert "Choose one of the five answers." in page
    assert "Tick topics from the list only." in page
    assert Response.objects.count() == 0


def test_respond_post_too_long_text_rejected(client, invitation):
    answers = full_answers(invitation.questionnaire, text="x" * 5001)

    response = client.post(respond_url(invitation), form_data(invitation.questionnaire, answers))

    assert response.status_code == 400
    assert "at most 5000 characters (it has 5001)" in response.content.decode()
    assert Response.objects.count() == 0


def test_respond_post_null_character_rejected(client, invitation):
    answers = full_answers(invitation.questionnaire, text="bad\x00text")

    response = client.post(respond_url(invitation), form_data(invitation.questionnaire, answers))

    assert response.status_code == 400
    assert Response.objects.count() == 0


def test_respond_second_post_refused(client, invitation):
    data = form_data(invitation.questionnaire, full_answers(invitation.questionnaire))
    client.post(respond_url(invitation), data)

    response = client.post(respond_url(invitation), data)

    assert response.status_code == 200
    assert "You have answered this questionnaire already" in response.content.decode()
    assert Response.objects.count() == 1


def test_respond_get_after_answer_says_answered(client, invitation):
    data = form_data(invitation.questionnaire, full_answers(invitation.questionnaire))
    client.post(respond_url(invitation), data)

    page = client.get(respond_url(invitation)).content.decode()

    assert "You have answered this questionnaire already" in page
    assert 'type="radio"' not in page


def test_respond_tampered_token_clear_page(client, invitation):
    token = make_invitation_token(invitation)
    tampered = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")

    response = client.get(reverse("feedback:respond", kwargs={"token": tampered}))

    assert response.status_code == 400
    assert "This link is not valid" in response.content.decode()


def test_respond_token_of_other_salt_rejected(client, invitation):
    token = signing.Signer().sign_object({"i": invitation.pk})

    response = client.get(reverse("feedback:respond", kwargs={"token": token}))

    assert response.status_code == 400


def test_respond_hidden_question_not_asked(client, invitation):
    hidden = question_of(invitation, QuestionKind.FREE_TEXT)
    hidden.shown = False
    hidden.save(update_fields=["shown"])

    page = client.get(respond_url(invitation)).content.decode()

    assert hidden.text not in page


def test_respond_link_in_letter_opens_form(client, invitation):
    letter = Letter.objects.get(idempotency_key=f"questionnaire:{invitation.pk}")
    link = next(word for word in letter.body.split() if "/feedback/" in word)

    response = client.get(link.removeprefix("http://testserver"))

    assert response.status_code == 200
    assert invitation.questionnaire.title in response.content.decode()

"""Malformed answers on the questionnaire response form.

Every case posts a complete set of answers with one value replaced, through
the real view. A rejected value gives a 400 with the questionnaire shown
again, the question's message in the page and nothing stored: no Response,
no Answer, and the invitation stays unanswered. No case may cause a 500.
"""

from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils.html import escape

from programme.applications.models import Role
from programme.core.models import AuditEvent
from programme.feedback.models import Answer, QuestionKind, Response, Topic
from programme.feedback.services import make_invitation_token
from tests.feedback.helpers import due_pairing, form_data, full_answers, invitations_for

pytestmark = pytest.mark.django_db

MARKUP = '<script>alert("x")</script>'
ACCEPTED = "accepted"
MISSING = object()

LIKERT_REQUIRED = "Choose how far you agree with this statement."
LIKERT_INVALID = "Choose one of the five answers."
COUNT_REQUIRED = "Enter how many times you have met, such as 3."
COUNT_INVALID = "Enter the number of meetings as a whole number, such as 3."
COUNT_RANGE = "Enter a number of meetings from 0 to 365."
TOPICS_INVALID = "Tick topics from the list only."
TEXT_TOO_LONG = "Shorten your answer to at most 5000 characters"

# label: (question kind, typed value, expected message or ACCEPTED)
CASES = {
    "likert-zero": (QuestionKind.LIKERT, "0", LIKERT_INVALID),
    "likert-six": (QuestionKind.LIKERT, "6", LIKERT_INVALID),
    "likert-letter": (QuestionKind.LIKERT, "a", LIKERT_INVALID),
    "likert-empty": (QuestionKind.LIKERT, "", LIKERT_REQUIRED),
    "likert-missing": (QuestionKind.LIKERT, MISSING, LIKERT_REQUIRED),
    "likert-negative": (QuestionKind.LIKERT, "-1", LIKERT_INVALID),
    "likert-fraction": (QuestionKind.LIKERT, "3.0", LIKERT_INVALID),
    "likert-padded": (QuestionKind.LIKERT, " 3 ", LIKERT_INVALID),
    "likert-label not value": (QuestionKind.LIKERT, "Strongly agree", LIKERT_INVALID),
    "likert-markup": (QuestionKind.LIKERT, MARKUP, LIKERT_INVALID),
    "likert-nul": (QuestionKind.LIKERT, "3\x00", LIKERT_INVALID),
    "likert-list ending invalid": (QuestionKind.LIKERT, ["3", "6"], LIKERT_INVALID),
    "likert-list ending valid": (QuestionKind.LIKERT, ["6", "3"], ACCEPTED),
    "count-negative": (QuestionKind.MEETING_COUNT, "-1", COUNT_RANGE),
    "count-above maximum": (QuestionKind.MEETING_COUNT, "366", COUNT_RANGE),
    "count-huge": (QuestionKind.MEETING_COUNT, "9" * 30, COUNT_RANGE),
    "count-5000 digits": (QuestionKind.MEETING_COUNT, "9" * 5000, COUNT_INVALID),
    "count-fraction": (QuestionKind.MEETING_COUNT, "2.5", COUNT_INVALID),
    "count-exponent": (QuestionKind.MEETING_COUNT, "1e2", COUNT_INVALID),
    "count-text": (QuestionKind.MEETING_COUNT, "three", COUNT_INVALID),
    "count-markup": (QuestionKind.MEETING_COUNT, MARKUP, COUNT_INVALID),
    "count-nul": (QuestionKind.MEETING_COUNT, "3\x00", COUNT_INVALID),
    "count-empty": (QuestionKind.MEETING_COUNT, "", COUNT_REQUIRED),
    "count-missing": (QuestionKind.MEETING_COUNT, MISSING, COUNT_REQUIRED),
    "count-whole with .0": (QuestionKind.MEETING_COUNT, "3.0", ACCEPTED),
    "count-zero": (QuestionKind.MEETING_COUNT, "0", ACCEPTED),
    "count-maximum": (QuestionKind.MEETING_COUNT, "365", ACCEPTED),
    "topics-unknown": (QuestionKind.TOPICS, ["astrology"], TOPICS_INVALID),
    "topics-one unknown among known": (QuestionKind.TOPICS, ["research", "x"], TOPICS_INVALID),
    "topics-upper case": (QuestionKind.TOPICS, ["RESEARCH"], TOPICS_INVALID),
    "topics-label not value": (QuestionKind.TOPICS, ["Clinical practice"], TOPICS_INVALID),
    "topics-markup": (QuestionKind.TOPICS, [MARKUP], TOPICS_INVALID),
    "topics-empty string": (QuestionKind.TOPICS, [""], TOPICS_INVALID),
    "topics-duplicated": (QuestionKind.TOPICS, ["research", "research"], ACCEPTED),
    "topics-missing": (QuestionKind.TOPICS, MISSING, ACCEPTED),
    "text-too long": (QuestionKind.FREE_TEXT, "t" * 5001, TEXT_TOO_LONG),
    "text-100 KB": (QuestionKind.FREE_TEXT, "t" * 100_000, TEXT_TOO_LONG),
    "text-nul": (QuestionKind.FREE_TEXT, "Helpful\x00", "Null characters are not allowed."),
    "text-exactly 5000": (QuestionKind.FREE_TEXT, "t" * 5000, ACCEPTED),
    "text-markup": (QuestionKind.FREE_TEXT, MARKUP, ACCEPTED),
    "text-unicode": (QuestionKind.FREE_TEXT, "Très utile, 非常有用, مفيد جدا", ACCEPTED),
    "text-missing": (QuestionKind.FREE_TEXT, MISSING, ACCEPTED),
}


@pytest.fixture
def invitation():
    return invitations_for(due_pairing())[Role.MENTEE]


def respond_url(invitation) -> str:
    return reverse("feedback:respond", kwargs={"token": make_invitation_token(invitation)})


def valid_data(invitation) -> dict:
    return form_data(invitation.questionnaire, full_answers(invitation.questionnaire))


def assert_nothing_stored(invitation, events_before: int) -> None:
    invitation.refresh_from_db()
    assert Response.objects.count() == 0
    assert Answer.objects.count() == 0
    assert invitation.responded is False
    assert AuditEvent.objects.count() == events_before


@pytest.mark.parametrize("label", CASES)
def test_response_bad_answer(client, invitation, label):
    kind, value, expected = CASES[label]
    question = invitation.questionnaire.questions.filter(kind=kind).first()
    field = f"q{question.pk}"
    data = valid_data(invitation)
    if value is MISSING:
        data.pop(field)
    else:
        data[field] = value
    events_before = AuditEvent.objects.count()

    response = client.post(respond_url(invitation), data)

    page = response.content.decode()
    if expected == ACCEPTED:
        invitation.refresh_from_db()
        assert response.status_code == 200
        assert "Thank you for your answers" in page
        assert Response.objects.count() == 1
        assert invitation.responded is True
        return
    assert response.status_code == 400
    assert "Your answers were not sent yet" in page
    assert expected in page
    assert MARKUP not in page
    if kind == QuestionKind.FREE_TEXT and value.isprintable():
        assert f"{escape(value)}</textarea>" in page
    assert_nothing_stored(invitation, events_before)


def test_response_duplicated_topic_stored_once(client, invitation):
    topics = invitation.questionnaire.questions.get(kind=QuestionKind.TOPICS)
    data = valid_data(invitation) | {f"q{topics.pk}": ["career", "research", "career"]}

    client.post(respond_url(invitation), data)

    assert Answer.objects.get(question=topics).topics == [Topic.RESEARCH, Topic.CAREER]


def test_response_unknown_fields_ignored(client, invitation):
    data = valid_data(invitation) | {
        "q999999": "5",
        "q": "1",
        "qabc": MARKUP,
        "role": Role.MENTOR,
        "cycle": "1999",
        "responded": "1",
    }

    response = client.post(respond_url(invitation), data)

    stored = Response.objects.get()
    assert response.status_code == 200
    assert stored.role == Role.MENTEE
    assert stored.cycle == invitation.cycle
    assert Answer.objects.count() == invitation.questionnaire.questions.filter(shown=True).count()


def test_response_all_answers_missing(client, invitation):
    events_before = AuditEvent.objects.count()

    response = client.post(respond_url(invitation), {})

    page = response.content.decode()
    assert response.status_code == 400
    # The ten statements and the meeting count are required. Topics and text are optional.
    assert "Please correct these 11 answers." in page
    assert page.count(LIKERT_REQUIRED) >= 10
    assert COUNT_REQUIRED in page
    assert_nothing_stored(invitation, events_before)


def test_response_only_unknown_fields(client, invitation):
    events_before = AuditEvent.objects.count()

    response = client.post(respond_url(invitation), {"q999999": "5", "anything": "x"})

    assert response.status_code == 400
    assert_nothing_stored(invitation, events_before)


def test_response_markup_answer_stored_verbatim(client, invitation):
    text = invitation.questionnaire.questions.get(kind=QuestionKind.FREE_TEXT)
    data = valid_data(invitation) | {f"q{text.pk}": MARKUP}

    client.post(respond_url(invitation), data)

    assert Answer.objects.get(question=text).text == MARKUP


def test_response_over_field_count_limit(client, invitation):
    """More fields than DATA_UPLOAD_MAX_NUMBER_FIELDS (200 in the settings) get a plain 400."""
    data = valid_data(invitation) | {f"extra{number}": "1" for number in range(250)}
    events_before = AuditEvent.objects.count()

    response = client.post(respond_url(invitation), data)

    assert response.status_code == 400
    assert_nothing_stored(invitation, events_before)


GARBAGE_TOKENS = {
    "single character": "x",
    "10 KB": "a" * 10_000,
    "unicode": "Опрос-调查-استبيان",
    "path-like encoded": "..%2F..%2Fetc%2Fpasswd",
    "sql-like": "' OR '1'='1' --",
    "nul": "abc\x00def",
}


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("label", GARBAGE_TOKENS)
def test_response_garbage_token(client, invitation, label, method):
    path = f"/feedback/{quote(GARBAGE_TOKENS[label], safe='')}/"
    events_before = AuditEvent.objects.count()

    response = getattr(client, method)(path, valid_data(invitation))

    assert response.status_code == 400
    assert "This link is not valid" in response.content.decode()
    assert_nothing_stored(invitation, events_before)

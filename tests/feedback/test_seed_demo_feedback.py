"""The development command that stores synthetic six-month responses for the demo."""

import io
import re
from statistics import mean

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from programme.applications.models import Role
from programme.core.roles import OFFICE
from programme.feedback.models import (
    Answer,
    Invitation,
    Likert,
    Question,
    QuestionKind,
    Questionnaire,
    QuestionnaireKind,
    Response,
)
from programme.feedback.selectors import questionnaire_results
from tests.core.staff import create_staff_user, signed_in_client

pytestmark = pytest.mark.django_db

REWARDING = "I find taking part rewarding rather than an obligation."
RECOMMEND = "I would recommend this programme to a colleague."
GOOD_MATCH = "The person I am paired with suits me well."
FELT_PREPARED = "I felt prepared and trained for my role before we started."
BEYOND_SPECIALTY = "Our conversations have gone beyond the specialty itself."
AGREE = (Likert.SLIGHTLY_AGREE, Likert.STRONGLY_AGREE)


@pytest.fixture
def debug(settings):
    settings.DEBUG = True


@pytest.fixture
def cycle() -> str:
    return str(timezone.localdate().year - 1)


def run_seed_demo_feedback() -> str:
    output = io.StringIO()
    call_command("seed_demo_feedback", stdout=output)
    return output.getvalue()


def scale_values(statement: str, role: str | None = None) -> list[int]:
    answers = Answer.objects.filter(question__text=statement)
    if role is not None:
        answers = answers.filter(response__role=role)
    return list(answers.values_list("scale", flat=True))


def percent(values: list[int], accepted) -> float:
    return sum(value in accepted for value in values) * 100 / len(values)


def test_seed_demo_feedback_counts_per_role(debug, cycle):
    output = run_seed_demo_feedback()

    responses = Response.objects.filter(
        cycle=cycle, questionnaire__kind=QuestionnaireKind.SIX_MONTH
    )
    assert responses.filter(role=Role.MENTOR).count() == 13
    assert responses.filter(role=Role.MENTEE).count() == 19
    assert output.strip() == (
        f"Demo feedback: 32 responses stored for cycle {cycle} of “Six-month feedback”."
    )
    assert not Invitation.objects.exists()


def test_seed_demo_feedback_answers_required_questions(debug):
    run_seed_demo_feedback()

    required = Question.objects.filter(
        questionnaire__kind=QuestionnaireKind.SIX_MONTH, required=True, shown=True
    )
    for question in required:
        assert Answer.objects.filter(question=question).count() == 32, question.text


def test_seed_demo_feedback_rewarding_per_role(debug):
    run_seed_demo_feedback()

    for role, size, stated in ((Role.MENTOR, 13, 80), (Role.MENTEE, 19, 88)):
        values = scale_values(REWARDING, role)
        assert len(values) == size
        # Within one person of the stated percentage.
        assert abs(percent(values, [Likert.STRONGLY_AGREE]) - stated) <= 100 / size, role


def test_seed_demo_feedback_everyone_recommends(debug):
    run_seed_demo_feedback()

    values = scale_values(RECOMMEND)

    assert len(values) == 32
    assert percent(values, AGREE) == 100


def test_seed_demo_feedback_other_figures(debug):
    run_seed_demo_feedback()

    assert round(percent(scale_values(GOOD_MATCH), AGREE)) == 97
    assert percent(scale_values(FELT_PREPARED), AGREE) == 50
    assert round(percent(scale_values(BEYOND_SPECIALTY), AGREE)) == 59


def test_seed_demo_feedback_meetings_topics_texts(debug):
    run_seed_demo_feedback()

    meetings = list(
        Answer.objects.filter(question__kind=QuestionKind.MEETING_COUNT).values_list(
            "number", flat=True
        )
    )
    topics = list(
        Answer.objects.filter(question__kind=QuestionKind.TOPICS).values_list("topics", flat=True)
    )
    texts = Answer.objects.filter(question__kind=QuestionKind.FREE_TEXT)
    assert round(mean(meetings), 1) == 2.6
    assert (min(meetings), max(meetings)) == (1, 6)
    assert len(topics) == 32
    assert all(topics)
    assert texts.filter(response__role=Role.MENTOR).count() == 4
    assert texts.filter(response__role=Role.MENTEE).count() == 6


def test_seed_demo_feedback_twice_adds_nothing(debug, cycle):
    run_seed_demo_feedback()
    answer_count = Answer.objects.count()

    output = run_seed_demo_feedback()

    assert Response.objects.count() == 32
    assert Answer.objects.count() == answer_count
    assert "0 responses stored" in output
    assert "has responses already" in output


def test_seed_demo_feedback_creates_missing_questionnaire(debug):
    Questionnaire.objects.filter(kind=QuestionnaireKind.SIX_MONTH).delete()

    run_seed_demo_feedback()

    questionnaire = Questionnaire.objects.get(kind=QuestionnaireKind.SIX_MONTH)
    assert questionnaire.responses.count() == 32


def test_seed_demo_feedback_refused_without_debug(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="runs only with DEBUG on"):
        run_seed_demo_feedback()
    assert not Response.objects.exists()


def test_seed_demo_feedback_results_without_invitations(debug, cycle):
    run_seed_demo_feedback()
    questionnaire = Questionnaire.objects.get(kind=QuestionnaireKind.SIX_MONTH)

    results = questionnaire_results(questionnaire, cycle=cycle)

    assert [rate.invited for rate in results.response_rates] == [0, 0, 0]
    assert all(group.hidden_reason == "" for group in results.statements[0].groups)
    assert [group.size for group in results.statements[0].groups] == [13, 19, 32]
    assert results.meetings[0].groups[2].mean == 2.6


def test_seed_demo_feedback_results_page_shows_charts(debug, cycle):
    run_seed_demo_feedback()
    questionnaire = Questionnaire.objects.get(kind=QuestionnaireKind.SIX_MONTH)
    client = signed_in_client(create_staff_user("demo-office", group=OFFICE))
    url = reverse("admin:feedback_questionnaire_results", args=[questionnaire.pk])

    response = client.get(f"{url}?cycle={cycle}")

    content = response.content.decode().split('id="content-main"')[1]
    assert response.status_code == 200
    assert len(re.findall(r'<svg [^>]*class="feedback-chart"', content)) == 10
    assert "invitations are not recorded here" in content
    assert "Too few responses" not in content
    assert "Seeing my mentee grow in confidence" in content

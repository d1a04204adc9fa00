import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from programme.applications.models import Role
from programme.feedback.models import Question, QuestionKind, Questionnaire, QuestionnaireKind
from tests.core.staff import create_staff_user, signed_in_client
from tests.feedback.helpers import due_pairing, invitations_for, respond

pytestmark = pytest.mark.django_db

EDIT_PERMISSIONS = (
    "view_questionnaire",
    "change_questionnaire",
    "view_question",
    "add_question",
    "change_question",
    "delete_question",
)


@pytest.mark.parametrize("kind", QuestionnaireKind.values)
def test_default_questionnaire_has_ten_statements(kind):
    questionnaire = Questionnaire.objects.get(kind=kind)

    kinds = list(questionnaire.questions.values_list("kind", flat=True))

    assert kinds.count(QuestionKind.LIKERT) == 10
    assert kinds[10:] == [QuestionKind.MEETING_COUNT, QuestionKind.TOPICS, QuestionKind.FREE_TEXT]


def test_default_questionnaires_titles():
    titles = dict(Questionnaire.objects.values_list("kind", "title"))

    assert titles == {
        QuestionnaireKind.SIX_MONTH: "Six-month feedback",
        QuestionnaireKind.COMPLETION: "Completion feedback",
    }


@pytest.fixture
def editor_client():
    user = create_staff_user("questionnaire-editor")
    user.user_permissions.add(*Permission.objects.filter(codename__in=EDIT_PERMISSIONS))
    return signed_in_client(user)


def change_url(questionnaire) -> str:
    return reverse("admin:feedback_questionnaire_change", args=[questionnaire.pk])


def inline_data(questionnaire, *, delete: Question | None = None, changes=None) -> dict:
    """The change form's POST data with every question as it is, with edits applied."""
    questions = list(questionnaire.questions.order_by("position", "pk"))
    data = {
        "title": questionnaire.title,
        "introduction": questionnaire.introduction,
        "questions-TOTAL_FORMS": str(len(questions)),
        "questions-INITIAL_FORMS": str(len(questions)),
        "questions-MIN_NUM_FORMS": "0",
        "questions-MAX_NUM_FORMS": "1000",
    }
    for index, question in enumerate(questions):
        prefix = f"questions-{index}-"
        data |= {
            f"{prefix}id": str(question.pk),
            f"{prefix}questionnaire": str(questionnaire.pk),
            f"{prefix}position": str(question.position),
            f"{prefix}kind": question.kind,
            f"{prefix}text": question.text,
            f"{prefix}shown": "on",
        }
        if question.required:
            data[f"{prefix}required"] = "on"
        if question == delete:
            data[f"{prefix}DELETE"] = "on"
        data |= (changes or {}).get(question.pk, {})
    return data


def test_change_page_lists_questions_in_order(editor_client, six_month):
    page = editor_client.get(change_url(six_month)).content.decode()

    texts = list(six_month.questions.order_by("position").values_list("text", flat=True))
    positions = [page.index(text) for text in texts]
    assert positions == sorted(positions)


def test_delete_unanswered_question(editor_client, six_month):
    question = six_month.questions.get(kind=QuestionKind.FREE_TEXT)

    response = editor_client.post(change_url(six_month), inline_data(six_month, delete=question))

    assert response.status_code == 302
    assert not Question.objects.filter(pk=question.pk).exists()


def test_delete_answered_question_refused_clearly(editor_client, six_month):
    respond(invitations_for(due_pairing())[Role.MENTOR])
    question = six_month.questions.get(kind=QuestionKind.FREE_TEXT)

    response = editor_client.post(change_url(six_month), inline_data(six_month, delete=question))

    page = response.content.decode()
    assert response.status_code == 200
    assert "These questions have answers, so they cannot be deleted" in page
    assert "untick “shown to participants” instead" in page
    assert Question.objects.filter(pk=question.pk).exists()


def test_change_kind_of_answered_question_refused(editor_client, six_month):
    respond(invitations_for(due_pairing())[Role.MENTOR])
    question = six_month.questions.get(kind=QuestionKind.FREE_TEXT)
    index = list(six_month.questions.order_by("position", "pk")).index(question)
    changes = {question.pk: {f"questions-{index}-kind": QuestionKind.LIKERT}}

    response = editor_client.post(change_url(six_month), inline_data(six_month, changes=changes))

    question.refresh_from_db()
    assert response.status_code == 200
    assert "so its kind cannot change" in response.content.decode()
    assert question.kind == QuestionKind.FREE_TEXT


def test_hide_answered_question(editor_client, six_month):
    respond(invitations_for(due_pairing())[Role.MENTOR])
    question = six_month.questions.get(kind=QuestionKind.FREE_TEXT)
    index = list(six_month.questions.order_by("position", "pk")).index(question)
    data = inline_data(six_month)
    del data[f"questions-{index}-shown"]

    response = editor_client.post(change_url(six_month), data)

    question.refresh_from_db()
    assert response.status_code == 302
    assert question.shown is False


def test_questionnaire_cannot_be_deleted(editor_client, six_month):
    response = editor_client.get(
        reverse("admin:feedback_questionnaire_delete", args=[six_month.pk])
    )

    assert response.status_code == 403


def test_changelist_queries_constant(editor_client, six_month, completion):
    url = reverse("admin:feedback_questionnaire_changelist")
    completion_id = completion.pk
    Questionnaire.objects.filter(pk=completion_id).delete()
    with CaptureQueriesContext(connection) as one_row:
        editor_client.get(url)

    # Only two questionnaires exist, one per kind, so two rows are the most there can be.
    Questionnaire.objects.create(kind=QuestionnaireKind.COMPLETION, title="Completion")
    with CaptureQueriesContext(connection) as two_rows:
        response = editor_client.get(url)

    assert response.status_code == 200
    assert len(two_rows) == len(one_row)

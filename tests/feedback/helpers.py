"""Invitations and complete answers, for the feedback tests."""

import datetime

from django.utils import timezone

from programme.feedback.models import Invitation, Likert, Question, QuestionKind, Topic
from programme.feedback.services import send_due_questionnaires, submit_response
from tests.matching.factories import PairingFactory


def due_pairing(**kwargs):
    """An engaged pairing whose six-month feedback was due yesterday."""
    kwargs.setdefault("feedback_due_on", timezone.localdate() - datetime.timedelta(days=1))
    return PairingFactory(engaged=True, **kwargs)


def invitations_for(pairing) -> dict[str, Invitation]:
    """Invite the pairing to the six-month questionnaire and return its invitations by role."""
    send_due_questionnaires(timezone.localdate())
    return {
        invitation.role: invitation
        for invitation in Invitation.objects.filter(pairing=pairing).select_related(
            "questionnaire"
        )
    }


def full_answers(
    questionnaire,
    *,
    scale: int = Likert.STRONGLY_AGREE,
    meetings: int = 3,
    topics=(Topic.RESEARCH,),
    text: str = "Very helpful.",
) -> dict:
    """Answers to every shown question of the questionnaire, as submit_response takes them."""
    answers = {}
    for question in Question.objects.filter(questionnaire=questionnaire, shown=True):
        if question.kind == QuestionKind.LIKERT:
            answers[question.pk] = scale
        elif question.kind == QuestionKind.MEETING_COUNT:
            answers[question.pk] = meetings
        elif question.kind == QuestionKind.TOPICS:
            answers[question.pk] = list(topics)
        else:
            answers[question.pk] = text
    return answers


def form_data(questionnaire, answers: dict) -> dict:
    """The POST data the response form sends for these answers."""
    return {f"q{question_id}": value for question_id, value in answers.items()}


def respond(invitation, **kwargs):
    return submit_response(
        invitation=invitation, answers=full_answers(invitation.questionnaire, **kwargs)
    )

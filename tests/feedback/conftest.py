import pytest

from programme.feedback.models import Questionnaire, QuestionnaireKind


@pytest.fixture
def six_month(db) -> Questionnaire:
    return Questionnaire.objects.get(kind=QuestionnaireKind.SIX_MONTH)


@pytest.fixture
def completion(db) -> Questionnaire:
    return Questionnaire.objects.get(kind=QuestionnaireKind.COMPLETION)

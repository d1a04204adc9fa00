"""The same invitation answered twice at the same moment, on PostgreSQL.

Both submissions start together at a barrier. Exactly one response may be
stored. The other must get AlreadyAnsweredError and leave nothing behind.
"""

import threading

import pytest
from django.db import connection, connections

from programme.applications.models import Role
from programme.feedback.models import Invitation, Question, QuestionKind, Questionnaire, Response
from programme.feedback.services import AlreadyAnsweredError, submit_response
from tests.feedback.helpers import due_pairing, full_answers, invitations_for

pytestmark = [
    # serialized_rollback puts back the questionnaires the migration created, which
    # the flush after a transactional test removes, for the tests that run later.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks (select_for_update) are only real on PostgreSQL; SQLite admits "
        "one writer at a time, so there is no race to test",
    ),
]

ROUNDS = 10


@pytest.fixture
def questionnaire():
    """The six-month questionnaire, made again when an earlier transactional test emptied it."""
    created, _ = Questionnaire.objects.get_or_create(
        kind="six_month", defaults={"title": "Six-month feedback"}
    )
    if not created.questions.exists():
        Question.objects.create(
            questionnaire=created,
            kind=QuestionKind.LIKERT,
            text="I would recommend this programme.",
            required=True,
        )
    return created


def submit_at_once(invitation: Invitation, answers: dict, count: int = 2) -> list[str]:
    barrier = threading.Barrier(count)
    outcomes: list[str] = []

    def submit() -> None:
        try:
            barrier.wait()
            submit_response(invitation=Invitation.objects.get(pk=invitation.pk), answers=answers)
            outcomes.append("stored")
        except AlreadyAnsweredError:
            outcomes.append("refused")
        except Exception as error:  # recorded, so the test fails on it below
            outcomes.append(f"crashed: {type(error).__name__}: {error}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_submit_response_twice_at_once_stores_one(questionnaire):
    results = []
    for _ in range(ROUNDS):
        invitation = invitations_for(due_pairing())[Role.MENTEE]
        outcomes = submit_at_once(invitation, full_answers(questionnaire))
        results.append(sorted(outcomes))

    assert results == [["refused", "stored"]] * ROUNDS
    assert Response.objects.count() == ROUNDS

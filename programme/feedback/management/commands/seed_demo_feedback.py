"""Store synthetic anonymous responses to the six-month questionnaire for the demo's first cycle.

Development only: it refuses to run unless DEBUG is on. The answers follow the
reference programme's first-cycle figures, so staff who open the results page
in the demo see charts at once. 32 of 54 participants answered. 80% of mentors
and 88% of mentees strongly agreed that taking part is rewarding, 96% felt well
matched, all would recommend the programme, about half felt prepared and
trained, and 59% had discussed topics beyond the specialty. Pairs met 2.6 times
on average (range 1-6). Everything else, including the free text, is made up.

The responses have no invitations, because responses are anonymous and the
demo cohort has no enrolments, so the results page shows no response rate for
the cycle. Like seed_demo, this writes no audit events and sends no e-mail.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from programme.applications.models import Role
from programme.feedback.defaults import SIX_MONTH_STATEMENTS
from programme.feedback.models import (
    Answer,
    Likert,
    Question,
    QuestionKind,
    Questionnaire,
    QuestionnaireKind,
    Response,
    Topic,
)
from programme.feedback.services import questionnaire_of_kind

# The figures give 32 respondents but not their roles. We assume 13 mentors
# and 19 mentees, which fits the 10 mentors and 17 mentees among them who were
# meeting actively.
RESPONDENTS = {Role.MENTOR: 13, Role.MENTEE: 19}

(
    BEYOND_SPECIALTY,
    GOOD_MATCH,
    OPEN_FEEDBACK,
    RECOMMEND,
    PARTNER_PREPARED,
    PARTNER_ACCESSIBLE,
    CLEAR_EXPECTATIONS,
    FELT_PREPARED,
    MORE_INCLUDED,
    REWARDING,
) = SIX_MONTH_STATEMENTS

# Answers per default statement and role, as counts of (strongly disagree,
# slightly disagree, unsure, slightly agree, strongly agree). "Agree" below
# means strongly or slightly agree.
LIKERT_COUNTS: dict[str, dict[str, tuple[int, int, int, int, int]]] = {
    # 8 + 11 = 19 of 32 (59%) agree.
    BEYOND_SPECIALTY: {Role.MENTOR: (0, 3, 2, 3, 5), Role.MENTEE: (1, 4, 3, 5, 6)},
    # 13 + 18 = 31 of 32 (97%, the nearest whole people to 96%) agree.
    GOOD_MATCH: {Role.MENTOR: (0, 0, 0, 4, 9), Role.MENTEE: (0, 1, 0, 5, 13)},
    OPEN_FEEDBACK: {Role.MENTOR: (0, 0, 1, 5, 7), Role.MENTEE: (0, 0, 2, 7, 10)},
    # Everyone agrees.
    RECOMMEND: {Role.MENTOR: (0, 0, 0, 2, 11), Role.MENTEE: (0, 0, 0, 3, 16)},
    PARTNER_PREPARED: {Role.MENTOR: (0, 0, 2, 5, 6), Role.MENTEE: (0, 0, 1, 5, 13)},
    PARTNER_ACCESSIBLE: {Role.MENTOR: (0, 1, 0, 4, 8), Role.MENTEE: (0, 1, 1, 5, 12)},
    CLEAR_EXPECTATIONS: {Role.MENTOR: (0, 0, 1, 5, 7), Role.MENTEE: (0, 0, 2, 8, 9)},
    # 6 + 10 = 16 of 32 (50%) agree.
    FELT_PREPARED: {Role.MENTOR: (0, 3, 4, 4, 2), Role.MENTEE: (1, 3, 5, 7, 3)},
    MORE_INCLUDED: {Role.MENTOR: (0, 0, 3, 5, 5), Role.MENTEE: (0, 0, 3, 6, 10)},
    # Strongly agree: 10 of 13 mentors (77%) and 17 of 19 mentees (89%), the
    # nearest whole people to 80% and 88%.
    REWARDING: {Role.MENTOR: (0, 0, 0, 3, 10), Role.MENTEE: (0, 0, 0, 2, 17)},
}

# Answers to a statement that staff added or reworded, which the figures do not cover.
OTHER_STATEMENT_COUNTS = {Role.MENTOR: (0, 0, 2, 5, 6), Role.MENTEE: (0, 0, 3, 7, 9)}

# Meetings so far, highest first: 35 + 48 = 83 in 32 responses, a mean of 2.6.
MEETING_COUNTS = {
    Role.MENTOR: (6, 4, 4, 3, 3, 3, 2, 2, 2, 2, 2, 1, 1),
    Role.MENTEE: (6, 5, 4, 3, 3, 3, 3, 3, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1),
}

# How many respondents of each role tick each topic.
TOPIC_COUNTS = {
    Role.MENTOR: {
        Topic.RESEARCH: 6,
        Topic.EDUCATION: 7,
        Topic.CLINICAL: 10,
        Topic.CAREER: 9,
        Topic.OTHER: 3,
    },
    Role.MENTEE: {
        Topic.RESEARCH: 8,
        Topic.EDUCATION: 10,
        Topic.CLINICAL: 15,
        Topic.CAREER: 13,
        Topic.OTHER: 5,
    },
}
# The starting position of each topic's run of ticks, which spreads the topics
# across respondents. With these offsets every respondent ticks at least one topic.
TOPIC_OFFSETS = {
    Topic.RESEARCH: 5,
    Topic.EDUCATION: 2,
    Topic.CLINICAL: 0,
    Topic.CAREER: 4,
    Topic.OTHER: 7,
}

# Free text by respondent position. Position 0 is the most positive respondent
# of the role, so the critical remarks go to the last positions.
FREE_TEXTS = {
    Role.MENTOR: {
        0: "Seeing my mentee grow in confidence has been the best part of the year.",
        4: "Agreeing on a topic before each meeting made our calls far more useful.",
        8: "Time zones made it hard to find a slot, but video calls worked well once we did.",
        12: "A short briefing before the first meeting would have helped me know what to expect.",
    },
    Role.MENTEE: {
        0: "Nobody locally could help me prepare for a consultant interview, but my mentor did.",
        3: "It helped to talk about a difficult colleague with someone outside my hospital.",
        7: "We went through several temporal bone cases together, which was very helpful.",
        11: "A list of suggested topics for the first few meetings would be welcome.",
        17: "We found it hard to keep meeting regularly during a busy period at work.",
        18: "At first I was not sure what I could ask my mentor for, so some guidance would help.",
    },
}


def demo_cycle() -> str:
    """Return the demo's first cycle: last year, in the format of ``cycle_of`` (such as "2025")."""
    return str(timezone.localdate().year - 1)


def ranked_scale_values(counts: tuple[int, ...], size: int) -> list[int]:
    """Expand answer counts into one scale value per respondent, most positive first.

    Raises ValueError when the counts do not add up to ``size``.
    """
    if sum(counts) != size:
        raise ValueError(f"Answer counts {counts} add up to {sum(counts)}, expected {size}.")
    values = []
    for value, count in zip(reversed(Likert.values), reversed(counts), strict=True):
        values.extend([value] * count)
    return values


def topics_for(role: str, position: int) -> list[str]:
    size = RESPONDENTS[role]
    return [
        topic
        for topic in Topic.values
        if (position + TOPIC_OFFSETS[topic]) % size < TOPIC_COUNTS[role][topic]
    ]


def build_answers(questions: list[Question], role: str) -> list[list[Answer]]:
    """Build the unsaved answers of each respondent of the role, without their response.

    Respondent i gets the i-th most positive answer to every statement and the
    i-th highest meeting count, so the least satisfied respondents also met
    least. Only the first free-text question is answered.
    """
    size = RESPONDENTS[role]
    free_text_questions = [q for q in questions if q.kind == QuestionKind.FREE_TEXT]
    scale_values = {
        question.pk: ranked_scale_values(
            LIKERT_COUNTS.get(question.text, OTHER_STATEMENT_COUNTS)[role], size
        )
        for question in questions
        if question.kind == QuestionKind.LIKERT
    }

    respondents = []
    for position in range(size):
        answers = []
        for question in questions:
            if question.kind == QuestionKind.LIKERT:
                answers.append(
                    Answer(question=question, scale=scale_values[question.pk][position])
                )
            elif question.kind == QuestionKind.MEETING_COUNT:
                answers.append(Answer(question=question, number=MEETING_COUNTS[role][position]))
            elif question.kind == QuestionKind.TOPICS:
                answers.append(Answer(question=question, topics=topics_for(role, position)))
            elif question == free_text_questions[0] and position in FREE_TEXTS[role]:
                answers.append(Answer(question=question, text=FREE_TEXTS[role][position]))
        respondents.append(answers)
    return respondents


def store_responses(questionnaire: Questionnaire, cycle: str) -> int:
    """Store the synthetic responses for the cycle, unless it has responses already.

    Returns how many responses were stored: all of them, or 0. Questions that
    are not shown any more get no answers, as in a real response.
    """
    questions = list(questionnaire.questions.filter(shown=True).order_by("position", "pk"))
    with transaction.atomic():
        # Locked, so that on PostgreSQL a second run at the same moment waits
        # and then finds these responses.
        Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
        if Response.objects.filter(questionnaire=questionnaire, cycle=cycle).exists():
            return 0

        responses = []
        answers = []
        for role in RESPONDENTS:
            for respondent_answers in build_answers(questions, role):
                response = Response(questionnaire=questionnaire, role=role, cycle=cycle)
                for answer in respondent_answers:
                    answer.response = response
                responses.append(response)
                answers.extend(respondent_answers)
        Response.objects.bulk_create(responses)
        Answer.objects.bulk_create(answers)
    return len(responses)


class Command(BaseCommand):
    help = (
        "Development only: store 32 synthetic anonymous responses (13 mentors, 19 mentees) to "
        "the six-month questionnaire for last year's cycle, following the reference programme's "
        "first-cycle figures. Nothing is stored when that cycle has responses already."
    )

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo_feedback stores synthetic questionnaire responses, so it runs only "
                "with DEBUG on."
            )
        questionnaire = questionnaire_of_kind(QuestionnaireKind.SIX_MONTH)
        if questionnaire is None:
            raise CommandError("The six-month questionnaire is missing and could not be created.")
        cycle = demo_cycle()

        stored = store_responses(questionnaire, cycle)

        if stored:
            self.stdout.write(
                f"Demo feedback: {stored} responses stored for cycle {cycle} of "
                f"“{questionnaire.title}”."
            )
        else:
            self.stdout.write(
                f"Demo feedback: 0 responses stored, because cycle {cycle} of "
                f"“{questionnaire.title}” has responses already."
            )

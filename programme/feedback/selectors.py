"""Results of a questionnaire for one cycle, with small groups held back.

Every figure is given per role and for everyone. A group with fewer answers
than ProgrammeSettings.feedback_min_group_size is not shown. When exactly one
role is held back, the other role is held back too, because otherwise its
figures subtracted from those for everyone would give away the hidden ones.

NOTE: results are shown per cycle only, so no "all cycles" total can be
compared with one cycle's figures. Figures that change between two visits
can still show what the responses in between said; the threshold limits but
does not remove that.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count

from programme.applications.models import Role
from programme.core.models import ProgrammeSettings
from programme.feedback.charts import Bar, diverging_bar_chart, percentages
from programme.feedback.models import (
    Answer,
    Invitation,
    Likert,
    Question,
    QuestionKind,
    Questionnaire,
    Response,
    Topic,
)
from programme.vetting.models import EnrolmentStatus

ALL = "all"
GROUPS = ((Role.MENTOR.value, "Mentors"), (Role.MENTEE.value, "Mentees"), (ALL, "All"))
ROLE_NAMES = {Role.MENTOR.value: "mentors'", Role.MENTEE.value: "mentees'"}


def too_few_message(minimum: int) -> str:
    return f"Too few responses to show (fewer than {minimum})."


def hidden_reasons(sizes: dict[str, int], minimum: int) -> dict[str, str]:
    """Return, per group, why it is not shown, or "" when it is shown.

    ``sizes`` has the number of answers per role and for ``ALL``.
    """
    reasons = {key: "" if sizes[key] >= minimum else too_few_message(minimum) for key, _ in GROUPS}
    for role, other in ((Role.MENTOR, Role.MENTEE), (Role.MENTEE, Role.MENTOR)):
        hidden_with_answers = reasons[role] and sizes[role] > 0
        if hidden_with_answers and not reasons[other] and not reasons[ALL]:
            reasons[other] = (
                f"Not shown: together with the figures for all, it would reveal the "
                f"{ROLE_NAMES[role]} answers, of which there are too few (fewer than {minimum})."
            )
    return reasons


@dataclass
class Group:
    """One group's figures for one question, or the reason they are held back."""

    key: str
    label: str
    size: int
    hidden_reason: str = ""


@dataclass
class StatementResult:
    question: Question
    groups: list[Group]
    counts: dict[str, dict[int, int]]
    chart: str = ""

    @property
    def table(self) -> list[tuple[Group, list[int]]]:
        """Percentages per group in scale order, for the text table under the chart."""
        return [
            (group, [percentages(self.counts[group.key])[value] for value in Likert.values])
            for group in self.groups
        ]


@dataclass
class MeetingGroup(Group):
    mean: float = 0.0
    minimum: int = 0
    maximum: int = 0


@dataclass
class TopicGroup(Group):
    counts: dict[str, int] = field(default_factory=dict)


@dataclass
class FreeTextGroup(Group):
    texts: list[str] = field(default_factory=list)


@dataclass
class QuestionResult:
    question: Question
    groups: list


@dataclass
class ResponseRate:
    label: str
    invited: int
    responded: int
    # Who answered is known from the receipts; in a small group the counts
    # would still say whether each of a handful of named people answered.
    shown: bool = True

    @property
    def percent(self) -> int:
        return round(self.responded * 100 / self.invited) if self.invited else 0


@dataclass
class Results:
    questionnaire: Questionnaire
    cycle: str
    minimum: int
    response_rates: list[ResponseRate]
    statements: list[StatementResult]
    meetings: list[QuestionResult]
    topics: list[QuestionResult]
    free_texts: list[QuestionResult]
    topic_labels: list[tuple[str, str]] = field(default_factory=lambda: list(Topic.choices))


def questionnaire_cycles(questionnaire: Questionnaire) -> list[str]:
    """Return the cycles with invitations or responses, newest first."""
    invited = Invitation.objects.filter(questionnaire=questionnaire).values_list(
        "cycle", flat=True
    )
    answered = Response.objects.filter(questionnaire=questionnaire).values_list("cycle", flat=True)
    return sorted(set(invited.distinct()) | set(answered.distinct()), reverse=True)


def _sizes(per_role: dict[str, int]) -> dict[str, int]:
    sizes = {role: per_role.get(role, 0) for role in Role.values}
    sizes[ALL] = sum(sizes.values())
    return sizes


def _groups(sizes: dict[str, int], minimum: int) -> list[Group]:
    reasons = hidden_reasons(sizes, minimum)
    return [Group(key, label, sizes[key], reasons[key]) for key, label in GROUPS]


def default_cycle(questionnaire: Questionnaire, cycles: list[str]) -> str:
    """Return the newest cycle with enough responses to show, else the newest cycle, else ""."""
    minimum = ProgrammeSettings.objects.get_current().feedback_min_group_size
    sizes = dict(
        Response.objects.filter(questionnaire=questionnaire)
        .values_list("cycle")
        .annotate(count=Count("pk"))
        .order_by()
    )
    for cycle in cycles:
        if sizes.get(cycle, 0) >= minimum:
            return cycle
    return cycles[0] if cycles else ""


def _response_rates(questionnaire: Questionnaire, cycle: str, minimum: int) -> list[ResponseRate]:
    """Invited and responded per role and in all, hidden as a whole when a role has
    fewer than ``minimum`` invitations, so no hidden count can be worked out."""
    invited: Counter = Counter()
    responded: Counter = Counter()
    rows = (
        Invitation.objects.filter(questionnaire=questionnaire, cycle=cycle)
        .values("role", "responded")
        .annotate(count=Count("pk"))
        .order_by()
    )
    for row in rows:
        invited[row["role"]] += row["count"]
        if row["responded"]:
            responded[row["role"]] += row["count"]
    rates = [ResponseRate(label, invited[key], responded[key]) for key, label in GROUPS[:2]]
    rates.append(ResponseRate("All", invited.total(), responded.total()))
    if any(rate.invited and rate.invited < minimum for rate in rates):
        for rate in rates:
            rate.shown = False
    return rates


def _statement_results(
    questions: list[Question], answers, minimum: int, chart_prefix: str
) -> list[StatementResult]:
    counts: dict[int, dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))
    rows = (
        answers.filter(question__kind=QuestionKind.LIKERT, scale__isnull=False)
        .values("question_id", "response__role", "scale")
        .annotate(count=Count("pk"))
        .order_by()
    )
    for row in rows:
        per_group = counts[row["question_id"]]
        per_group[row["response__role"]][row["scale"]] += row["count"]
        per_group[ALL][row["scale"]] += row["count"]

    results = []
    for question in questions:
        if question.kind != QuestionKind.LIKERT:
            continue
        per_group = counts[question.pk]
        sizes = _sizes({role: per_group[role].total() for role in Role.values})
        result = StatementResult(
            question=question,
            groups=_groups(sizes, minimum),
            counts={key: dict(per_group[key]) for key, _ in GROUPS},
        )
        result.chart = diverging_bar_chart(
            chart_id=f"{chart_prefix}-{question.pk}",
            title=question.text,
            bars=[
                Bar(group.label, result.counts[group.key], group.hidden_reason)
                for group in result.groups
            ],
        )
        results.append(result)
    return results


def _meeting_results(questions: list[Question], answers, minimum: int) -> list[QuestionResult]:
    numbers: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    rows = (
        answers.filter(question__kind=QuestionKind.MEETING_COUNT, number__isnull=False)
        .values("question_id", "response__role", "number")
        .annotate(count=Count("pk"))
        .order_by()
    )
    for row in rows:
        repeated = [row["number"]] * row["count"]
        numbers[row["question_id"]][row["response__role"]].extend(repeated)
        numbers[row["question_id"]][ALL].extend(repeated)

    results = []
    for question in questions:
        if question.kind != QuestionKind.MEETING_COUNT:
            continue
        per_group = numbers[question.pk]
        sizes = _sizes({role: len(per_group[role]) for role in Role.values})
        groups = []
        for group in _groups(sizes, minimum):
            values = per_group[group.key]
            meeting_group = MeetingGroup(**vars(group))
            if values and not group.hidden_reason:
                meeting_group.mean = round(sum(values) / len(values), 1)
                meeting_group.minimum = min(values)
                meeting_group.maximum = max(values)
            groups.append(meeting_group)
        results.append(QuestionResult(question, groups))
    return results


def _topic_results(
    questions: list[Question], answers, response_sizes: dict[str, int], minimum: int
) -> list[QuestionResult]:
    counts: dict[int, dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))
    rows = answers.filter(question__kind=QuestionKind.TOPICS).values_list(
        "question_id", "response__role", "topics"
    )
    for question_id, role, topics in rows:
        for topic in topics:
            counts[question_id][role][topic] += 1
            counts[question_id][ALL][topic] += 1

    results = []
    for question in questions:
        if question.kind != QuestionKind.TOPICS:
            continue
        groups = []
        for group in _groups(response_sizes, minimum):
            topic_group = TopicGroup(**vars(group))
            if not group.hidden_reason:
                found = counts[question.pk][group.key]
                topic_group.counts = {topic: found[topic] for topic in Topic.values}
            groups.append(topic_group)
        results.append(QuestionResult(question, groups))
    return results


def _free_text_results(
    questions: list[Question], answers, response_sizes: dict[str, int], minimum: int
) -> list[QuestionResult]:
    texts: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    rows = answers.filter(question__kind=QuestionKind.FREE_TEXT).values_list(
        "question_id", "response__role", "text"
    )
    for question_id, role, text in rows:
        if text.strip():
            texts[question_id][role].append(text)

    results = []
    for question in questions:
        if question.kind != QuestionKind.FREE_TEXT:
            continue
        # Per role only, because a list for everyone would let a hidden role's
        # answers be picked out by removing the other role's. Without that list
        # nothing can be subtracted, so each role needs only enough responses.
        groups = []
        for key, label in GROUPS[:2]:
            size = response_sizes[key]
            reason = "" if size >= minimum else too_few_message(minimum)
            group = FreeTextGroup(key, label, size, reason)
            if not group.hidden_reason:
                # Sorted, so the order reveals nothing about when each answer came in.
                group.texts = sorted(texts[question.pk][key], key=str.casefold)
            groups.append(group)
        results.append(QuestionResult(question, groups))
    return results


def questionnaire_results(
    questionnaire: Questionnaire, *, cycle: str, chart_prefix: str = "chart"
) -> Results:
    """Return the results of one questionnaire in one cycle, in a fixed number of queries."""
    minimum = ProgrammeSettings.objects.get_current().feedback_min_group_size
    questions = list(questionnaire.questions.order_by("position", "pk"))
    answers = Answer.objects.filter(response__questionnaire=questionnaire, response__cycle=cycle)
    response_counts = (
        Response.objects.filter(questionnaire=questionnaire, cycle=cycle)
        .values("role")
        .annotate(count=Count("pk"))
        .order_by()
    )
    response_sizes = _sizes({row["role"]: row["count"] for row in response_counts})

    return Results(
        questionnaire=questionnaire,
        cycle=cycle,
        minimum=minimum,
        response_rates=_response_rates(questionnaire, cycle, minimum),
        statements=_statement_results(questions, answers, minimum, chart_prefix),
        meetings=_meeting_results(questions, answers, minimum),
        topics=_topic_results(questions, answers, response_sizes, minimum),
        free_texts=_free_text_results(questions, answers, response_sizes, minimum),
    )


def open_invitations(person) -> list[Invitation]:
    """Return the person's unanswered invitations, newest first, for their portal page."""
    return list(
        Invitation.objects.filter(enrolment__application__person=person, responded=False)
        .exclude(enrolment__status=EnrolmentStatus.WITHDRAWN)
        .select_related(
            "questionnaire",
            "pairing__mentor_enrolment__application__person",
            "pairing__mentee_enrolment__application__person",
        )
        .order_by("-invited_on", "-pk")
    )

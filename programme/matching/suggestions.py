"""Ranked mentor suggestions for one mentee.

Ranking loads every candidate's facts and pairing counts in two queries and
the mentee's earlier partners in another, then scores in memory. Explanations are built only when
a page reads them, because building ten of them for thousands of mentors
costs more than the ranking itself.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import QuerySet

from programme.matching.rules import (
    CriterionResult,
    MenteeFacts,
    MentorFacts,
    RuleResult,
    hard_rule_results,
    load_mentee_facts,
    load_mentor_facts,
    meets_hard_rules,
    pairing_year_end,
    partners_of,
    past_partners,
    score_soft_criteria,
    soft_score,
)
from programme.matching.selectors import active_mentors
from programme.vetting.models import Enrolment


@dataclass(eq=False)
class Suggestion:
    """A mentor for a mentee: whether every hard rule is met, the score, and the reasons."""

    mentee: MenteeFacts
    mentor: MentorFacts
    eligible: bool
    score: int
    year_end: datetime.date
    partner_indexes: frozenset[str] = field(repr=False)

    @property
    def mentor_id(self) -> int:
        """The mentor's enrolment id."""
        return self.mentor.enrolment_id

    @cached_property
    def hard_rules(self) -> list[RuleResult]:
        return hard_rule_results(
            self.mentee,
            self.mentor,
            year_end=self.year_end,
            partner_indexes=self.partner_indexes,
        )

    @cached_property
    def broken_rules(self) -> list[RuleResult]:
        return [result for result in self.hard_rules if not result.met]

    @cached_property
    def criteria(self) -> list[CriterionResult]:
        return score_soft_criteria(self.mentee, self.mentor)[1]


def rank_key(suggestion: Suggestion) -> tuple:
    """Sort key: eligible first, then higher score, lighter load, older enrolment."""
    return (
        not suggestion.eligible,
        -suggestion.score,
        suggestion.mentor.engaged_count,
        suggestion.mentor.enrolment_id,
    )


def suggest(
    mentee: MenteeFacts,
    mentors: Iterable[MentorFacts],
    *,
    year_end: datetime.date,
    partner_indexes: frozenset[str],
) -> list[Suggestion]:
    """Rank already loaded mentors for a mentee, eligible ones first."""
    suggestions = [
        Suggestion(
            mentee=mentee,
            mentor=mentor,
            eligible=meets_hard_rules(
                mentee, mentor, year_end=year_end, partner_indexes=partner_indexes
            ),
            score=soft_score(mentee, mentor),
            year_end=year_end,
            partner_indexes=partner_indexes,
        )
        for mentor in mentors
    ]
    suggestions.sort(key=rank_key)
    return suggestions


def rank_mentors(
    mentee: Enrolment,
    mentors: QuerySet[Enrolment] | None = None,
    on: datetime.date | None = None,
) -> list[Suggestion]:
    """Rank mentors for a mentee: eligible ones by score, then those breaking a hard rule.

    ``mentors`` defaults to every active mentor enrolment; mentors breaking a
    hard rule stay in the list so the page can show why. Four queries,
    whatever the number of mentors.
    """
    mentee_facts = load_mentee_facts(Enrolment.objects.filter(pk=mentee.pk))[0]
    candidates = active_mentors() if mentors is None else mentors.order_by("id")
    mentor_facts = load_mentor_facts(candidates)
    partners = past_partners(mentee_facts.email_indexes)

    return suggest(
        mentee_facts,
        mentor_facts,
        year_end=pairing_year_end(on),
        partner_indexes=partners_of(mentee_facts, partners),
    )

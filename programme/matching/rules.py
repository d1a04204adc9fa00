"""Matching rules: the hard rules a pairing must meet and the soft criteria that rank mentors.

Hard rules decide whether a mentor may be proposed at all (a core-team member
can still override one with a written reason). Soft criteria give points, so
that eligible mentors can be ranked, and each explains in plain words why it is
met or not.

Ranking many mentors for one mentee must not run a query per mentor, so the
rules work on small fact records (``MenteeFacts``, ``MentorFacts``) loaded in
a few queries. ``check_hard_rules`` loads them for one pair.

Soft criteria weights, as points added to a mentor's score:

- areas: up to 30, in proportion to the mentee's wanted areas the mentor covers;
- academic mentor: 20 when the mentee asked for one and the mentor is
  interested in research, otherwise 0;
- shared language: 10, or 40 when the mentee asked for a mentor from their
  own country because of language;
- load: 10 for a mentor with no engaged pairing, 4 fewer for each one;
- experience: half a point per year of independent practice, up to 10.
"""

import datetime
import json
import operator
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache, reduce
from typing import NamedTuple

from django.db.models import (
    Count,
    Expression,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
)
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone
from django_countries import countries

from programme.applications.models import Role
from programme.core.languages import LANGUAGE_NAMES
from programme.core.text import count_of
from programme.matching.models import ACTIVE_STATUSES, Pairing, PairingStatus
from programme.vetting.models import Enrolment, EnrolmentStatus
from programme.vetting.services import add_years

# Application fields for the areas, with the words used in explanations.
AREA_FIELDS = (
    ("area_research", "research"),
    ("area_education", "education"),
    ("area_clinical", "clinical practice"),
    ("area_career", "career development"),
    ("area_other", "other skills"),
)

AREA_POINTS = 30
ACADEMIC_POINTS = 20
LANGUAGE_POINTS = 10
LANGUAGE_REQUIRED_POINTS = 40
LOAD_POINTS = 10
LOAD_POINTS_PER_ENGAGED_PAIRING = 4
# Half a point per year, so 20 years or more of practice give the full 10 points.
EXPERIENCE_FULL_YEARS = 20
EXPERIENCED_YEARS = 10

# Labels of the hard rules, by code.
RULE_LABELS = {
    "capacity": "Mentor has a free place",
    "term": "Mentor's term covers the pairing year",
    "different_people": "Two different people",
    "different_countries": "Different countries",
    "language_when_needed": "A shared language, when the mentee needs one",
    "not_paired_before": "Not paired before",
}


@dataclass(frozen=True)
class RuleResult:
    """One hard rule's outcome for a mentee and a mentor."""

    code: str
    label: str
    met: bool
    explanation: str


@dataclass(frozen=True)
class CriterionResult:
    """One soft criterion's outcome: met or not, why, and the points it adds."""

    code: str
    label: str
    met: bool
    points: int
    max_points: int
    explanation: str


class MenteeFacts(NamedTuple):
    """Facts about a mentee enrolment that the rules use, loaded without decrypting."""

    enrolment_id: int
    email_indexes: frozenset[str]
    country: str
    languages: frozenset[str]
    areas: frozenset[str]
    wants_academic_mentor: bool
    needs_same_country_for_language: bool


class MentorFacts(NamedTuple):
    """Facts about a mentor enrolment that the rules use, with its pairing counts.

    ``active_count`` counts proposed and engaged pairings, which take a place;
    ``engaged_count`` counts engaged ones only, which are the mentor's load.
    A named tuple, because ranking builds thousands and tuples are the
    cheapest records to build.
    """

    enrolment_id: int
    email_indexes: frozenset[str]
    country: str
    languages: frozenset[str]
    areas: frozenset[str]
    interest_research: bool
    practice_years: int
    capacity: int
    status: str
    ends_on: datetime.date
    active_count: int
    engaged_count: int


# Loading facts: a few queries for any number of enrolments. The database
# packs the area flags into one number and returns the languages as JSON
# text, because converting five flags and decoding JSON per row costs more
# than the rest of the ranking.

# Every combination of areas, by the bit mask the database computes.
AREAS_BY_MASK = {
    mask: frozenset(label for bit, (_, label) in enumerate(AREA_FIELDS) if mask & (1 << bit))
    for mask in range(1 << len(AREA_FIELDS))
}


def area_mask() -> Expression:
    flags = [
        Cast(F(f"application__{field}"), IntegerField()) * (1 << bit)
        for bit, (field, _) in enumerate(AREA_FIELDS)
    ]
    return reduce(operator.add, flags)


def languages_text() -> Cast:
    return Cast("application__person__languages", TextField())


@lru_cache(maxsize=1024)
def parse_languages(text: str | None) -> frozenset[str]:
    """Decode a languages column's JSON text, cached because most people share a few lists."""
    return frozenset(json.loads(text)) if text else frozenset()


PERSON_VALUES = (
    "application__person__primary_email_index",
    "application__person__secondary_email_index",
    "application__person__country",
    "languages_text",
    "area_mask",
)
MENTEE_VALUES = (
    "id",
    *PERSON_VALUES,
    "application__wants_academic_mentor",
    "application__needs_same_country_for_language",
)
MENTOR_VALUES = (
    "id",
    *PERSON_VALUES,
    "application__interest_research",
    "application__practice_years",
    "application__capacity",
    "status",
    "ends_on",
)


def _indexes(*values: str) -> frozenset[str]:
    return frozenset(value for value in values if value)


def _facts_values(enrolments: QuerySet[Enrolment], fields: tuple[str, ...]):
    return enrolments.annotate(languages_text=languages_text(), area_mask=area_mask()).values_list(
        *fields
    )


def load_mentee_facts(mentees: QuerySet[Enrolment]) -> list[MenteeFacts]:
    """Return the facts of these mentee enrolments, in the queryset's order, in one query."""
    return [
        MenteeFacts(
            enrolment_id,
            _indexes(primary, secondary),
            country,
            parse_languages(languages),
            AREAS_BY_MASK[mask],
            academic,
            same_country,
        )
        for enrolment_id, primary, secondary, country, languages, mask, academic, same_country in (
            _facts_values(mentees, MENTEE_VALUES)
        )
    ]


def pairing_counts(mentors: QuerySet[Enrolment]) -> dict[int, tuple[int, int]]:
    """Return (active count, engaged count) by mentor enrolment id, for mentors with any."""
    rows = (
        Pairing.objects.filter(
            status__in=ACTIVE_STATUSES, mentor_enrolment__in=mentors.order_by().values("pk")
        )
        .order_by()
        .values("mentor_enrolment")
        .annotate(active=Count("pk"), engaged=Count("pk", filter=Q(status=PairingStatus.ENGAGED)))
        .values_list("mentor_enrolment", "active", "engaged")
    )
    return {mentor_id: (active, engaged) for mentor_id, active, engaged in rows}


def load_mentor_facts(mentors: QuerySet[Enrolment]) -> list[MentorFacts]:
    """Return the facts of these mentor enrolments, in the queryset's order, in two queries."""
    counts = pairing_counts(mentors)
    no_pairings = (0, 0)
    facts = []
    for row in _facts_values(mentors, MENTOR_VALUES):
        enrolment_id, primary, secondary, country, languages, mask, *rest = row
        research, practice_years, capacity, status, ends_on = rest
        active_count, engaged_count = counts.get(enrolment_id, no_pairings)
        facts.append(
            MentorFacts(
                enrolment_id,
                _indexes(primary, secondary),
                country,
                parse_languages(languages),
                AREAS_BY_MASK[mask],
                research,
                practice_years or 0,
                capacity or 0,
                status,
                ends_on,
                active_count,
                engaged_count,
            )
        )
    return facts


def pairing_count(statuses: Iterable[str]) -> Coalesce:
    """Return an annotation counting a mentor enrolment's pairings in these statuses."""
    counted = (
        Pairing.objects.filter(mentor_enrolment=OuterRef("pk"), status__in=list(statuses))
        .order_by()
        .values("mentor_enrolment")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def with_pairing_counts(mentors: QuerySet[Enrolment]) -> QuerySet[Enrolment]:
    """Annotate mentor enrolments with ``active_count`` and ``engaged_count``."""
    return mentors.annotate(
        active_count=pairing_count(ACTIVE_STATUSES),
        engaged_count=pairing_count([PairingStatus.ENGAGED]),
    )


def past_partners(
    email_indexes: Iterable[str] | None = None,
    *,
    exclude_pairing_id: int | None = None,
    objected: bool = False,
) -> dict[str, frozenset[str]]:
    """Map each e-mail blind index to the indexes of everyone paired with that person.

    Pairings of every status except objected count, in either role, across
    enrolments; with ``objected``, only objected proposals count instead. With
    ``email_indexes``, only pairings involving one of those addresses are
    read. One query.
    """
    if objected:
        pairings = Pairing.objects.filter(status=PairingStatus.OBJECTED)
    else:
        pairings = Pairing.objects.exclude(status=PairingStatus.OBJECTED)
    if exclude_pairing_id is not None:
        pairings = pairings.exclude(pk=exclude_pairing_id)
    if email_indexes is not None:
        wanted = list(email_indexes)
        involved = Q()
        for side in ("mentee_enrolment", "mentor_enrolment"):
            for field in ("primary_email_index", "secondary_email_index"):
                involved |= Q(**{f"{side}__application__person__{field}__in": wanted})
        pairings = pairings.filter(involved)
    rows = pairings.values_list(
        "mentee_enrolment__application__person__primary_email_index",
        "mentee_enrolment__application__person__secondary_email_index",
        "mentor_enrolment__application__person__primary_email_index",
        "mentor_enrolment__application__person__secondary_email_index",
    )
    partners: dict[str, set[str]] = defaultdict(set)
    for mentee_primary, mentee_secondary, mentor_primary, mentor_secondary in rows:
        mentee_side = _indexes(mentee_primary, mentee_secondary)
        mentor_side = _indexes(mentor_primary, mentor_secondary)
        for index in mentee_side:
            partners[index] |= mentor_side
        for index in mentor_side:
            partners[index] |= mentee_side
    return {index: frozenset(others) for index, others in partners.items()}


def partners_of(mentee: MenteeFacts, partners: dict[str, frozenset[str]]) -> frozenset[str]:
    """Return the indexes of everyone the mentee was paired with, from ``past_partners``."""
    found: set[str] = set()
    for index in mentee.email_indexes:
        found |= partners.get(index, frozenset())
    return frozenset(found)


# Hard rules.


def pairing_year_end(on: datetime.date | None = None) -> datetime.date:
    """Return the end of a pairing year that starts on ``on`` (today by default)."""
    return add_years(on or timezone.localdate(), 1)


def has_free_place(mentor: MentorFacts) -> bool:
    return mentor.active_count < mentor.capacity


def term_covers(mentor: MentorFacts, year_end: datetime.date) -> bool:
    return mentor.status == EnrolmentStatus.ACTIVE and mentor.ends_on >= year_end


def are_different_people(mentee: MenteeFacts, mentor: MentorFacts) -> bool:
    return mentee.email_indexes.isdisjoint(mentor.email_indexes)


def countries_allowed(mentee: MenteeFacts, mentor: MentorFacts) -> bool:
    return mentee.needs_same_country_for_language or mentee.country != mentor.country


def language_allowed(mentee: MenteeFacts, mentor: MentorFacts) -> bool:
    """A mentee who asked for a mentor from their own country because of language
    must share a language with the mentor; for other mentees language is only scored."""
    return not mentee.needs_same_country_for_language or not mentee.languages.isdisjoint(
        mentor.languages
    )


def not_paired_before(mentor: MentorFacts, partner_indexes: frozenset[str]) -> bool:
    return mentor.email_indexes.isdisjoint(partner_indexes)


def meets_hard_rules(
    mentee: MenteeFacts,
    mentor: MentorFacts,
    *,
    year_end: datetime.date,
    partner_indexes: frozenset[str],
) -> bool:
    """Return whether every hard rule is met, without building explanations."""
    return (
        has_free_place(mentor)
        and term_covers(mentor, year_end)
        and are_different_people(mentee, mentor)
        and countries_allowed(mentee, mentor)
        and language_allowed(mentee, mentor)
        and not_paired_before(mentor, partner_indexes)
    )


def country_name(code: str) -> str:
    return countries.name(code) or code


def _rule(code: str, met: bool, explanation: str) -> RuleResult:
    return RuleResult(code=code, label=RULE_LABELS[code], met=met, explanation=explanation)


def hard_rule_results(
    mentee: MenteeFacts,
    mentor: MentorFacts,
    *,
    year_end: datetime.date,
    partner_indexes: frozenset[str],
) -> list[RuleResult]:
    """Return every hard rule's outcome, with an explanation, in a fixed order."""
    taken = mentor.active_count
    capacity_text = (
        f"The mentor has {count_of(mentor.capacity, 'place')}; {taken} "
        f"{'is' if taken == 1 else 'are'} taken by proposed or engaged pairings."
    )
    results = [_rule("capacity", has_free_place(mentor), capacity_text)]

    if mentor.status != EnrolmentStatus.ACTIVE:
        term_text = f"The mentor's enrolment is {EnrolmentStatus(mentor.status).label.lower()}."
    elif term_covers(mentor, year_end):
        term_text = (
            f"The mentor's term ends on {mentor.ends_on:%d %b %Y}, after the pairing year "
            f"ends on {year_end:%d %b %Y}."
        )
    else:
        term_text = (
            f"The mentor's term ends on {mentor.ends_on:%d %b %Y}, before the pairing year "
            f"ends on {year_end:%d %b %Y}."
        )
    results.append(_rule("term", term_covers(mentor, year_end), term_text))

    if are_different_people(mentee, mentor):
        people_text = "The mentor and the mentee share no e-mail address."
    else:
        people_text = "The mentor and the mentee share an e-mail address, so may be one person."
    results.append(_rule("different_people", are_different_people(mentee, mentor), people_text))

    mentee_country, mentor_country = country_name(mentee.country), country_name(mentor.country)
    if mentee.country != mentor.country:
        country_text = f"The mentee works in {mentee_country}, the mentor in {mentor_country}."
    elif mentee.needs_same_country_for_language:
        country_text = (
            f"Both work in {mentee_country}, which is allowed because the mentee asked for "
            "a mentor from their own country because of language."
        )
    else:
        country_text = f"Both work in {mentee_country}."
    results.append(_rule("different_countries", countries_allowed(mentee, mentor), country_text))

    shared = mentee.languages & mentor.languages
    if not mentee.needs_same_country_for_language:
        language_text = (
            "The mentee did not ask for a mentor because of language, so a shared language "
            "is scored below rather than required."
        )
    elif shared:
        language_text = (
            f"The mentee asked for a mentor because of language, and both hold meetings in "
            f"{_languages(shared)}."
        )
    else:
        language_text = (
            "The mentee asked for a mentor from their own country because of language, but "
            f"they share no language: the mentee gave {_languages(mentee.languages)}, the "
            f"mentor {_languages(mentor.languages)}."
        )
    results.append(_rule("language_when_needed", language_allowed(mentee, mentor), language_text))

    if not_paired_before(mentor, partner_indexes):
        history_text = "These two people have not been paired before."
    else:
        history_text = "These two people were paired before, in this or an earlier enrolment."
    results.append(
        _rule("not_paired_before", not_paired_before(mentor, partner_indexes), history_text)
    )
    return results


def check_hard_rules(
    *,
    mentee: Enrolment,
    mentor: Enrolment,
    on: datetime.date | None = None,
    pairing: Pairing | None = None,
) -> list[RuleResult]:
    """Check the hard rules for proposing ``mentor`` to ``mentee`` on ``on`` (today by default).

    ``pairing``, when given, is the pairing being checked again: it is left
    out of the mentor's taken places and of the earlier pairings. Raises
    ValueError when the enrolments are not a mentee's and a mentor's. Four
    queries.
    """
    if mentee.role != Role.MENTEE or mentor.role != Role.MENTOR:
        raise ValueError(
            f"Expected a mentee and a mentor enrolment, got enrolment {mentee.pk} "
            f"({mentee.role}) and enrolment {mentor.pk} ({mentor.role})."
        )

    mentee_facts = load_mentee_facts(Enrolment.objects.filter(pk=mentee.pk))[0]
    mentor_facts = load_mentor_facts(Enrolment.objects.filter(pk=mentor.pk))[0]
    counted = pairing is not None and pairing.mentor_enrolment_id == mentor.pk
    if counted and pairing.status in ACTIVE_STATUSES:
        engaged = pairing.status == PairingStatus.ENGAGED
        mentor_facts = mentor_facts._replace(
            active_count=mentor_facts.active_count - 1,
            engaged_count=mentor_facts.engaged_count - int(engaged),
        )
    partners = past_partners(
        mentee_facts.email_indexes, exclude_pairing_id=pairing.pk if pairing else None
    )

    return hard_rule_results(
        mentee_facts,
        mentor_facts,
        year_end=pairing_year_end(on),
        partner_indexes=partners_of(mentee_facts, partners),
    )


# Soft criteria. Each *_points helper is shared by the fast score and the explained one.


def area_points(mentee: MenteeFacts, mentor: MentorFacts) -> int:
    if not mentee.areas:
        return 0
    covered = len(mentee.areas & mentor.areas)
    return round(AREA_POINTS * covered / len(mentee.areas))


def academic_points(mentee: MenteeFacts, mentor: MentorFacts) -> int:
    return ACADEMIC_POINTS if mentee.wants_academic_mentor and mentor.interest_research else 0


def language_weight(mentee: MenteeFacts) -> int:
    if mentee.needs_same_country_for_language:
        return LANGUAGE_REQUIRED_POINTS
    return LANGUAGE_POINTS


def language_points(mentee: MenteeFacts, mentor: MentorFacts) -> int:
    if mentee.languages.isdisjoint(mentor.languages):
        return 0
    return language_weight(mentee)


def load_points(mentor: MentorFacts) -> int:
    return max(0, LOAD_POINTS - LOAD_POINTS_PER_ENGAGED_PAIRING * mentor.engaged_count)


def experience_points(mentor: MentorFacts) -> int:
    return min(mentor.practice_years, EXPERIENCE_FULL_YEARS) // 2


def soft_score(mentee: MenteeFacts, mentor: MentorFacts) -> int:
    """Return the soft criteria's total points, without building explanations."""
    return (
        area_points(mentee, mentor)
        + academic_points(mentee, mentor)
        + language_points(mentee, mentor)
        + load_points(mentor)
        + experience_points(mentor)
    )


def _listing(words: Iterable[str]) -> str:
    return ", ".join(sorted(words))


def _languages(codes: Iterable[str]) -> str:
    return _listing(LANGUAGE_NAMES.get(code, code) for code in codes) or "none given"


def _areas_criterion(mentee: MenteeFacts, mentor: MentorFacts) -> CriterionResult:
    covered, missing = mentee.areas & mentor.areas, mentee.areas - mentor.areas
    if not mentee.areas:
        explanation = "The mentee ticked no areas, so any mentor's areas fit."
    elif not missing:
        explanation = f"The mentor covers every area the mentee wants: {_listing(covered)}."
    elif covered:
        explanation = (
            f"The mentor covers {len(covered)} of the {len(mentee.areas)} areas the mentee "
            f"wants ({_listing(covered)}), but not {_listing(missing)}."
        )
    else:
        explanation = f"The mentor covers none of the areas the mentee wants: {_listing(missing)}."
    return CriterionResult(
        code="areas",
        label="Areas covered",
        met=not missing,
        points=area_points(mentee, mentor),
        max_points=AREA_POINTS if mentee.areas else 0,
        explanation=explanation,
    )


def _academic_criterion(mentee: MenteeFacts, mentor: MentorFacts) -> CriterionResult:
    if not mentee.wants_academic_mentor:
        explanation = "The mentee did not ask for an academic mentor."
        met = True
    elif mentor.interest_research:
        explanation = (
            "The mentee asked for an academic mentor, and the mentor is interested in research."
        )
        met = True
    else:
        explanation = (
            "The mentee asked for an academic mentor, but the mentor did not say they are "
            "interested in research."
        )
        met = False
    return CriterionResult(
        code="academic",
        label="Academic mentor",
        met=met,
        points=academic_points(mentee, mentor),
        max_points=ACADEMIC_POINTS if mentee.wants_academic_mentor else 0,
        explanation=explanation,
    )


def _language_criterion(mentee: MenteeFacts, mentor: MentorFacts) -> CriterionResult:
    shared = mentee.languages & mentor.languages
    if shared:
        explanation = f"Both hold meetings in {_languages(shared)}."
    else:
        explanation = (
            f"No shared language: the mentee gave {_languages(mentee.languages)}, the mentor "
            f"{_languages(mentor.languages)}."
        )
    if mentee.needs_same_country_for_language:
        explanation += (
            " This weighs heavily, because the mentee asked for a mentor from their own "
            "country because of language."
        )
    return CriterionResult(
        code="language",
        label="Shared language",
        met=bool(shared),
        points=language_points(mentee, mentor),
        max_points=language_weight(mentee),
        explanation=explanation,
    )


def _load_criterion(mentor: MentorFacts) -> CriterionResult:
    if mentor.engaged_count == 0:
        explanation = "The mentor mentors nobody at present."
    else:
        explanation = (
            f"The mentor already mentors {mentor.engaged_count} mentee"
            f"{'s' if mentor.engaged_count != 1 else ''}."
        )
    return CriterionResult(
        code="load",
        label="Current load",
        met=mentor.engaged_count == 0,
        points=load_points(mentor),
        max_points=LOAD_POINTS,
        explanation=explanation,
    )


def _experience_criterion(mentor: MentorFacts) -> CriterionResult:
    years = mentor.practice_years
    explanation = f"{years} year{'s' if years != 1 else ''} of independent practice"
    if years >= EXPERIENCED_YEARS:
        explanation += f", {EXPERIENCED_YEARS} or more."
    else:
        explanation += f", fewer than {EXPERIENCED_YEARS}."
    return CriterionResult(
        code="experience",
        label="Experience",
        met=years >= EXPERIENCED_YEARS,
        points=experience_points(mentor),
        max_points=EXPERIENCE_FULL_YEARS // 2,
        explanation=explanation,
    )


def score_soft_criteria(
    mentee: MenteeFacts, mentor: MentorFacts
) -> tuple[int, list[CriterionResult]]:
    """Score a mentor for a mentee and explain each soft criterion, in a fixed order.

    The score is the sum of the criteria's points, and equals ``soft_score``.
    """
    criteria = [
        _areas_criterion(mentee, mentor),
        _academic_criterion(mentee, mentor),
        _language_criterion(mentee, mentor),
        _load_criterion(mentor),
        _experience_criterion(mentor),
    ]
    return sum(criterion.points for criterion in criteria), criteria

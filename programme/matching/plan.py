"""A matching plan: the best eligible mentor for each waiting mentee, in queue order.

Each mentee in turn takes the highest-ranked mentor who meets every hard rule,
counting the places that earlier rows of the plan have already taken. The
plan only suggests: proposals are made by ``propose_pairing``, which checks
the rules again.
"""

import datetime
import logging
from dataclasses import dataclass, field
from typing import NamedTuple

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from programme.matching.models import Pairing
from programme.matching.rules import (
    load_mentee_facts,
    load_mentor_facts,
    meets_hard_rules,
    pairing_year_end,
    partners_of,
    past_partners,
    soft_score,
)
from programme.matching.selectors import active_mentors, waiting_mentees
from programme.matching.services import MatchingError, propose_pairing
from programme.matching.suggestions import Suggestion, rank_key
from programme.vetting.models import Enrolment

logger = logging.getLogger(__name__)


@dataclass
class PlanRow:
    """One waiting mentee and the mentor the plan gives them, or None when none is eligible."""

    mentee: Enrolment
    suggestion: Suggestion | None


def plan_matches(*, on: datetime.date | None = None, limit: int | None = None) -> list[PlanRow]:
    """Plan a mentor for each waiting mentee, in queue order, filling mentors' places as it goes.

    ``limit`` plans only the first mentees of the queue. Six queries; the
    work in memory grows with mentees times mentors.
    """
    year_end = pairing_year_end(on)
    mentees = waiting_mentees()
    if limit is not None:
        mentees = mentees[:limit]
    mentees = list(mentees)
    facts_by_id = {
        facts.enrolment_id: facts
        for facts in load_mentee_facts(Enrolment.objects.filter(pk__in=[m.pk for m in mentees]))
    }
    mentors = {facts.enrolment_id: facts for facts in load_mentor_facts(active_mentors())}
    partners = past_partners()
    objections = past_partners(objected=True)

    rows = []
    for mentee in mentees:
        mentee_facts = facts_by_id[mentee.pk]
        partner_indexes = partners_of(mentee_facts, partners)
        # A pair the core team objected to is not planned again; a member can
        # still propose it from the suggestions page.
        objected_indexes = partners_of(mentee_facts, objections)
        best = None
        for mentor in mentors.values():
            if mentor.email_indexes & objected_indexes:
                continue
            if not meets_hard_rules(
                mentee_facts, mentor, year_end=year_end, partner_indexes=partner_indexes
            ):
                continue
            candidate = Suggestion(
                mentee=mentee_facts,
                mentor=mentor,
                eligible=True,
                score=soft_score(mentee_facts, mentor),
                year_end=year_end,
                partner_indexes=partner_indexes,
            )
            if best is None or rank_key(candidate) < rank_key(best):
                best = candidate
        if best is not None:
            # The planned pairing takes a place, as a proposal would.
            mentors[best.mentor_id] = best.mentor._replace(
                active_count=best.mentor.active_count + 1
            )
        rows.append(PlanRow(mentee=mentee, suggestion=best))
    return rows


class FailedProposal(NamedTuple):
    mentee_id: int
    mentor_id: int
    reason: str


@dataclass
class ProposalOutcome:
    """Outcome of proposing the plan rows a core-team member ticked."""

    proposed: list[Pairing] = field(default_factory=list)
    failed: list[FailedProposal] = field(default_factory=list)


def propose_plan(
    *, choices: list[tuple[int, int]], proposer: AbstractBaseUser, note: str = ""
) -> ProposalOutcome:
    """Propose each chosen (mentee enrolment id, mentor enrolment id) pair in one transaction.

    Each proposal goes through ``propose_pairing`` with no override reason, so
    a pair that now breaks a hard rule fails and is reported. A failed
    proposal rolls back on its own and leaves the others in place. Side
    effects: those of ``propose_pairing`` for every proposed pair.
    """
    outcome = ProposalOutcome()
    enrolment_ids = {pk for pair in choices for pk in pair}
    enrolments = Enrolment.objects.in_bulk(enrolment_ids)

    with transaction.atomic():
        for mentee_id, mentor_id in choices:
            mentee, mentor = enrolments.get(mentee_id), enrolments.get(mentor_id)
            if mentee is None or mentor is None:
                outcome.failed.append(
                    FailedProposal(
                        mentee_id, mentor_id, "One of the two enrolments no longer exists."
                    )
                )
                continue
            try:
                pairing = propose_pairing(
                    mentee=mentee, mentor=mentor, proposer=proposer, note=note
                )
            except MatchingError as error:
                logger.info(
                    "Planned proposal of mentor enrolment %s for mentee enrolment %s failed: %s",
                    mentor_id,
                    mentee_id,
                    error,
                )
                outcome.failed.append(FailedProposal(mentee_id, mentor_id, str(error)))
                continue
            outcome.proposed.append(pairing)
    return outcome

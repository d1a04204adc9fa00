"""Two core-team members giving the final approval at the same moment, on PostgreSQL.

Each round starts two threads at a barrier. Exactly one approval may engage a
pairing. The other member must get a MatchingError with a clear message, and
nothing of their attempt may remain in the database.
"""

import threading

import pytest
from django.db import connection, connections
from django.db.models import Count

from programme.core.models import ProgrammeSettings
from programme.letters.models import Letter, LetterKind
from programme.matching.models import Pairing, PairingReview, PairingStatus, Verdict
from programme.matching.services import MatchingError, propose_pairing, review_pairing
from tests.matching.test_consensus import core_team, enrol_mentee, enrol_mentor

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks (select_for_update) are only real on PostgreSQL; SQLite admits "
        "one writer at a time, so there is no race to test",
    ),
]

ROUNDS = 50
COUNTRIES = ("FR", "IT", "ES", "NL", "SE", "PL", "PT", "AT", "BE", "IE")


@pytest.fixture
def members():
    """A proposer and two reviewers; one approval besides the proposer's engages."""
    programme = ProgrammeSettings.objects.get_current()
    programme.consensus_approvals = 1
    programme.save()
    return core_team(3)


def approve_at_once(approvals: list[tuple[Pairing, object]]) -> list[tuple[str, str]]:
    """Run each (pairing, reviewer) approval in its own thread, released together.

    Returns one (outcome, message) per thread: "engaged", "proposed",
    "rejected" with the MatchingError's message, or "crashed" with any other
    exception.
    """
    barrier = threading.Barrier(len(approvals))
    outcomes: list[tuple[str, str]] = []

    def approve(pairing: Pairing, reviewer) -> None:
        try:
            barrier.wait()
            reviewed = review_pairing(pairing=pairing, reviewer=reviewer, verdict=Verdict.APPROVE)
            outcomes.append((str(reviewed.status), ""))
        except MatchingError as error:
            outcomes.append(("rejected", str(error)))
        except Exception as error:  # recorded, so the test fails on it below
            outcomes.append(("crashed", f"{type(error).__name__}: {error}"))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve, args=approval) for approval in approvals]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def double_pairings() -> int:
    """Count mentees engaged twice and mentors engaged beyond their capacity."""
    mentees = (
        Pairing.objects.filter(status=PairingStatus.ENGAGED)
        .values("mentee_enrolment")
        .annotate(count=Count("pk"))
        .filter(count__gt=1)
        .count()
    )
    over_capacity = sum(
        1
        for pairing in Pairing.objects.filter(status=PairingStatus.ENGAGED)
        .values("mentor_enrolment", "mentor_enrolment__application__capacity")
        .annotate(count=Count("pk"))
        if pairing["count"] > pairing["mentor_enrolment__application__capacity"]
    )
    return mentees + over_capacity


def test_same_proposal_final_approvals_one_engagement(members):
    proposer, first, second = members
    results = []

    for round_number in range(ROUNDS):
        country = COUNTRIES[round_number % len(COUNTRIES)]
        pairing = propose_pairing(
            mentee=enrol_mentee(), mentor=enrol_mentor(country=country), proposer=proposer
        )
        outcomes = approve_at_once([(pairing, first), (pairing, second)])
        pairing.refresh_from_db()
        results.append(
            (
                sorted(outcome for outcome, _ in outcomes),
                pairing.status,
                pairing.reviews.count(),
                [message for outcome, message in outcomes if outcome != "engaged"],
            )
        )

    crashed = [result for result in results if "crashed" in result[0]]
    assert crashed == []
    assert [result[0] for result in results] == [["engaged", "rejected"]] * ROUNDS
    assert [result[1] for result in results] == [PairingStatus.ENGAGED] * ROUNDS
    # The rejected approval left no review row behind.
    assert [result[2] for result in results] == [1] * ROUNDS
    for *_, messages in results:
        assert len(messages) == 1
        assert "was engaged a moment ago by core-" in messages[0]
    assert Letter.objects.filter(kind=LetterKind.ENGAGEMENT).count() == ROUNDS
    assert double_pairings() == 0


def test_last_mentor_place_two_proposals_one_engagement(members):
    proposer, first, second = members
    results = []

    for round_number in range(ROUNDS):
        country = COUNTRIES[round_number % len(COUNTRIES)]
        mentor = enrol_mentor(country=country, capacity=1)
        one = propose_pairing(mentee=enrol_mentee(), mentor=mentor, proposer=proposer)
        # The first proposal already takes the mentor's only place, so the
        # second one needs an override reason to be proposed at all.
        other = propose_pairing(
            mentee=enrol_mentee(),
            mentor=mentor,
            proposer=proposer,
            override_reason="Whichever is approved first should go ahead.",
        )
        outcomes = approve_at_once([(one, first), (other, second)])
        statuses = sorted(
            Pairing.objects.filter(mentor_enrolment=mentor).values_list("status", flat=True)
        )
        reviews = PairingReview.objects.filter(pairing__mentor_enrolment=mentor).count()
        results.append(
            (
                sorted(outcome for outcome, _ in outcomes),
                statuses,
                reviews,
                [message for outcome, message in outcomes if outcome != "engaged"],
            )
        )

    crashed = [result for result in results if "crashed" in result[0]]
    assert crashed == []
    assert [result[0] for result in results] == [["engaged", "rejected"]] * ROUNDS
    assert [result[1] for result in results] == [["engaged", "proposed"]] * ROUNDS
    # Only the engaging approval is stored; the rejected one rolled back.
    assert [result[2] for result in results] == [1] * ROUNDS
    for *_, messages in results:
        assert len(messages) == 1
        assert "This mentor has no free place" in messages[0]
    engaged = Pairing.objects.filter(status=PairingStatus.ENGAGED)
    assert sorted(set(engaged.values_list("mentor_place", flat=True))) == [1]
    assert Letter.objects.filter(kind=LetterKind.ENGAGEMENT).count() == ROUNDS
    assert double_pairings() == 0

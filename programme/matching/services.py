"""Proposals, consensus, engagement, ending and re-enrolment: every state change of matching.

Each function checks that the change is allowed, writes the new state and an
audit event, and queues its letters in the same transaction, so a change that
fails leaves no row and sends no letter. Engagement locks the mentee's and the
mentor's enrolment rows, and the pairing constraints in the database back the
checks made under those locks.
"""

import calendar
import datetime
import logging

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from programme.applications.models import Application, Role
from programme.core.models import ProgrammeSettings
from programme.core.roles import CORE_TEAM
from programme.core.services import record_event
from programme.letters.models import Letter, LetterKind
from programme.letters.services import queue_letter, site_link
from programme.matching.models import (
    ACTIVE_STATUSES,
    MAX_NOTE_LENGTH,
    EndReason,
    MenteeOutcome,
    Pairing,
    PairingReview,
    PairingStatus,
    Verdict,
)
from programme.matching.rules import check_hard_rules
from programme.vetting.models import Enrolment, EnrolmentStatus
from programme.vetting.services import (
    VettingError,
    format_letter_date,
    renewal_link,
    withdraw_application,
)

logger = logging.getLogger(__name__)

END_PERMISSION = "matching.end_pairing"
PROPOSE_PERMISSION = "matching.propose_pairing"
# Mentors whose term ends within this many days are invited to enrol again.
REENROLMENT_NOTICE_DAYS = 30


class MatchingError(Exception):
    """A proposal, review or ending is not allowed. The message explains why to staff."""


# Small helpers.


def add_months(start: datetime.date, months: int) -> datetime.date:
    """Return the same day ``months`` calendar months later, or that month's last day."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    last_day = calendar.monthrange(year, month)[1]
    return datetime.date(year, month, min(start.day, last_day))


def member_name(user: AbstractBaseUser | None) -> str:
    """Return the name that messages show for a core-team member or office user."""
    if user is None:
        return "a former member"
    return user.get_full_name() or user.get_username()


def is_core_team_member(user: AbstractBaseUser) -> bool:
    return user.is_active and user.groups.filter(name=CORE_TEAM).exists()


def _clean_text(text: str, *, field_name: str) -> str:
    text = text.strip()
    if len(text) > MAX_NOTE_LENGTH:
        raise MatchingError(
            f"The {field_name} is too long: {len(text)} characters, and the maximum is "
            f"{MAX_NOTE_LENGTH}. Please shorten it."
        )
    return text


def _lock_enrolments(*enrolments: Enrolment) -> dict[int, Enrolment]:
    """Lock the enrolment rows in primary-key order.

    Concurrent approvals then take their locks in the same order.
    """
    locked = (
        Enrolment.objects.select_for_update(of=("self",))
        .select_related("application__person")
        .filter(pk__in=[enrolment.pk for enrolment in enrolments])
        .order_by("pk")
    )
    return {enrolment.pk: enrolment for enrolment in locked}


def _engaged_by(pairing: Pairing) -> str:
    """Name the member whose approval engaged the pairing: the latest approval, or the proposer."""
    latest = (
        pairing.reviews.filter(verdict=Verdict.APPROVE)
        .select_related("reviewer")
        .order_by("-reviewed_at", "-id")
        .first()
    )
    return member_name(latest.reviewer if latest is not None else pairing.proposed_by)


def _active_pairing_of(mentee: Enrolment, *, exclude: Pairing | None = None) -> Pairing | None:
    pairings = Pairing.objects.filter(mentee_enrolment=mentee, status__in=ACTIVE_STATUSES)
    if exclude is not None:
        pairings = pairings.exclude(pk=exclude.pk)
    return pairings.select_related("proposed_by").first()


# Consensus.


def approvals_needed(*, proposer: AbstractBaseUser | None = None) -> int:
    """Return how many approvals, besides the proposer's own, engage a proposal.

    The programme setting decides when it is set. Otherwise every other active
    core-team member must approve. The result is at least 1 when another
    member exists, never more than the other members, and 0 when the proposer
    is the only member, who then engages their proposal alone.
    """
    members = get_user_model().objects.filter(is_active=True, groups__name=CORE_TEAM)
    if proposer is not None:
        members = members.exclude(pk=proposer.pk)
    others = members.distinct().count()
    if others == 0:
        return 0

    setting = ProgrammeSettings.objects.get_current().consensus_approvals
    # NOTE: a setting above the number of other members is lowered to that
    # number, so a proposal can still be engaged when members leave.
    required = others if setting is None else setting
    return max(1, min(required, others))


def approval_count(pairing: Pairing) -> int:
    return (
        pairing.reviews.filter(verdict=Verdict.APPROVE)
        .exclude(reviewer_id=pairing.proposed_by_id)
        .count()
    )


def propose_pairing(
    *,
    mentee: Enrolment,
    mentor: Enrolment,
    proposer: AbstractBaseUser,
    note: str = "",
    override_reason: str = "",
) -> Pairing:
    """Propose a mentor for a mentee; the proposal counts as the proposer's approval.

    Side effects: one proposed Pairing and the audit event
    matching.pairing.proposed. When hard rules are broken, the written
    override reason and the rule codes are stored, and the event
    matching.rule.overridden is written. When no other core-team member can
    review, the pairing is engaged at once (see review_pairing for what that
    writes). Raises MatchingError when a hard rule is broken without an
    override reason, or when the mentee already has a proposed or engaged
    pairing.
    """
    if not proposer.has_perm(PROPOSE_PERMISSION):
        raise MatchingError("Only members of the core team can propose a pairing.")
    if mentee.role != Role.MENTEE or mentor.role != Role.MENTOR:
        raise MatchingError(
            "A pairing needs a mentee enrolment and a mentor enrolment. Check that the two "
            "people were chosen in the right roles."
        )
    note = _clean_text(note, field_name="note")
    override_reason = _clean_text(override_reason, field_name="override reason")

    try:
        with transaction.atomic():
            locked = _lock_enrolments(mentee, mentor)
            if mentee.pk not in locked or mentor.pk not in locked:
                raise MatchingError("One of the two enrolments no longer exists.")
            mentee, mentor = locked[mentee.pk], locked[mentor.pk]

            existing = _active_pairing_of(mentee)
            if existing is not None:
                raise MatchingError(
                    f"This mentee already has a {existing.status} pairing, proposed by "
                    f"{member_name(existing.proposed_by)} on "
                    f"{format_letter_date(timezone.localtime(existing.proposed_at).date())}. "
                    "A mentee can be in one proposed or engaged pairing at a time."
                )

            results = check_hard_rules(mentee=mentee, mentor=mentor)
            broken = [result for result in results if not result.met]
            if broken and not override_reason:
                raise MatchingError(
                    "This pairing breaks these rules: "
                    + " ".join(f"{result.label}: {result.explanation}" for result in broken)
                    + " To propose it anyway, write your reason in the box for proposing "
                    "this mentor although a hard rule is broken."
                )

            pairing = Pairing.objects.create(
                mentee_enrolment=mentee,
                mentor_enrolment=mentor,
                proposed_by=proposer,
                proposal_note=note,
                overridden_rules=[result.code for result in broken],
                override_reason=override_reason if broken else "",
            )
            record_event("matching.pairing.proposed", actor=proposer, target=pairing)
            if broken:
                record_event("matching.rule.overridden", actor=proposer, target=pairing)

            if approvals_needed(proposer=proposer) == 0:
                _engage(pairing, actor=proposer)
    except IntegrityError as error:
        # The constraint found what the locked check could not see: another
        # proposal for this mentee committed between the check and the insert.
        logger.warning("Proposal for mentee enrolment %s rejected: %s", mentee.pk, error)
        winner = _active_pairing_of(mentee)
        by = member_name(winner.proposed_by) if winner is not None else "another member"
        raise MatchingError(
            f"This mentee was proposed for a pairing by {by} a moment ago, and a mentee can "
            "be in one proposed or engaged pairing at a time. Nothing was saved."
        ) from error
    return pairing


def review_pairing(
    *,
    pairing: Pairing,
    reviewer: AbstractBaseUser,
    verdict: str,
    reason: str = "",
) -> Pairing:
    """Approve or object to a proposed pairing, and engage it when enough members approved.

    Side effects: one PairingReview and the audit event matching.pairing.approved
    or matching.pairing.objected. An objection closes the proposal as objected,
    so the mentee is back in the queue. The approval that completes the
    consensus engages the pairing (see _engage). Raises MatchingError when the
    reviewer is not another core-team member, has reviewed already, an
    objection has no reason, the proposal is no longer open, or the pairing
    cannot be engaged.
    """
    if verdict not in Verdict.values:
        raise MatchingError(f"Invalid verdict {verdict!r}. Choose approve or object.")
    reason = _clean_text(reason, field_name="reason")
    if verdict == Verdict.OBJECT and not reason:
        raise MatchingError(
            "The reason is missing. An objection needs one, so the proposer knows what to change."
        )
    if not is_core_team_member(reviewer):
        raise MatchingError("Only active members of the core team can review a proposal.")

    try:
        with transaction.atomic():
            locked = (
                Pairing.objects.select_for_update(of=("self",))
                .select_related("proposed_by")
                .get(pk=pairing.pk)
            )
            if locked.proposed_by_id == reviewer.pk:
                raise MatchingError(
                    "You proposed this pairing, and your proposal already counts as your "
                    "approval. Another member of the core team needs to review it."
                )
            _check_still_proposed(locked)
            earlier = locked.reviews.filter(reviewer=reviewer).first()
            if earlier is not None:
                verdict_text = "approved it" if earlier.verdict == Verdict.APPROVE else "objected"
                raise MatchingError(
                    f"You have already reviewed this proposal: you {verdict_text} on "
                    f"{format_letter_date(timezone.localtime(earlier.reviewed_at).date())}. "
                    "Each member reviews a proposal once."
                )

            PairingReview.objects.create(
                pairing=locked, reviewer=reviewer, verdict=verdict, reason=reason
            )
            if verdict == Verdict.OBJECT:
                locked.status = PairingStatus.OBJECTED
                locked.save(update_fields=["status"])
                record_event("matching.pairing.objected", actor=reviewer, target=locked)
            else:
                record_event("matching.pairing.approved", actor=reviewer, target=locked)
                if approval_count(locked) >= approvals_needed(proposer=locked.proposed_by):
                    _engage(locked, actor=reviewer)
    except IntegrityError as error:
        logger.warning(
            "Review of pairing %s by user %s rejected: %s", pairing.pk, reviewer.pk, error
        )
        raise MatchingError(
            "Another change to this pairing or to one of its two people was saved at the "
            "same moment, so yours was not. Reload the page to see the current state."
        ) from error

    pairing.refresh_from_db()
    return pairing


def _check_still_proposed(pairing: Pairing) -> None:
    if pairing.status == PairingStatus.PROPOSED:
        return
    if pairing.status == PairingStatus.ENGAGED:
        raise MatchingError(
            f"This pairing was engaged a moment ago by {_engaged_by(pairing)}, so it needs no "
            "more reviews. Nothing was recorded."
        )
    if pairing.status == PairingStatus.OBJECTED:
        objection = (
            pairing.reviews.filter(verdict=Verdict.OBJECT).select_related("reviewer").first()
        )
        by = member_name(objection.reviewer if objection is not None else None)
        raise MatchingError(
            f"{by} objected to this proposal, so it is closed and the mentee is back in the "
            "queue. Nothing was recorded."
        )
    raise MatchingError(
        f"This pairing is {pairing.get_status_display().lower()}, so it cannot be reviewed."
    )


# Engagement.


def _engage(pairing: Pairing, *, actor: AbstractBaseUser) -> None:
    """Engage a proposed pairing inside the caller's transaction.

    Locks both enrolments, re-checks that both are active, that the mentee has
    no other pairing and that the mentor has a free place, then takes the
    lowest free place and sets the due dates. Side effects: the audit event
    matching.pairing.engaged and one engagement letter to both people.
    Raises MatchingError when a check fails; the caller's transaction then
    rolls back.
    """
    locked = _lock_enrolments(pairing.mentee_enrolment, pairing.mentor_enrolment)
    mentee = locked[pairing.mentee_enrolment_id]
    mentor = locked[pairing.mentor_enrolment_id]

    for enrolment, role in ((mentee, "mentee"), (mentor, "mentor")):
        if enrolment.status != EnrolmentStatus.ACTIVE:
            raise MatchingError(
                f"The {role}'s enrolment is {enrolment.get_status_display().lower()}, so this "
                "pairing cannot be engaged. Object to the proposal to close it."
            )

    other = Pairing.objects.filter(mentee_enrolment=mentee, status=PairingStatus.ENGAGED).exclude(
        pk=pairing.pk
    )
    other = other.first()
    if other is not None:
        raise MatchingError(
            f"This mentee was paired a moment ago by {_engaged_by(other)}, so this pairing "
            "was not engaged. Nothing was recorded."
        )

    capacity = mentor.application.capacity or 0
    taken_pairings = list(
        Pairing.objects.filter(mentor_enrolment=mentor, status=PairingStatus.ENGAGED)
        .select_related("proposed_by")
        .order_by("-engaged_on", "-pk")
    )
    taken_places = {taken.mentor_place for taken in taken_pairings}
    free_places = sorted(set(range(1, capacity + 1)) - taken_places)
    if len(taken_pairings) >= capacity or not free_places:
        latest = taken_pairings[0] if taken_pairings else None
        by = f" The last place was taken by {_engaged_by(latest)}." if latest else ""
        raise MatchingError(
            f"This mentor has no free place: all {capacity} of their places are taken, the "
            f"last possibly a moment ago.{by} This pairing was not engaged and nothing was "
            "recorded. Object to the proposal so the mentee goes back to the queue."
        )

    programme = ProgrammeSettings.objects.get_current()
    engaged_on = timezone.localdate()
    pairing.status = PairingStatus.ENGAGED
    pairing.mentor_place = free_places[0]
    pairing.mentor_capacity = capacity
    pairing.engaged_on = engaged_on
    pairing.checkin_due_on = engaged_on + datetime.timedelta(days=programme.checkin_after_days)
    pairing.feedback_due_on = add_months(engaged_on, programme.feedback_after_months)
    pairing.completion_due_on = add_months(engaged_on, programme.completion_after_months)
    pairing.save(
        update_fields=[
            "status",
            "mentor_place",
            "mentor_capacity",
            "engaged_on",
            "checkin_due_on",
            "feedback_due_on",
            "completion_due_on",
        ]
    )
    record_event("matching.pairing.engaged", actor=actor, target=pairing)
    queue_engagement_letter(
        pairing, mentee=mentee, mentor=mentor, programme=programme, actor=actor
    )


def _areas(application: Application) -> str:
    areas = application.areas
    if application.area_other and application.area_other_details:
        areas = [*areas[:-1], f"Other skills ({application.area_other_details})"]
    return ", ".join(areas) or "None given"


def queue_engagement_letter(
    pairing: Pairing,
    *,
    mentee: Enrolment,
    mentor: Enrolment,
    programme: ProgrammeSettings,
    actor: AbstractBaseUser,
) -> Letter:
    """Queue one letter To both people's first addresses, Cc both second addresses."""
    mentee_application, mentor_application = mentee.application, mentor.application
    mentee_person, mentor_person = mentee_application.person, mentor_application.person
    return queue_letter(
        kind=LetterKind.ENGAGEMENT,
        idempotency_key=f"engagement:{pairing.pk}",
        to=[mentor_person.primary_email, mentee_person.primary_email],
        cc=[mentor_person.secondary_email, mentee_person.secondary_email],
        values={
            "recipient_name": f"{mentor_person.full_name} and {mentee_person.full_name}",
            "mentor_name": mentor_person.full_name,
            "mentor_emails": f"{mentor_person.primary_email}, {mentor_person.secondary_email}",
            "mentor_country": mentor_person.country.name,
            "mentor_institution": mentor_person.institution,
            "mentor_areas": _areas(mentor_application),
            "mentee_name": mentee_person.full_name,
            "mentee_emails": f"{mentee_person.primary_email}, {mentee_person.secondary_email}",
            "mentee_country": mentee_person.country.name,
            "mentee_institution": mentee_person.institution,
            "mentee_areas": _areas(mentee_application),
            "mentee_needs": mentee_application.specific_needs or "None given",
            "minimum_meetings": str(programme.minimum_meetings),
            "checkin_due": format_letter_date(pairing.checkin_due_on),
            "feedback_due": format_letter_date(pairing.feedback_due_on),
            "completion_due": format_letter_date(pairing.completion_due_on),
            "tips_link": site_link(reverse("public:tips")),
            "portal_link": site_link(reverse("meetings:home")),
        },
        # NOTE: a letter links to one person, so the mentor's subject access
        # export does not list this letter although it names them.
        person=mentee_person,
        actor=actor,
    )


# Ending.


# How the letter to the two people words each reason: the list's labels are
# shorthand for the office.
LETTER_END_REASONS = {
    EndReason.NO_CONTACT: "You were not able to make contact with each other.",
    EndReason.CHEMISTRY: "The pairing did not work out as hoped.",
    EndReason.CIRCUMSTANCES: "Circumstances have changed.",
    EndReason.OTHER: "The office will gladly tell you more if you would like to know.",
}


def _next_steps(*, role: str, outcome: str) -> str:
    if role == Role.MENTOR:
        return (
            "Your place as a mentor is free again, so the core team may propose a new mentee "
            "to you. There is nothing you need to do."
        )
    if outcome == MenteeOutcome.REQUEUED:
        return (
            "You keep your place in the matching queue, and the core team will propose a new "
            "mentor to you. There is nothing you need to do."
        )
    apply_link = site_link(reverse("applications:apply", args=[Role.MENTEE]))
    return (
        "As agreed with you, you have been withdrawn from the programme. You are welcome to "
        f"apply again whenever it suits you: {apply_link}"
    )


def end_pairing(
    *,
    pairing: Pairing,
    actor: AbstractBaseUser,
    reason: EndReason,
    note: str,
    mentee_outcome: MenteeOutcome,
) -> Pairing:
    """End an engaged pairing early, freeing the mentor's place.

    Side effects: the pairing becomes ended with today's date, the reason,
    note and mentee outcome, and the audit event matching.pairing.ended is
    written. One letter goes to each of the two people. A requeued mentee
    needs nothing more, because the queue lists mentees without a proposed or
    engaged pairing by their original application date. A withdrawn mentee's
    application is withdrawn, which ends their enrolment. Raises
    MatchingError without the office's permission, for an invalid reason or
    outcome, or when the pairing is not engaged.
    """
    if not actor.has_perm(END_PERMISSION):
        raise MatchingError("Only the office can end a pairing.")
    if reason not in EndReason.values:
        raise MatchingError(f"Invalid end reason {reason!r}. Choose one from the list.")
    if mentee_outcome not in MenteeOutcome.values:
        raise MatchingError(
            f"Invalid outcome for the mentee {mentee_outcome!r}. Choose one from the list."
        )
    note = _clean_text(note, field_name="note")

    with transaction.atomic():
        locked = _lock_pairing_for_ending(pairing)
        if locked.status != PairingStatus.ENGAGED:
            raise MatchingError(
                "Only an engaged pairing can be ended, and this one's status is "
                f"{locked.get_status_display().lower()}. Nothing changed."
            )
        _close_pairing(
            locked, actor=actor, reason=reason, note=note, mentee_outcome=mentee_outcome
        )

        if mentee_outcome == MenteeOutcome.WITHDRAWN:
            try:
                withdraw_application(
                    application=locked.mentee_enrolment.application,
                    actor=actor,
                    reason=note,
                    by_applicant=False,
                )
            except VettingError as error:
                raise MatchingError(str(error)) from error

        _queue_ended_letters(
            locked,
            actor=actor,
            reason=reason,
            mentee_outcome=mentee_outcome,
            roles=(Role.MENTOR, Role.MENTEE),
        )

    pairing.refresh_from_db()
    return pairing


def end_pairing_on_withdrawal(*, pairing: Pairing, withdrawing_role: str, note: str) -> Pairing:
    """End a proposed or engaged pairing because one of the pair left the programme.

    Called when a participant withdraws; the caller withdraws their
    application. A withdrawing mentee's outcome is "withdrawn"; when the
    mentor withdraws, the mentee goes back to the queue in their original
    place. Only the partner who stays gets a letter. Side effects: the
    pairing ends with reason "changed circumstances" and the audit event
    matching.pairing.ended. Raises MatchingError when the pairing has
    already ended or completed.
    """
    if withdrawing_role not in Role.values:
        raise MatchingError(f"Invalid role {withdrawing_role!r}.")
    note = _clean_text(note, field_name="note")
    outcome = (
        MenteeOutcome.WITHDRAWN if withdrawing_role == Role.MENTEE else MenteeOutcome.REQUEUED
    )
    staying_role = Role.MENTOR if withdrawing_role == Role.MENTEE else Role.MENTEE
    with transaction.atomic():
        locked = _lock_pairing_for_ending(pairing)
        if locked.status not in ACTIVE_STATUSES:
            raise MatchingError(
                f"This pairing is already {locked.get_status_display().lower()}. Nothing changed."
            )
        _close_pairing(
            locked, actor=None, reason=EndReason.CIRCUMSTANCES, note=note, mentee_outcome=outcome
        )
        _queue_ended_letters(
            locked,
            actor=None,
            reason=EndReason.CIRCUMSTANCES,
            mentee_outcome=outcome,
            roles=(staying_role,),
        )
    pairing.refresh_from_db()
    return pairing


def _lock_pairing_for_ending(pairing: Pairing) -> Pairing:
    return (
        Pairing.objects.select_for_update(of=("self",))
        .select_related(
            "mentee_enrolment__application__person", "mentor_enrolment__application__person"
        )
        .get(pk=pairing.pk)
    )


def _close_pairing(locked: Pairing, *, actor, reason: str, note: str, mentee_outcome: str) -> None:
    locked.status = PairingStatus.ENDED
    locked.ended_on = timezone.localdate()
    locked.end_reason = reason
    locked.end_note = note
    locked.mentee_outcome = mentee_outcome
    locked.save(update_fields=["status", "ended_on", "end_reason", "end_note", "mentee_outcome"])
    record_event("matching.pairing.ended", actor=actor, target=locked)


def _queue_ended_letters(
    locked: Pairing, *, actor, reason: str, mentee_outcome: str, roles: tuple[str, ...]
) -> None:
    mentee_person = locked.mentee_enrolment.application.person
    mentor_person = locked.mentor_enrolment.application.person
    for role, person, partner in (
        (Role.MENTOR, mentor_person, mentee_person),
        (Role.MENTEE, mentee_person, mentor_person),
    ):
        if role not in roles:
            continue
        queue_letter(
            kind=LetterKind.PAIRING_ENDED,
            idempotency_key=f"pairing-ended:{locked.pk}:{role}",
            to=[person.primary_email],
            cc=[person.secondary_email],
            values={
                "recipient_name": person.full_name,
                "partner_name": partner.full_name,
                "end_reason": LETTER_END_REASONS[reason],
                "next_steps": _next_steps(role=role, outcome=mentee_outcome),
            },
            person=person,
            actor=actor,
        )


# Re-enrolment.


def invite_reenrolment(today: datetime.date | None = None) -> int:
    """Invite each active mentor whose term ends within 30 days to enrol again.

    Idempotent: the letter's key names the enrolment, so each term gets one
    invitation however often this runs. Returns how many invitations were
    queued now. Side effects: one letter and the audit event
    matching.reenrolment.invited per new invitation.
    """
    today = today or timezone.localdate()
    last_day = today + datetime.timedelta(days=REENROLMENT_NOTICE_DAYS)
    enrolments = list(
        Enrolment.objects.filter(
            role=Role.MENTOR,
            status=EnrolmentStatus.ACTIVE,
            ends_on__gte=today,
            ends_on__lte=last_day,
        )
        .select_related("application__person")
        .order_by("ends_on", "pk")
    )
    keys = {enrolment.pk: f"reenrolment:{enrolment.pk}" for enrolment in enrolments}
    already_sent = set(
        Letter.objects.filter(idempotency_key__in=keys.values()).values_list(
            "idempotency_key", flat=True
        )
    )
    queued = 0
    for enrolment in enrolments:
        key = keys[enrolment.pk]
        if key in already_sent:
            continue
        person = enrolment.application.person
        with transaction.atomic():
            queue_letter(
                kind=LetterKind.REENROLMENT_INVITATION,
                idempotency_key=key,
                to=[person.primary_email],
                cc=[person.secondary_email],
                values={
                    "recipient_name": person.full_name,
                    "term_end": format_letter_date(enrolment.ends_on),
                    "apply_link": renewal_link(enrolment),
                },
                person=person,
            )
            record_event("matching.reenrolment.invited", target=enrolment)
        queued += 1
    if queued:
        logger.info("Queued %s re-enrolment invitations", queued)
    return queued

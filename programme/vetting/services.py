"""Vetting decisions, enrolment and withdrawal: every state change of this stage.

Each function locks the application, checks that the change is allowed,
writes the new state, a VettingDecision and an audit event, and queues its
letters in the same transaction. A letter queued without a batch is sent
after the commit; a letter in a batch waits as a draft for an office user's
approval.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from programme.applications.models import (
    MAX_MENTOR_CAPACITY,
    Application,
    ApplicationStatus,
    Role,
)
from programme.core.models import ProgrammeSettings
from programme.core.services import record_event
from programme.letters.models import Letter, LetterBatch, LetterKind, LetterState
from programme.letters.services import create_batch, queue_letter, site_link
from programme.vetting.models import (
    MAX_REASON_LENGTH,
    Decision,
    Enrolment,
    EnrolmentStatus,
    VettingDecision,
)

# Applications the office can still decide on. An eligible application is
# open, because its enrolment runs, but it is already decided.
DECIDABLE_STATUSES = (ApplicationStatus.SUBMITTED, ApplicationStatus.INFORMATION_REQUESTED)
# Decisions the office can take for several applications at once.
BULK_DECISIONS = (Decision.ELIGIBLE, Decision.NOT_ELIGIBLE, Decision.INFORMATION_REQUESTED)
LETTER_DATE_FORMAT = "j F Y"

# The office user who acts. None or an anonymous user stands for the applicant.
Actor = AbstractBaseUser | AnonymousUser | None


class VettingError(Exception):
    """A decision or withdrawal is not allowed for the application in its current state."""


@dataclass
class BulkDecisionResult:
    decided: list[Application] = field(default_factory=list)
    # Each application that was left alone, with the reason it could not be decided.
    skipped: list[tuple[Application, str]] = field(default_factory=list)
    batch: LetterBatch | None = None


def is_decidable(application: Application) -> bool:
    return application.status in DECIDABLE_STATUSES


def _lock(application: Application) -> Application:
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("person")
        .get(pk=application.pk)
    )


def _lock_decidable(application: Application) -> Application:
    locked = _lock(application)
    if not is_decidable(locked):
        raise VettingError(
            f"Application {locked.pk} is already {locked.get_status_display().lower()}, so it "
            "cannot be decided again. Only submitted applications and those waiting for more "
            "information can be decided."
        )
    return locked


def _clean_reason(reason: str, *, required: bool) -> str:
    reason = reason.strip()
    if required and not reason:
        raise VettingError(
            "The reason is missing. This decision needs one because the letter quotes it."
        )
    if len(reason) > MAX_REASON_LENGTH:
        raise VettingError(
            f"The reason is too long: {len(reason)} characters, and the maximum is "
            f"{MAX_REASON_LENGTH}. Please shorten it."
        )
    return reason


def _record_decision(
    application: Application,
    *,
    decision: str,
    reason: str,
    actor: Actor,
    by_applicant: bool = False,
) -> VettingDecision:
    application.status = {
        Decision.ELIGIBLE: ApplicationStatus.ELIGIBLE,
        Decision.NOT_ELIGIBLE: ApplicationStatus.NOT_ELIGIBLE,
        Decision.INFORMATION_REQUESTED: ApplicationStatus.INFORMATION_REQUESTED,
        Decision.WITHDRAWN: ApplicationStatus.WITHDRAWN,
    }[decision]
    application.save(update_fields=["status"])
    vetting_decision = VettingDecision.objects.create(
        application=application,
        decision=decision,
        reason=reason,
        decided_by=actor if actor is not None and actor.is_authenticated else None,
        by_applicant=by_applicant,
    )
    record_event(f"vetting.application.{decision}", actor=actor, target=application)
    return vetting_decision


def add_years(start: datetime.date, count: int) -> datetime.date:
    """Return the same calendar day ``count`` years later; 29 February becomes 28 February."""
    try:
        return start.replace(year=start.year + count)
    except ValueError:
        return start.replace(year=start.year + count, day=28)


def term_dates(
    role: str, *, starts_on: datetime.date, programme: ProgrammeSettings
) -> tuple[datetime.date, datetime.date]:
    """Return the first and last day of a term in this role that starts on ``starts_on``."""
    term_years = (
        programme.mentor_term_years if role == Role.MENTOR else programme.mentee_term_years
    )
    return starts_on, add_years(starts_on, term_years) - datetime.timedelta(days=1)


def format_letter_date(day: datetime.date) -> str:
    return date_format(day, LETTER_DATE_FORMAT)


def role_name(application: Application) -> str:
    return application.get_role_display().lower()


def queue_enrolment_letters(
    enrolment: Enrolment, *, programme: ProgrammeSettings, actor: Actor, batch: LetterBatch | None
) -> list[Letter]:
    """Queue the welcome letter, and for a mentee the letter to their head of department.

    The head of department letter is skipped when the application has no
    address for them.
    """
    application = enrolment.application
    person = application.person
    term_start = format_letter_date(enrolment.starts_on)
    term_end = format_letter_date(enrolment.ends_on)
    tips_link = site_link(reverse("public:tips"))
    head_name = application.head_of_department_name.strip()

    if application.role == Role.MENTOR:
        kind = LetterKind.ENROLMENT_MENTOR
        values = {
            "recipient_name": person.full_name,
            "term_start": term_start,
            "term_end": term_end,
            "term_years": str(programme.mentor_term_years),
            "capacity": str(application.capacity),
            "tips_link": tips_link,
        }
    else:
        kind = LetterKind.ENROLMENT_MENTEE
        values = {
            "recipient_name": person.full_name,
            "term_start": term_start,
            "term_end": term_end,
            "head_of_department_name": head_name or "your head of training or department",
            "tips_link": tips_link,
        }
    letters = [
        queue_letter(
            kind=kind,
            idempotency_key=f"enrolment:{application.pk}",
            to=[person.primary_email],
            cc=[person.secondary_email],
            values=values,
            person=person,
            batch=batch,
            actor=actor,
        )
    ]

    head_email = application.head_of_department_email.strip()
    if application.role == Role.MENTEE and head_email:
        letters.append(
            queue_letter(
                kind=LetterKind.HEAD_OF_DEPARTMENT,
                idempotency_key=f"head-of-department:{application.pk}",
                to=[head_email],
                values={
                    "recipient_name": head_name or "Colleague",
                    "mentee_name": person.full_name,
                    "mentee_institution": person.institution,
                    "term_start": term_start,
                    "term_end": term_end,
                    "how_it_works_link": site_link(reverse("public:how_it_works")),
                },
                person=person,
                batch=batch,
                actor=actor,
            )
        )
    return letters


def decide_eligible(
    *,
    application: Application,
    actor: Actor,
    reason: str = "",
    batch: LetterBatch | None = None,
) -> Enrolment:
    """Find an application eligible and enrol the applicant for one term.

    Side effects: the application becomes eligible, and a VettingDecision, an
    Enrolment and an audit event are written. The enrolment letter is queued
    to both of the applicant's addresses, and for a mentee a letter to their
    head of department. Raises VettingError when the application is not open
    for a decision.
    """
    reason = _clean_reason(reason, required=False)
    programme = ProgrammeSettings.objects.get_current()

    with transaction.atomic():
        locked = _lock_decidable(application)
        _record_decision(locked, decision=Decision.ELIGIBLE, reason=reason, actor=actor)
        starts_on, ends_on = term_dates(
            locked.role, starts_on=timezone.localdate(), programme=programme
        )
        enrolment = Enrolment.objects.create(
            application=locked, role=locked.role, starts_on=starts_on, ends_on=ends_on
        )
        queue_enrolment_letters(enrolment, programme=programme, actor=actor, batch=batch)

    application.status = locked.status
    return enrolment


def decide_not_eligible(
    *,
    application: Application,
    actor: Actor,
    reason: str,
    batch: LetterBatch | None = None,
) -> VettingDecision:
    """Find an application not eligible and tell the applicant why.

    Side effects: the application becomes not eligible, and a VettingDecision
    and an audit event are written. The letter quoting the reason is queued to
    both of the applicant's addresses. Raises VettingError when the reason is
    blank or the application is not open for a decision.
    """
    reason = _clean_reason(reason, required=True)

    with transaction.atomic():
        locked = _lock_decidable(application)
        decision = _record_decision(
            locked, decision=Decision.NOT_ELIGIBLE, reason=reason, actor=actor
        )
        person = locked.person
        queue_letter(
            kind=LetterKind.NOT_ELIGIBLE,
            idempotency_key=f"not-eligible:{locked.pk}",
            to=[person.primary_email],
            cc=[person.secondary_email],
            values={
                "recipient_name": person.full_name,
                "role": role_name(locked),
                "reason": reason,
                "eligibility_link": site_link(reverse("public:eligibility")),
            },
            person=person,
            batch=batch,
            actor=actor,
        )

    application.status = locked.status
    return decision


def request_information(
    *,
    application: Application,
    actor: Actor,
    reason: str,
    batch: LetterBatch | None = None,
) -> VettingDecision:
    """Ask the applicant for more information before deciding; the application stays open.

    Each request is a new question with its own letter. Sending the same
    question again while the application still waits for an answer raises
    VettingError, so a repeated form submission sends one letter.
    Side effects: the application waits for information, and a VettingDecision
    and an audit event are written. The letter quoting the question is queued
    to both of the applicant's addresses.
    """
    reason = _clean_reason(reason, required=True)

    with transaction.atomic():
        locked = _lock_decidable(application)
        if locked.status == ApplicationStatus.INFORMATION_REQUESTED:
            latest = locked.vetting_decisions.order_by("-decided_at", "-id").first()
            if latest is not None and latest.reason == reason:
                raise VettingError(
                    f"Application {locked.pk} already waits for an answer to this question, "
                    "so it was not sent again."
                )
        decision = _record_decision(
            locked, decision=Decision.INFORMATION_REQUESTED, reason=reason, actor=actor
        )
        person = locked.person
        queue_letter(
            kind=LetterKind.INFORMATION_REQUESTED,
            idempotency_key=f"information-requested:{locked.pk}:{decision.pk}",
            to=[person.primary_email],
            cc=[person.secondary_email],
            values={
                "recipient_name": person.full_name,
                "role": role_name(locked),
                "reason": reason,
            },
            person=person,
            batch=batch,
            actor=actor,
        )

    application.status = locked.status
    return decision


def _discard_draft_letters(application: Application, *, actor: Actor) -> int:
    """Delete this application's decision letters that still wait, unapproved, in a batch.

    A draft is sent only once its batch is approved, so deleting it keeps a
    welcome letter from reaching someone who has withdrawn.
    """
    drafts = Letter.objects.filter(
        state=LetterState.DRAFT,
        idempotency_key__in=[
            f"enrolment:{application.pk}",
            f"head-of-department:{application.pk}",
        ],
    ) | Letter.objects.filter(
        state=LetterState.DRAFT,
        idempotency_key__startswith=f"information-requested:{application.pk}:",
    )
    count, _ = drafts.delete()
    if count:
        record_event("vetting.draft_letters.discarded", actor=actor, target=application)
    return count


def withdraw_application(
    *,
    application: Application,
    actor: Actor = None,
    reason: str,
    by_applicant: bool,
) -> VettingDecision | None:
    """Withdraw an application and end its enrolment, if it has one.

    Withdrawing an application that is already withdrawn changes nothing and
    returns None. Side effects: the application becomes withdrawn, and an
    active enrolment ends as withdrawn on today's date. A VettingDecision and
    audit events are written, and decision letters still waiting as drafts
    are deleted. No letter is sent. Raises VettingError for an application found not
    eligible, which is already closed.
    """
    reason = _clean_reason(reason, required=False)

    with transaction.atomic():
        locked = _lock(application)
        if locked.status == ApplicationStatus.WITHDRAWN:
            application.status = locked.status
            return None
        if locked.status == ApplicationStatus.NOT_ELIGIBLE:
            raise VettingError(
                f"Application {locked.pk} was found not eligible and is already closed, "
                "so there is nothing to withdraw."
            )

        decision = _record_decision(
            locked,
            decision=Decision.WITHDRAWN,
            reason=reason,
            actor=actor,
            by_applicant=by_applicant,
        )
        enrolment = (
            Enrolment.objects.select_for_update()
            .filter(application=locked, status=EnrolmentStatus.ACTIVE)
            .first()
        )
        if enrolment is not None:
            enrolment.status = EnrolmentStatus.WITHDRAWN
            enrolment.ends_on = max(
                enrolment.starts_on, min(enrolment.ends_on, timezone.localdate())
            )
            enrolment.save(update_fields=["status", "ends_on"])
            record_event("vetting.enrolment.withdrawn", actor=actor, target=enrolment)
        _discard_draft_letters(locked, actor=actor)

    application.status = locked.status
    return decision


def _batch_kind(decision: str, applications: list[Application]) -> str:
    # A batch has one kind, but eligible decisions write mentor and mentee
    # letters: a batch with any mentee is labelled with the mentee letter.
    if decision == Decision.NOT_ELIGIBLE:
        return LetterKind.NOT_ELIGIBLE
    if decision == Decision.INFORMATION_REQUESTED:
        return LetterKind.INFORMATION_REQUESTED
    if all(application.role == Role.MENTOR for application in applications):
        return LetterKind.ENROLMENT_MENTOR
    return LetterKind.ENROLMENT_MENTEE


def _batch_description(decision: str, count: int) -> str:
    return f"{Decision(decision).label}: letters for {count} applications decided together"


def decide_in_bulk(
    *,
    applications: Iterable[Application],
    decision: str,
    actor: Actor,
    reason: str,
) -> BulkDecisionResult:
    """Take one decision for several applications, with all their letters in one batch.

    The letters stay drafts until an office user approves the batch.
    Applications that cannot be decided are skipped and listed in the result
    with the reason. The others are decided in one transaction. Raises
    VettingError for an unknown decision or a missing reason, before
    anything changes.
    """
    if decision not in BULK_DECISIONS:
        raise VettingError(
            f"Invalid bulk decision '{decision}'. Choose one of {', '.join(BULK_DECISIONS)}."
        )
    reason = _clean_reason(reason, required=decision != Decision.ELIGIBLE)
    decide = {
        Decision.ELIGIBLE: decide_eligible,
        Decision.NOT_ELIGIBLE: decide_not_eligible,
        Decision.INFORMATION_REQUESTED: request_information,
    }[decision]
    applications = list(applications)
    application_ids = [application.pk for application in applications]
    result = BulkDecisionResult()

    with transaction.atomic():
        locked = list(
            Application.objects.select_for_update(of=("self",))
            .select_related("person")
            .filter(pk__in=application_ids)
            .order_by("submitted_at", "pk")
        )
        decidable = [application for application in locked if is_decidable(application)]
        if decidable:
            result.batch = create_batch(
                kind=_batch_kind(decision, decidable),
                description=_batch_description(decision, len(decidable)),
                actor=actor,
            )

        found_ids = {application.pk for application in locked}
        for application in applications:
            if application.pk not in found_ids:
                result.skipped.append(
                    (application, f"Application {application.pk} no longer exists.")
                )

        for application in locked:
            try:
                decide(application=application, actor=actor, reason=reason, batch=result.batch)
            except VettingError as error:
                result.skipped.append((application, str(error)))
            else:
                result.decided.append(application)

        if result.batch is not None and not result.decided:
            # Every decision raised, so the batch has no letters to approve.
            result.batch.delete()
            result.batch = None
        elif result.batch is not None and len(result.decided) != len(decidable):
            result.batch.description = _batch_description(decision, len(result.decided))
            result.batch.save(update_fields=["description"])

    return result


# Renewing a mentor's term.

RENEWAL_SALT = "programme.vetting.renew-term"
# A renewal link works from the invitation, a month before the term ends,
# until two months after it ended.
RENEWAL_LINK_MAX_AGE = datetime.timedelta(days=90)
RENEWAL_GRACE = datetime.timedelta(days=60)


def make_renewal_token(enrolment: Enrolment) -> str:
    """Sign a link that renews this mentor term; it names the term's current end."""
    return signing.dumps(
        {"e": enrolment.pk, "end": enrolment.ends_on.isoformat()}, salt=RENEWAL_SALT
    )


def renewal_link(enrolment: Enrolment) -> str:
    return site_link(reverse("vetting:renew", args=[make_renewal_token(enrolment)]))


def read_renewal_token(token: str) -> tuple[Enrolment, datetime.date]:
    """Return the mentor enrolment a renewal link belongs to and the term end it was sent for.

    Raises signing.BadSignature for a tampered or expired link and
    Enrolment.DoesNotExist when the enrolment is gone or is not a mentor's.
    """
    payload = signing.loads(token, salt=RENEWAL_SALT, max_age=RENEWAL_LINK_MAX_AGE.total_seconds())
    try:
        term_end = datetime.date.fromisoformat(payload.get("end", ""))
    except (TypeError, ValueError) as error:
        raise signing.BadSignature("The renewal link names no term end.") from error
    enrolment = Enrolment.objects.select_related("application__person").get(
        pk=payload.get("e"), role=Role.MENTOR
    )
    return enrolment, term_end


def renew_mentor_term(
    *, enrolment: Enrolment, term_end: datetime.date, capacity: int
) -> Enrolment:
    """Extend a mentor's term by a new full term and set how many mentees they can take.

    ``term_end`` is the end the renewal link was sent for, so a second use of
    the same link renews nothing. Side effects: the enrolment's end moves by
    the programme's mentor term, the application's capacity changes, and the
    audit event vetting.enrolment.renewed is written. Raises VettingError when
    the term was already renewed, the enrolment is no longer active, or the
    term ended too long ago.
    """
    if not 1 <= capacity <= MAX_MENTOR_CAPACITY:
        raise VettingError(f"Choose between 1 and {MAX_MENTOR_CAPACITY} mentees.")
    with transaction.atomic():
        locked = (
            Enrolment.objects.select_for_update()
            .select_related("application")
            .get(pk=enrolment.pk)
        )
        if locked.ends_on != term_end:
            raise VettingError(
                "Your term has already been renewed: it now ends on "
                f"{date_format(locked.ends_on, 'j F Y')}."
            )
        if locked.status != EnrolmentStatus.ACTIVE:
            raise VettingError(
                "Your enrolment has ended, so it cannot be renewed from this link. "
                "You are welcome to apply again as a mentor."
            )
        if timezone.localdate() > locked.ends_on + RENEWAL_GRACE:
            raise VettingError(
                "Your term ended too long ago to be renewed from this link. "
                "You are welcome to apply again as a mentor."
            )
        years = ProgrammeSettings.objects.get_current().mentor_term_years
        locked.ends_on = add_years(locked.ends_on, years)
        locked.save(update_fields=["ends_on"])
        application = locked.application
        application.capacity = capacity
        application.save(update_fields=["capacity"])
        record_event("vetting.enrolment.renewed", target=locked)
    enrolment.ends_on = locked.ends_on
    return enrolment

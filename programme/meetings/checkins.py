"""The one-month check-in: letters with signed answers, one reminder, alerts.

Each participant of an engaged pairing gets a CheckIn row and a letter whose
three links each carry a signed token for one answer. ``run_due_tasks`` calls
the two sweeps; the CheckIn row and the letters' idempotency keys make them
safe to run any number of times.
"""

import datetime
import logging

from django.contrib.auth.models import AbstractBaseUser
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from programme.applications.models import Role
from programme.core.models import Person, ProgrammeSettings
from programme.core.services import record_event
from programme.letters.models import Letter, LetterKind
from programme.letters.services import queue_letter, site_link
from programme.matching.models import Pairing, PairingStatus
from programme.meetings.models import CheckIn, CheckInAnswer
from programme.vetting.models import Enrolment, EnrolmentStatus

logger = logging.getLogger(__name__)

ANSWER_SALT = "programme.meetings.checkin-answer"
# How long an answer link works. The reminder goes out 10 days after the
# check-in by default, so its links still work for about seven weeks.
ANSWER_LINK_MAX_AGE = datetime.timedelta(days=60)
RESOLVE_PERMISSION = "meetings.resolve_checkin_alert"


class CheckInError(Exception):
    """An answer or a resolution is not allowed now. The message explains why."""


# Answer links.


def make_answer_token(checkin: CheckIn, answer: str) -> str:
    """Sign a token that records ``answer`` for this check-in when it is confirmed."""
    return signing.dumps({"c": checkin.pk, "a": answer}, salt=ANSWER_SALT)


def read_answer_token(token: str) -> tuple[CheckIn, str]:
    """Return the check-in and the answer a token stands for.

    Raises signing.SignatureExpired for a link older than ANSWER_LINK_MAX_AGE,
    signing.BadSignature for a tampered or incomplete one, and
    CheckIn.DoesNotExist when the check-in is gone.
    """
    payload = signing.loads(token, salt=ANSWER_SALT, max_age=ANSWER_LINK_MAX_AGE)
    answer = payload.get("a")
    if answer not in CheckInAnswer.values:
        raise signing.BadSignature("unknown answer")
    checkin = CheckIn.objects.select_related("pairing", "enrolment__application__person").get(
        pk=payload.get("c")
    )
    return checkin, answer


def answer_links(checkin: CheckIn) -> dict[str, str]:
    """Return the letter's three answer links, keyed by their CHECKIN placeholder names."""
    return {
        f"{answer}_link": site_link(
            reverse("year:checkin_answer", kwargs={"token": make_answer_token(checkin, answer)})
        )
        for answer in CheckInAnswer.values
    }


def portal_link() -> str:
    return site_link(reverse("meetings:home"))


# Sending.


def _participants(pairing: Pairing) -> list[tuple[Enrolment, Person, Person]]:
    """Return each participant's enrolment, their person and their partner's person."""
    mentor = pairing.mentor_enrolment
    mentee = pairing.mentee_enrolment
    mentor_person = mentor.application.person
    mentee_person = mentee.application.person
    return [(mentor, mentor_person, mentee_person), (mentee, mentee_person, mentor_person)]


def _queue_checkin_letter(
    *, kind: str, key: str, checkin: CheckIn, person: Person, partner: Person
) -> Letter:
    return queue_letter(
        kind=kind,
        idempotency_key=key,
        to=[person.primary_email],
        cc=[person.secondary_email],
        values={
            "recipient_name": person.full_name,
            "partner_name": partner.full_name,
            "portal_link": portal_link(),
            **answer_links(checkin),
        },
        person=person,
    )


def _lock_engaged_pairing(pairing_id: int) -> Pairing | None:
    """Lock the pairing row and return it with both people, or None when no longer engaged."""
    pairing = (
        Pairing.objects.select_for_update(of=("self",))
        .select_related(
            "mentor_enrolment__application__person", "mentee_enrolment__application__person"
        )
        .get(pk=pairing_id)
    )
    return pairing if pairing.status == PairingStatus.ENGAGED else None


def send_due_checkins(today: datetime.date) -> int:
    """Send the check-in to both participants of every engaged pairing whose check-in is due.

    A participant gets one CheckIn row and one CHECKIN letter with their own
    answer links, keyed ``checkin:<check-in id>``. Participants whose
    enrolment was withdrawn or has ended are skipped, and so are pairings that
    complete today, because their completion letters go out instead. Returns
    how many check-ins were created now. Side effects: the audit event
    meetings.checkin.sent per check-in.
    """
    due_ids = list(
        Pairing.objects.filter(
            status=PairingStatus.ENGAGED,
            checkin_due_on__lte=today,
            completion_due_on__gt=today,
        )
        .exclude(checkins__isnull=False)
        .order_by("checkin_due_on", "pk")
        .values_list("pk", flat=True)
    )

    created = 0
    for pairing_id in due_ids:
        with transaction.atomic():
            pairing = _lock_engaged_pairing(pairing_id)
            if pairing is None:
                continue
            for enrolment, person, partner in _participants(pairing):
                if enrolment.status != EnrolmentStatus.ACTIVE:
                    continue
                checkin, is_new = CheckIn.objects.get_or_create(
                    pairing=pairing, enrolment=enrolment, defaults={"sent_on": today}
                )
                _queue_checkin_letter(
                    kind=LetterKind.CHECKIN,
                    key=f"checkin:{checkin.pk}",
                    checkin=checkin,
                    person=person,
                    partner=partner,
                )
                if is_new:
                    record_event("meetings.checkin.sent", target=checkin)
                    created += 1
    if created:
        logger.info("Queued %s check-in letters", created)
    return created


def send_due_checkin_reminders(today: datetime.date) -> int:
    """Send one reminder for each check-in still unanswered after the reminder delay.

    Keyed ``checkin-reminder:<check-in id>`` and marked on the row, so a
    check-in is never reminded twice. Pairings no longer engaged and
    withdrawn or ended enrolments are skipped. Returns how many reminders
    were queued now. Side effects: the audit event meetings.checkin.reminded.
    """
    delay = ProgrammeSettings.objects.get_current().checkin_reminder_after_days
    last_sent_on = today - datetime.timedelta(days=delay)
    due_ids = list(
        CheckIn.objects.filter(
            answer="",
            reminded_on__isnull=True,
            sent_on__lte=last_sent_on,
            pairing__status=PairingStatus.ENGAGED,
            enrolment__status=EnrolmentStatus.ACTIVE,
        )
        .order_by("sent_on", "pk")
        .values_list("pk", flat=True)
    )

    reminded = 0
    for checkin_id in due_ids:
        with transaction.atomic():
            checkin = (
                CheckIn.objects.select_for_update(of=("self",))
                .select_related("pairing", "enrolment")
                .get(pk=checkin_id)
            )
            if checkin.answer or checkin.reminded_on is not None:
                continue
            pairing = _lock_engaged_pairing(checkin.pairing_id)
            if pairing is None:
                continue
            participant = next(
                entry for entry in _participants(pairing) if entry[0].pk == checkin.enrolment_id
            )
            _, person, partner = participant
            _queue_checkin_letter(
                kind=LetterKind.CHECKIN_REMINDER,
                key=f"checkin-reminder:{checkin.pk}",
                checkin=checkin,
                person=person,
                partner=partner,
            )
            checkin.reminded_on = today
            checkin.save(update_fields=["reminded_on"])
            record_event("meetings.checkin.reminded", target=checkin)
            reminded += 1
    if reminded:
        logger.info("Queued %s check-in reminders", reminded)
    return reminded


# Answers and alerts.


def answer_checkin(*, checkin: CheckIn, answer: str) -> CheckIn:
    """Record a participant's answer to their check-in.

    A participant may change their answer until the office has resolved an
    alert on it; after that the answer stays as the office saw it. Giving the
    same answer again changes nothing. "I cannot reach my partner" opens an
    alert on the office's check-in list. Side effects: the audit event
    meetings.checkin.answered, and meetings.checkin.cannot_reach when that is
    the answer. Raises CheckInError for an unknown answer, a resolved alert,
    or a pairing that is no longer engaged.
    """
    if answer not in CheckInAnswer.values:
        raise CheckInError(f"Unknown answer {answer!r}. Choose one of the answers offered.")

    with transaction.atomic():
        locked = (
            CheckIn.objects.select_for_update(of=("self",))
            .select_related("pairing")
            .get(pk=checkin.pk)
        )
        if locked.alert_resolved_at is not None:
            raise CheckInError(
                "The office has already followed up your answer, so it can no longer be "
                "changed here. If something has changed, please write to the office."
            )
        if locked.pairing.status != PairingStatus.ENGAGED:
            raise CheckInError(
                "Your pairing is no longer running, so this check-in is closed. "
                "Nothing was recorded."
            )
        if locked.answer == answer:
            return locked

        locked.answer = answer
        locked.answered_at = timezone.now()
        locked.save(update_fields=["answer", "answered_at"])
        record_event("meetings.checkin.answered", target=locked)
        if answer == CheckInAnswer.CANNOT_REACH:
            record_event("meetings.checkin.cannot_reach", target=locked)
            logger.info("Check-in %s: participant cannot reach their partner", locked.pk)
            _queue_alert_letter(locked)

    checkin.refresh_from_db()
    return checkin


def _queue_alert_letter(checkin: CheckIn) -> None:
    """E-mail the office that a participant cannot reach their partner, once per check-in."""
    pairing = Pairing.objects.select_related(
        "mentor_enrolment__application__person", "mentee_enrolment__application__person"
    ).get(pk=checkin.pairing_id)
    role = pairing.role_of(checkin.enrolment_id)
    own = pairing.mentor_enrolment if role == Role.MENTOR else pairing.mentee_enrolment
    person = own.application.person
    partner = pairing.partner_enrolment(role).application.person
    queue_letter(
        kind=LetterKind.CHECKIN_ALERT,
        idempotency_key=f"checkin-alert:{checkin.pk}",
        to=[ProgrammeSettings.objects.get_current().office_email],
        values={
            "recipient_name": "Programme office",
            "participant_name": person.full_name,
            "role": Role(role).label.lower(),
            "partner_name": partner.full_name,
            "answered_on": date_format(timezone.localdate(), "j F Y"),
            "alerts_link": site_link(reverse("admin:meetings_checkin_changelist")),
        },
        # Linked to the person, so their data export and erasure include it.
        person=person,
    )


def resolve_checkin_alert(*, checkin: CheckIn, actor: AbstractBaseUser) -> bool:
    """Mark a check-in's "cannot reach" alert resolved; return whether it was open.

    Side effect: the audit event meetings.checkin.alert_resolved. Raises
    CheckInError without the office's permission.
    """
    if not actor.has_perm(RESOLVE_PERMISSION):
        raise CheckInError("Only the office can mark check-in alerts resolved.")

    with transaction.atomic():
        locked = CheckIn.objects.select_for_update().get(pk=checkin.pk)
        if not locked.has_open_alert:
            return False
        locked.alert_resolved_at = timezone.now()
        locked.alert_resolved_by = actor
        locked.save(update_fields=["alert_resolved_at", "alert_resolved_by"])
        record_event("meetings.checkin.alert_resolved", actor=actor, target=locked)

    checkin.refresh_from_db()
    return True

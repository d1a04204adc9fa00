"""Questionnaire invitations, reminders and anonymous responses.

A response is written with no link to the invitation it answers: the
invitation only becomes "responded", and the audit event names the
questionnaire, never the response or the person.
"""

import datetime
import logging
from collections.abc import Iterable

from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse

from programme.core.models import Person, ProgrammeSettings
from programme.core.services import record_event
from programme.feedback.defaults import create_default_questionnaires
from programme.feedback.models import (
    MAX_FREE_TEXT_LENGTH,
    Answer,
    Invitation,
    Likert,
    Question,
    QuestionKind,
    Questionnaire,
    QuestionnaireKind,
    Response,
    Topic,
)
from programme.letters.models import LetterKind
from programme.letters.services import queue_letter, site_link
from programme.matching.models import Pairing, PairingStatus
from programme.vetting.models import Enrolment, EnrolmentStatus

logger = logging.getLogger(__name__)

INVITATION_SALT = "programme.feedback.invitation"
MAX_MEETING_COUNT = 365

# The enrolments a pairing's invitations go to, and the person behind each.
PAIRING_PEOPLE = (
    "mentor_enrolment__application__person",
    "mentee_enrolment__application__person",
)


class FeedbackError(Exception):
    """A response or invitation that cannot be accepted. The message explains why."""


class AlreadyAnsweredError(FeedbackError):
    """The invitation has a response already."""


# Links.


def make_invitation_token(invitation: Invitation) -> str:
    """Sign the invitation's id for its link.

    The link does not expire and carries no timestamp, so the invitation, the
    reminder and the portal show the same link.
    """
    return signing.Signer(salt=INVITATION_SALT).sign_object({"i": invitation.pk})


def read_invitation_token(token: str) -> Invitation:
    """Return the invitation a link belongs to.

    Raises signing.BadSignature for a tampered or incomplete link and
    Invitation.DoesNotExist when the invitation is gone.
    """
    payload = signing.Signer(salt=INVITATION_SALT).unsign_object(token)
    if not isinstance(payload, dict):
        raise signing.BadSignature("The link's content is not an invitation.")
    return Invitation.objects.select_related("questionnaire").get(pk=payload.get("i"))


def invitation_path(invitation: Invitation) -> str:
    return reverse("feedback:respond", kwargs={"token": make_invitation_token(invitation)})


def invitation_link(invitation: Invitation) -> str:
    """Return the full link to the invitation's questionnaire, as letters print it."""
    return site_link(invitation_path(invitation))


# Invitations.


def cycle_of(pairing: Pairing) -> str:
    """Return the pairing's programme cycle: the year it was engaged in."""
    return str(pairing.engaged_on.year)


def _pairing_enrolments(pairing: Pairing) -> list[Enrolment]:
    return [pairing.mentor_enrolment, pairing.mentee_enrolment]


def _invite(
    *,
    questionnaire: Questionnaire,
    pairing: Pairing,
    enrolment: Enrolment,
    today: datetime.date,
) -> Invitation | None:
    """Create one invitation and its letter, or return None when it exists already.

    Side effects: one Invitation row, the audit event feedback.invitation.created
    and one QUESTIONNAIRE_INVITATION letter.
    """
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(
                questionnaire=questionnaire,
                enrolment=enrolment,
                pairing=pairing,
                role=enrolment.role,
                cycle=cycle_of(pairing),
                invited_on=today,
            )
    except IntegrityError:
        # Invited already, by an earlier or a concurrent run.
        return None

    record_event("feedback.invitation.created", target=invitation)
    _queue_questionnaire_letter(
        invitation,
        person=enrolment.application.person,
        kind=LetterKind.QUESTIONNAIRE_INVITATION,
        key=f"questionnaire:{invitation.pk}",
    )
    return invitation


def partner_name(invitation: Invitation) -> str:
    """Return the name of the other person in the invitation's pairing."""
    if invitation.pairing is None:
        return "your partner"
    return invitation.pairing.partner_enrolment(invitation.role).application.person.full_name


def _queue_questionnaire_letter(
    invitation: Invitation, *, person: Person, kind: str, key: str
) -> None:
    queue_letter(
        kind=kind,
        idempotency_key=key,
        to=[person.primary_email],
        cc=[person.secondary_email],
        values={
            "recipient_name": person.full_name,
            "partner_name": partner_name(invitation),
            "questionnaire_title": invitation.questionnaire.title,
            "questionnaire_link": invitation_link(invitation),
        },
        person=person,
    )


def _invite_pairings(
    pairings: Iterable[Pairing], *, questionnaire: Questionnaire, today: datetime.date
) -> int:
    """Invite both people of each pairing who are not invited yet and not withdrawn."""
    pairings = list(pairings)
    invited = set(
        Invitation.objects.filter(
            questionnaire=questionnaire, pairing__in=[pairing.pk for pairing in pairings]
        ).values_list("pairing_id", "enrolment_id")
    )

    created = 0
    for pairing in pairings:
        for enrolment in _pairing_enrolments(pairing):
            if enrolment.status == EnrolmentStatus.WITHDRAWN:
                continue
            if (pairing.pk, enrolment.pk) in invited:
                continue
            with transaction.atomic():
                invitation = _invite(
                    questionnaire=questionnaire, pairing=pairing, enrolment=enrolment, today=today
                )
            if invitation is not None:
                created += 1
    return created


def questionnaire_of_kind(kind: str) -> Questionnaire | None:
    """Return the questionnaire of this kind, creating the default one if it is missing."""
    questionnaire = Questionnaire.objects.filter(kind=kind).first()
    if questionnaire is None and kind in QuestionnaireKind.values:
        create_default_questionnaires(Questionnaire, Question, kinds={kind})
        questionnaire = Questionnaire.objects.filter(kind=kind).first()
    if questionnaire is None:
        logger.error("Questionnaire of kind %s not found, so nobody was invited to it", kind)
    return questionnaire


def send_due_questionnaires(today: datetime.date) -> int:
    """Invite both people of each engaged pairing with feedback due to the six-month questionnaire.

    Idempotent: each person is invited once per pairing, however often this
    runs and however long it was paused. Withdrawn enrolments are skipped.
    Returns how many invitations were created. Side effects per invitation:
    see ``_invite``.
    """
    questionnaire = questionnaire_of_kind(QuestionnaireKind.SIX_MONTH)
    if questionnaire is None:
        return 0
    invited = Invitation.objects.filter(questionnaire=questionnaire, pairing=OuterRef("pk"))
    both_invited = Exists(invited.filter(enrolment=OuterRef("mentor_enrolment"))) & Exists(
        invited.filter(enrolment=OuterRef("mentee_enrolment"))
    )
    pairings = (
        Pairing.objects.filter(status=PairingStatus.ENGAGED, feedback_due_on__lte=today)
        .exclude(both_invited)
        .select_related(*PAIRING_PEOPLE)
        .order_by("feedback_due_on", "pk")
    )
    created = _invite_pairings(pairings, questionnaire=questionnaire, today=today)
    if created:
        logger.info("Created %s six-month questionnaire invitations", created)
    return created


def invite_pair_to_questionnaire(*, pairing: Pairing, kind: str, today: datetime.date) -> int:
    """Invite the mentor and the mentee of a pairing to the questionnaire of this kind.

    Idempotent, and safe inside the caller's transaction. Withdrawn enrolments
    are skipped. Returns how many invitations were created. Side effects per
    invitation: see ``_invite``. Raises FeedbackError when no questionnaire of
    this kind exists.
    """
    questionnaire = questionnaire_of_kind(kind)
    if questionnaire is None:
        raise FeedbackError(
            f"Questionnaire of kind {kind!r} not found, so nobody was invited to it."
        )
    pairing = Pairing.objects.select_related(*PAIRING_PEOPLE).get(pk=pairing.pk)
    return _invite_pairings([pairing], questionnaire=questionnaire, today=today)


# Reminders.


def send_due_questionnaire_reminders(today: datetime.date) -> int:
    """Send the one reminder for each invitation left without a response for long enough.

    The period is ProgrammeSettings.questionnaire_reminder_after_days. An
    invitation gets at most one reminder, and none once answered or once the
    enrolment is withdrawn. Returns how many reminders were queued. Side
    effects per reminder: reminded_on is set, the audit event
    feedback.invitation.reminded and one QUESTIONNAIRE_REMINDER letter.
    """
    programme = ProgrammeSettings.objects.get_current()
    invited_by = today - datetime.timedelta(days=programme.questionnaire_reminder_after_days)
    due = list(
        Invitation.objects.filter(
            responded=False, reminded_on__isnull=True, invited_on__lte=invited_by
        )
        .exclude(enrolment__status=EnrolmentStatus.WITHDRAWN)
        .select_related("questionnaire", "enrolment__application__person")
        .order_by("invited_on", "pk")
    )

    sent = 0
    for invitation in due:
        with transaction.atomic():
            # Locked, so a response or another run at the same moment is seen.
            locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
            if locked.responded or locked.reminded_on is not None:
                continue
            locked.reminded_on = today
            locked.save(update_fields=["reminded_on"])
            record_event("feedback.invitation.reminded", target=locked)
            _queue_questionnaire_letter(
                invitation,
                person=invitation.enrolment.application.person,
                kind=LetterKind.QUESTIONNAIRE_REMINDER,
                key=f"questionnaire-reminder:{invitation.pk}",
            )
        sent += 1
    if sent:
        logger.info("Queued %s questionnaire reminders", sent)
    return sent


# Responses.


def _answer_for(question: Question, value) -> Answer | None:
    """Build the unsaved answer to one question, or None for an empty answer.

    Raises FeedbackError for a value the question does not accept.
    """
    if value in (None, "", []):
        if question.required:
            raise FeedbackError(f"Question {question.pk} needs an answer.")
        return None

    answer = Answer(question=question)
    if question.kind == QuestionKind.LIKERT:
        if value not in Likert.values:
            raise FeedbackError(f"Invalid answer {value!r} to statement {question.pk}.")
        answer.scale = value
    elif question.kind == QuestionKind.MEETING_COUNT:
        if not isinstance(value, int) or not 0 <= value <= MAX_MEETING_COUNT:
            raise FeedbackError(f"Invalid number of meetings {value!r}.")
        answer.number = value
    elif question.kind == QuestionKind.TOPICS:
        if not isinstance(value, list | tuple) or not set(value) <= set(Topic.values):
            raise FeedbackError(f"Invalid topics {value!r}.")
        # In the order the choices are listed, so the answer reveals nothing else.
        answer.topics = [topic for topic in Topic.values if topic in value]
    else:
        if not isinstance(value, str) or len(value) > MAX_FREE_TEXT_LENGTH:
            raise FeedbackError(f"Invalid free text for question {question.pk}.")
        answer.text = value
    return answer


def submit_response(*, invitation: Invitation, answers: dict) -> Response:
    """Store one anonymous response to the invitation's questionnaire.

    ``answers`` maps question ids to values: 1-5 for a statement, a whole
    number for the meeting count, a list of Topic values, or text. Questions
    that are not shown any more are ignored. The invitation is locked, so
    two submissions at once store one response. Side effects: one Response
    with its Answers (no link to the invitation and no time), the invitation
    becomes responded, and the audit event feedback.response.received names
    the questionnaire only. Raises AlreadyAnsweredError for a second response
    and FeedbackError for an invalid answer. Nothing is stored then.
    """
    with transaction.atomic():
        locked = (
            Invitation.objects.select_for_update()
            .select_related("questionnaire")
            .get(pk=invitation.pk)
        )
        if locked.responded:
            raise AlreadyAnsweredError(
                "This questionnaire was answered already from this invitation."
            )

        questions = locked.questionnaire.questions.filter(shown=True)
        built = [_answer_for(question, answers.get(question.pk)) for question in questions]
        response = Response.objects.create(
            questionnaire=locked.questionnaire, role=locked.role, cycle=locked.cycle
        )
        for answer in built:
            if answer is not None:
                answer.response = response
        Answer.objects.bulk_create(answer for answer in built if answer is not None)

        locked.responded = True
        locked.save(update_fields=["responded"])
        # NOTE: the event's time, set beside other timed records of the same
        # person (a portal sign-in a minute earlier, say), could hint at who
        # answered when few people answer. It names neither response nor person.
        record_event("feedback.response.received", target=locked.questionnaire)

    invitation.responded = True
    return response

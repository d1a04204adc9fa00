"""State changes of a participant's year: sign-in links, meetings, withdrawal."""

import datetime
import hashlib
import logging
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from programme.applications.models import Application, Role
from programme.core.models import Person, ProgrammeSettings
from programme.core.services import record_event
from programme.letters.models import LetterKind
from programme.letters.services import queue_letter, site_link
from programme.matching.models import Pairing, PairingStatus
from programme.matching.services import MatchingError, end_pairing_on_withdrawal
from programme.meetings import selectors
from programme.meetings.models import MAX_NOTES_LENGTH, Meeting, SignInLink, Theme
from programme.vetting.services import withdraw_application

logger = logging.getLogger(__name__)

MIN_MEETING_MINUTES = 5
MAX_MEETING_MINUTES = 600
MAX_TOPIC_LENGTH = 200
MAX_WITHDRAWAL_REASON_LENGTH = 2000


class SignInLinkError(Exception):
    """A sign-in link that cannot be used. ``reason`` is "unknown", "used" or "expired"."""

    def __init__(self, reason: str):
        super().__init__(f"The sign-in link cannot be used: {reason}.")
        self.reason = reason


class MeetingError(Exception):
    """A meeting change that is not allowed. The message is written for the participant."""


class WithdrawalError(Exception):
    """A withdrawal that cannot go ahead. The message is written for the participant."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# Sign-in links.


def request_sign_in_link(*, address: str) -> SignInLink | None:
    """Send a sign-in link to the participant with this address, if there is one.

    Returns the new link, or None when nobody who may sign in has the address;
    callers must answer both cases alike. Side effects: a SignInLink row
    holding the SHA-256 of a random token, the audit event
    meetings.sign_in_link.created, and a SIGN_IN_LINK letter To the person's
    first address and Cc their second.
    """
    person = selectors.find_person_for_sign_in(address)
    if person is None:
        return None

    programme = ProgrammeSettings.objects.get_current()
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        link = SignInLink.objects.create(
            person=person,
            token_hash=hash_token(token),
            expires_at=timezone.now() + datetime.timedelta(minutes=programme.sign_in_link_minutes),
        )
        record_event("meetings.sign_in_link.created", target=link)
        queue_letter(
            kind=LetterKind.SIGN_IN_LINK,
            idempotency_key=f"sign-in-link:{link.pk}",
            to=[person.primary_email],
            cc=[person.secondary_email],
            values={
                "recipient_name": person.full_name,
                "sign_in_link": site_link(reverse("meetings:use_link", args=[token])),
                "link_minutes": str(programme.sign_in_link_minutes),
            },
            person=person,
        )
    return link


def check_sign_in_link(token: str) -> SignInLink:
    """Return the unused, unexpired link for this token without using it; raise SignInLinkError."""
    link = selectors.find_sign_in_link(hash_token(token))
    _check_usable(link)
    return link


def use_sign_in_link(*, token: str) -> Person:
    """Use a sign-in link once and return the person it signs in.

    The row is locked, so two requests with the same link sign in at most
    once. Side effects: the link's used_at is set and the audit event
    meetings.sign_in_link.used is written. Raises SignInLinkError for an
    unknown, used or expired link, and for a person who may no longer sign in.
    """
    with transaction.atomic():
        link = SignInLink.objects.select_for_update().filter(token_hash=hash_token(token)).first()
        _check_usable(link)
        if not selectors.people_who_may_sign_in().filter(pk=link.person_id).exists():
            raise SignInLinkError("unknown")

        link.used_at = timezone.now()
        link.save(update_fields=["used_at"])
        record_event("meetings.sign_in_link.used", target=link)
    return link.person


def _check_usable(link: SignInLink | None) -> None:
    if link is None:
        raise SignInLinkError("unknown")
    if link.used_at is not None:
        raise SignInLinkError("used")
    if link.expires_at <= timezone.now():
        raise SignInLinkError("expired")


# Meetings.


@dataclass
class MeetingDetails:
    """The values a participant enters about one meeting."""

    held_on: datetime.date
    minutes: int
    proposed_by: str
    theme: str
    topic: str
    private_notes: str


def check_meeting_details(details: MeetingDetails, *, pairing: Pairing) -> None:
    """Raise MeetingError naming the first value that is not allowed for this pairing."""
    today = timezone.localdate()
    if details.held_on > today:
        raise MeetingError(
            "The meeting's date is in the future. Please log a meeting once it has taken place."
        )
    if pairing.engaged_on is not None and details.held_on < pairing.engaged_on:
        engaged = date_format(pairing.engaged_on, "j F Y")
        raise MeetingError(
            f"The meeting's date is before your pairing began on {engaged}. Please check the date."
        )
    if not MIN_MEETING_MINUTES <= details.minutes <= MAX_MEETING_MINUTES:
        raise MeetingError(
            f"A meeting's length must be from {MIN_MEETING_MINUTES} to {MAX_MEETING_MINUTES} "
            "minutes."
        )
    if details.proposed_by not in Role.values:
        raise MeetingError("Please say whether the mentor or the mentee proposed the topic.")
    if details.theme not in Theme.values:
        raise MeetingError("Please choose a theme from the list.")
    if not details.topic.strip() or len(details.topic) > MAX_TOPIC_LENGTH:
        raise MeetingError(
            f"Please describe the topic in one line of up to {MAX_TOPIC_LENGTH} characters."
        )
    if len(details.private_notes) > MAX_NOTES_LENGTH:
        raise MeetingError(f"The notes can be up to {MAX_NOTES_LENGTH} characters long.")


def _lock_engaged_pairing(pairing: Pairing) -> Pairing:
    locked = Pairing.objects.select_for_update().get(pk=pairing.pk)
    if locked.status != PairingStatus.ENGAGED:
        raise MeetingError(
            f"This pairing is {locked.get_status_display().lower()}, so its meetings can no "
            "longer be changed."
        )
    return locked


def record_meeting(*, pairing: Pairing, recorded_by: str, details: MeetingDetails) -> Meeting:
    """Add a meeting to an engaged pairing's log.

    Side effects: a Meeting row and the audit event meetings.meeting.recorded.
    Raises MeetingError when the pairing is not engaged or a value is not allowed.
    """
    with transaction.atomic():
        locked = _lock_engaged_pairing(pairing)
        check_meeting_details(details, pairing=locked)
        meeting = Meeting.objects.create(
            pairing=locked,
            held_on=details.held_on,
            minutes=details.minutes,
            proposed_by=details.proposed_by,
            theme=details.theme,
            topic=details.topic.strip(),
            private_notes=details.private_notes,
            recorded_by=recorded_by,
        )
        record_event("meetings.meeting.recorded", target=meeting)
    return meeting


def change_meeting(*, meeting: Meeting, details: MeetingDetails) -> Meeting:
    """Change a meeting of an engaged pairing.

    Side effects: the meeting's values and the audit event meetings.meeting.changed.
    Raises MeetingError when the pairing is not engaged or a value is not allowed.
    """
    with transaction.atomic():
        locked = _lock_engaged_pairing(meeting.pairing)
        check_meeting_details(details, pairing=locked)
        meeting.held_on = details.held_on
        meeting.minutes = details.minutes
        meeting.proposed_by = details.proposed_by
        meeting.theme = details.theme
        meeting.topic = details.topic.strip()
        meeting.private_notes = details.private_notes
        meeting.save(
            update_fields=[
                "held_on",
                "minutes",
                "proposed_by",
                "theme",
                "topic",
                "private_notes",
                "updated_at",
            ]
        )
        record_event("meetings.meeting.changed", target=meeting)
    return meeting


def delete_meeting(*, meeting: Meeting) -> None:
    """Delete a meeting of an engaged pairing.

    Side effects: the row is deleted and the audit event meetings.meeting.deleted
    keeps its id. Raises MeetingError when the pairing is not engaged.
    """
    with transaction.atomic():
        _lock_engaged_pairing(meeting.pairing)
        record_event("meetings.meeting.deleted", target=meeting)
        meeting.delete()


# Withdrawal.


def withdraw_participant(*, person: Person, reason: str) -> list[Application]:
    """Withdraw a participant from the programme at their own request.

    Everything happens in one transaction, for each active enrolment. The
    application is withdrawn, which ends the enrolment. Every proposed or
    engaged pairing of the enrolment ends: the partner who stays gets a
    letter, and a mentee whose mentor leaves goes back to the matching queue.
    A WITHDRAWAL_NOTICE letter goes to the office. Returns the withdrawn applications. Raises
    WithdrawalError without a reason, without an active enrolment, or when a
    pairing changed meanwhile; nothing is changed then.
    """
    reason = reason.strip()
    if not reason:
        raise WithdrawalError("Please tell us why you are withdrawing.")
    if len(reason) > MAX_WITHDRAWAL_REASON_LENGTH:
        raise WithdrawalError(
            f"The reason can be up to {MAX_WITHDRAWAL_REASON_LENGTH} characters long."
        )

    programme = ProgrammeSettings.objects.get_current()
    withdrawn = []
    with transaction.atomic():
        enrolments = selectors.withdrawable_enrolments(person)
        if not enrolments:
            raise WithdrawalError(
                "You have no active enrolment in the programme, so there is nothing to withdraw."
            )
        for enrolment in enrolments:
            application = enrolment.application
            withdraw_application(
                application=application, actor=None, reason=reason, by_applicant=True
            )
            for pairing in selectors.active_pairings_of(enrolment):
                try:
                    end_pairing_on_withdrawal(
                        pairing=pairing, withdrawing_role=enrolment.role, note=reason
                    )
                except MatchingError as error:
                    # The office ended or completed the pairing a moment ago, so
                    # the whole withdrawal rolls back and can be tried again.
                    raise WithdrawalError(
                        "Your pairing changed while you were withdrawing, so nothing was "
                        "changed. Please try again."
                    ) from error
            queue_letter(
                kind=LetterKind.WITHDRAWAL_NOTICE,
                idempotency_key=f"withdrawal-notice:{application.pk}",
                to=[programme.office_email],
                values={
                    "recipient_name": "Programme office",
                    "participant_name": person.full_name,
                    "role": Role(enrolment.role).label.lower(),
                    "reason": reason,
                    "withdrawn_on": date_format(timezone.localdate(), "j F Y"),
                },
                # Linked to the person, so their data export and erasure include it.
                person=person,
            )
            record_event("meetings.participant.withdrew", target=enrolment)
            withdrawn.append(application)
    return withdrawn


def export_personal_data(*, person: Person) -> list[selectors.Section]:
    """Collect everything held about the person for them to see or download.

    Side effect: the audit event meetings.personal_data.exported.
    """
    sections = selectors.personal_data(person)
    record_event("meetings.personal_data.exported", target=person)
    return sections

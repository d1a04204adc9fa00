"""Submitting an application and confirming its e-mail addresses."""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from programme.applications.models import OPEN_STATUSES, Application
from programme.core.crypto import blind_index
from programme.core.models import Person, ProgrammeSettings
from programme.core.services import record_event
from programme.letters.models import LetterKind
from programme.letters.services import queue_letter, site_link

CONFIRMATION_SALT = "programme.applications.confirm-address"
WITHDRAWAL_SALT = "programme.applications.withdraw"
ADDRESS_SLOTS = ("primary", "secondary")


class DuplicateApplicationError(Exception):
    """The applicant already has an open application in this role."""


@dataclass(frozen=True)
class SubmissionResult:
    application: Application
    created: bool


def find_open_application(*, role: str, email_indexes: list[str]) -> Application | None:
    """Return an open application in this role whose person has any of these addresses."""
    return (
        Application.objects.filter(role=role, status__in=OPEN_STATUSES)
        .filter(
            Q(person__primary_email_index__in=email_indexes)
            | Q(person__secondary_email_index__in=email_indexes)
        )
        .first()
    )


def _lock_addresses(email_indexes: list[str], role: str) -> None:
    """Serialise submissions for the same addresses until the transaction ends.

    On PostgreSQL a transaction-level advisory lock per (role, address) closes
    the gap between the duplicate check and the insert. SQLite needs none: its
    IMMEDIATE transactions already admit one writer at a time.
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for index in sorted(set(email_indexes)):
            digest = hashlib.sha256(f"{role}:{index}".encode()).digest()
            lock_id = int.from_bytes(digest[:8], "big", signed=True)
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_id])


def submit_application(
    *,
    role: str,
    person_fields: dict,
    application_fields: dict,
    submission_token: str,
) -> SubmissionResult:
    """Store a new applicant and their application, then e-mail each address.

    Side effects: one Person and one Application row, an audit event, and a
    letter to each address with its confirmation link.
    A repeated submission of the same form returns the first application.
    Raises DuplicateApplicationError when either address already belongs to an
    open application in the same role.
    """
    existing = Application.objects.filter(submission_token=submission_token).first()
    if existing is not None:
        return SubmissionResult(application=existing, created=False)

    email_indexes = [
        blind_index(person_fields["primary_email"]),
        blind_index(person_fields["secondary_email"]),
    ]
    programme = ProgrammeSettings.objects.get_current()
    now = timezone.now()

    try:
        with transaction.atomic():
            _lock_addresses(email_indexes, role)
            if find_open_application(role=role, email_indexes=email_indexes) is not None:
                raise DuplicateApplicationError(role)
            person = Person.objects.create(**person_fields)
            application = Application.objects.create(
                person=person,
                role=role,
                submitted_at=now,
                submission_token=submission_token,
                privacy_notice_version=programme.privacy_notice_version,
                consented_at=now,
                **application_fields,
            )
            record_event("applications.application.submitted", target=application)
            queue_acknowledgements(application)
    except IntegrityError:
        # A concurrent POST of the same form won the race for the unique token.
        existing = Application.objects.filter(submission_token=submission_token).first()
        if existing is None:
            raise
        return SubmissionResult(application=existing, created=False)

    return SubmissionResult(application=application, created=True)


def make_confirmation_token(person: Person, slot: str) -> str:
    index = getattr(person, f"{slot}_email_index")
    return signing.dumps({"p": person.pk, "s": slot, "i": index}, salt=CONFIRMATION_SALT)


def make_withdrawal_token(application: Application) -> str:
    """Sign a link that lets the applicant withdraw this application, without expiry."""
    return signing.dumps(
        {"a": application.pk, "t": application.submission_token}, salt=WITHDRAWAL_SALT
    )


def read_withdrawal_token(token: str) -> Application:
    """Return the application a withdrawal link belongs to.

    Raises signing.BadSignature for a tampered link and Application.DoesNotExist
    when the application is gone or the link belongs to another submission.
    """
    payload = signing.loads(token, salt=WITHDRAWAL_SALT)
    return Application.objects.select_related("person").get(
        pk=payload.get("a"), submission_token=payload.get("t")
    )


def confirmation_link(person: Person, slot: str) -> str:
    token = make_confirmation_token(person, slot)
    return site_link(reverse("applications:confirm", kwargs={"token": token}))


def queue_acknowledgements(application: Application) -> None:
    """Queue the acknowledgement to the first address and a confirmation request to the second.

    Each letter carries the confirmation link of the address it goes to, so
    following it proves that address works. Call inside the submitting transaction.
    """
    person = application.person
    role = application.get_role_display().lower()
    recipient_name = person.full_name
    queue_letter(
        kind=LetterKind.APPLICATION_RECEIVED,
        idempotency_key=f"application-received:{application.pk}",
        to=[person.primary_email],
        person=person,
        values={
            "recipient_name": recipient_name,
            "role": role,
            "confirmation_link": confirmation_link(person, "primary"),
            "withdraw_link": site_link(
                reverse("vetting:withdraw", kwargs={"token": make_withdrawal_token(application)})
            ),
        },
    )
    queue_letter(
        kind=LetterKind.ADDRESS_CONFIRMATION,
        idempotency_key=f"address-confirmation:{application.pk}:secondary",
        to=[person.secondary_email],
        person=person,
        values={
            "recipient_name": recipient_name,
            "role": role,
            "confirmation_link": confirmation_link(person, "secondary"),
        },
    )


class InvalidConfirmationError(Exception):
    """The link is malformed, expired, or no longer matches the stored address."""


def read_confirmation_token(token: str) -> tuple[Person, str]:
    max_age = settings.ADDRESS_CONFIRMATION_MAX_AGE_DAYS * 24 * 60 * 60
    try:
        payload = signing.loads(token, salt=CONFIRMATION_SALT, max_age=max_age)
    except signing.BadSignature as error:
        raise InvalidConfirmationError(str(error)) from error
    slot = payload.get("s")
    if slot not in ADDRESS_SLOTS:
        raise InvalidConfirmationError("unknown address slot")
    person = Person.objects.filter(pk=payload.get("p")).first()
    if person is None or getattr(person, f"{slot}_email_index") != payload.get("i"):
        raise InvalidConfirmationError("the address has changed since the link was sent")
    return person, slot


def masked_address(person: Person, slot: str) -> str:
    """Return the address with most of its local part hidden, such as m•••@example.org."""
    local, _, domain = getattr(person, f"{slot}_email").partition("@")
    return f"{local[:1]}•••@{domain}"


def confirm_address(*, token: str) -> tuple[Person, str]:
    """Mark the address a confirmation link was sent to as confirmed.

    Confirming twice keeps the first time. Writes an audit event the first time.
    Raises InvalidConfirmationError for a bad, expired or outdated link.
    """
    with transaction.atomic():
        person, slot = read_confirmation_token(token)
        person = Person.objects.select_for_update().get(pk=person.pk)
        field = f"{slot}_email_confirmed_at"
        if getattr(person, field) is None:
            setattr(person, field, timezone.now())
            person.save(update_fields=[field])
            record_event(f"applications.{slot}_address.confirmed", target=person)
    return person, slot

"""Submitting an application and confirming its e-mail addresses."""

import hashlib
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from programme.applications.models import OPEN_STATUSES, Application
from programme.core.crypto import blind_index
from programme.core.models import Person, ProgrammeSettings
from programme.core.services import record_event

logger = logging.getLogger(__name__)

CONFIRMATION_SALT = "programme.applications.confirm-address"
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

    Side effects: one Person and one Application row; an audit event; after
    commit, an acknowledgement to each address with its confirmation link.
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
            transaction.on_commit(lambda: send_acknowledgements(application_id=application.pk))
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


def send_acknowledgements(*, application_id: int) -> None:
    """E-mail each of the applicant's addresses an acknowledgement and its own link.

    A failure is logged and does not undo the application, which is already
    stored; the office sees the unconfirmed address and can follow up.
    """
    # TODO: route these through the letters outbox once it exists, so a failed
    # send is retried instead of only logged.
    application = Application.objects.select_related("person").get(pk=application_id)
    person = application.person
    programme = ProgrammeSettings.objects.get_current()
    base_url = settings.SITE_URL.rstrip("/")

    for slot in ADDRESS_SLOTS:
        address = getattr(person, f"{slot}_email")
        link = base_url + reverse(
            "applications:confirm", kwargs={"token": make_confirmation_token(person, slot)}
        )
        context = {
            "application": application,
            "person": person,
            "programme": programme,
            "confirmation_link": link,
            "is_secondary": slot == "secondary",
        }
        subject = " ".join(
            render_to_string("emails/application_received_subject.txt", context).split()
        )
        body = render_to_string("emails/application_received_body.txt", context)
        message = EmailMessage(subject=subject, body=body, to=[address])
        try:
            message.send()
        except OSError:
            logger.exception(
                "Sending the acknowledgement for application %s to its %s address failed",
                application.pk,
                slot,
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

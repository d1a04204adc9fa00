"""Completing a pairing's year: the final questionnaire, certificates, freed places."""

import datetime
import logging

from django.db import transaction
from django.urls import reverse

from programme.applications.models import Role
from programme.core.models import Person
from programme.core.services import record_event
from programme.feedback.services import FeedbackError, invite_pair_to_questionnaire
from programme.letters.certificates import issue_certificate, verify_link
from programme.letters.models import Certificate, Letter, LetterKind
from programme.letters.services import queue_letter, site_link
from programme.matching.models import Pairing, PairingStatus
from programme.vetting.models import Enrolment, EnrolmentStatus
from programme.vetting.services import format_letter_date

logger = logging.getLogger(__name__)


def complete_due_pairings(today: datetime.date) -> int:
    """Complete every engaged pairing whose completion date has come; return how many.

    Each pairing completes in a transaction of its own, with its row locked,
    so a second run at the same time finds it completed and skips it. For
    each pairing:

    - the status becomes completed. That frees the mentor's place, because
      the place constraints count engaged pairings only;
    - the mentee's enrolment ends, on today at the latest;
    - both people are invited to the completion questionnaire;
    - each participant whose enrolment was not withdrawn gets a certificate
      and a CERTIFICATE letter with it attached.

    A pairing whose questionnaire cannot be sent (FeedbackError) is rolled
    back, logged and tried again on the next run. Side effects: the audit
    events meetings.pairing.completed and meetings.enrolment.ended, and those
    of the questionnaire and the certificates.
    """
    due_ids = list(
        Pairing.objects.filter(status=PairingStatus.ENGAGED, completion_due_on__lte=today)
        .order_by("completion_due_on", "pk")
        .values_list("pk", flat=True)
    )

    completed = 0
    for pairing_id in due_ids:
        try:
            with transaction.atomic():
                if _complete_pairing(pairing_id, today=today):
                    completed += 1
        except FeedbackError as error:
            # Rolled back, so the next run tries again once the questionnaire exists.
            logger.error("Pairing %s not completed: %s", pairing_id, error)
    if completed:
        logger.info("Completed %s pairings", completed)
    return completed


def _complete_pairing(pairing_id: int, *, today: datetime.date) -> bool:
    pairing = (
        Pairing.objects.select_for_update(of=("self",))
        .select_related(
            "mentor_enrolment__application__person", "mentee_enrolment__application__person"
        )
        .get(pk=pairing_id)
    )
    if pairing.status != PairingStatus.ENGAGED:
        return False

    pairing.status = PairingStatus.COMPLETED
    pairing.save(update_fields=["status"])
    record_event("meetings.pairing.completed", target=pairing)

    _end_mentee_enrolment(pairing.mentee_enrolment, today=today)
    invite_pair_to_questionnaire(pairing=pairing, kind="completion", today=today)

    for enrolment in (pairing.mentor_enrolment, pairing.mentee_enrolment):
        if enrolment.status == EnrolmentStatus.WITHDRAWN:
            continue
        _certify(pairing, enrolment=enrolment)
    return True


def _end_mentee_enrolment(enrolment: Enrolment, *, today: datetime.date) -> None:
    locked = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if locked.status != EnrolmentStatus.ACTIVE:
        return
    locked.status = EnrolmentStatus.ENDED
    fields = ["status"]
    # The term may run past the pairing's year; it ends with the pairing.
    if locked.ends_on > today and today >= locked.starts_on:
        locked.ends_on = today
        fields.append("ends_on")
    locked.save(update_fields=fields)
    enrolment.status, enrolment.ends_on = locked.status, locked.ends_on
    record_event("meetings.enrolment.ended", target=locked)


def _certify(pairing: Pairing, *, enrolment: Enrolment) -> Letter:
    """Issue the participant's certificate for this pairing and queue its letter."""
    person = enrolment.application.person
    role = Role(enrolment.role)
    certificate, _ = issue_certificate(
        source_key=f"pairing:{pairing.pk}:{role.value}",
        person=person,
        role=role.label.lower(),
        starts_on=pairing.engaged_on,
        ends_on=pairing.completion_due_on,
    )
    return queue_certificate_letter(certificate, person=person)


def queue_certificate_letter(certificate: Certificate, *, person: Person) -> Letter:
    """Queue the CERTIFICATE letter, keyed by the certificate, with the PDF attached."""
    letter = queue_letter(
        kind=LetterKind.CERTIFICATE,
        idempotency_key=f"certificate:{certificate.pk}",
        to=[person.primary_email],
        cc=[person.secondary_email],
        values={
            "recipient_name": person.full_name,
            "role": certificate.role,
            "programme_start": format_letter_date(certificate.starts_on),
            "programme_end": format_letter_date(certificate.ends_on),
            "verification_code": certificate.code,
            "verify_link": verify_link(certificate),
            "portal_link": site_link(reverse("meetings:home")),
        },
        person=person,
    )
    # queue_letter takes no certificate, so the link is set here. The sending
    # task runs after this transaction commits and so reads the link.
    if letter.certificate_id is None:
        Letter.objects.filter(pk=letter.pk).update(certificate=certificate)
        letter.certificate = certificate
    return letter

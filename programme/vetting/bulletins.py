"""Bulletins to every participant, prepared as a batch the office approves."""

from django.db import transaction
from django.urls import reverse

from programme.core.services import record_event
from programme.letters.models import LetterBatch, LetterKind
from programme.letters.services import create_batch, queue_letter, site_link
from programme.vetting.models import Enrolment, EnrolmentStatus


def prepare_tips_bulletin(*, enrolments, actor) -> LetterBatch | None:
    """Queue the tips bulletin as drafts for these enrolments' participants, in one batch.

    Only active enrolments receive it, each person once. Returns the batch, or
    None when there is nobody to write to. Nothing is sent until an office user
    approves the batch.
    """
    active = (
        Enrolment.objects.filter(pk__in=[enrolment.pk for enrolment in enrolments])
        .filter(status=EnrolmentStatus.ACTIVE)
        .select_related("application__person")
        .order_by("pk")
    )
    people = {
        enrolment.application.person_id: enrolment.application.person for enrolment in active
    }
    if not people:
        return None

    with transaction.atomic():
        batch = create_batch(
            kind=LetterKind.TIPS_BULLETIN,
            description=f"Tips bulletin to {len(people)} participant(s)",
            actor=actor,
        )
        for person in people.values():
            queue_letter(
                kind=LetterKind.TIPS_BULLETIN,
                idempotency_key=f"tips-bulletin:{batch.pk}:{person.pk}",
                to=[person.primary_email],
                cc=[person.secondary_email],
                person=person,
                batch=batch,
                actor=actor,
                values={
                    "recipient_name": person.full_name,
                    "tips_link": site_link(reverse("public:tips")),
                },
            )
        record_event("vetting.tips_bulletin.prepared", actor=actor, target=batch)
    return batch

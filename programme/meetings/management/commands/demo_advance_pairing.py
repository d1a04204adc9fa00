"""Move a pairing's dates into the past, so a demonstration can walk through its year.

The dates its check-ins and questionnaire invitations were sent, and reminded,
move too, so that reminders fall due as they would have. Development only:
the command refuses to run unless DEBUG is on.
"""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import F

from programme.core.services import record_event
from programme.feedback.models import Invitation
from programme.matching.models import Pairing
from programme.meetings.models import CheckIn

DATE_FIELDS = ("engaged_on", "checkin_due_on", "feedback_due_on", "completion_due_on")
# About three years: enough to pass any pairing's completion date.
MAX_DAYS = 1100


class Command(BaseCommand):
    help = (
        "Development only: move a pairing's engagement date and its due dates DAYS days into "
        "the past, then run run_due_tasks to send what has become due."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("pairing_id", type=int, help="Number of the pairing to move.")
        parser.add_argument(
            "--days",
            type=int,
            required=True,
            help=f"How many days to move the dates back, from 1 to {MAX_DAYS}.",
        )

    def handle(self, *args, pairing_id: int, days: int, **options) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "demo_advance_pairing changes a pairing's dates and is for demonstrations only. "
                "It runs only when DEBUG is on (DJANGO_DEBUG=true); nothing was changed."
            )
        if not 1 <= days <= MAX_DAYS:
            raise CommandError(f"--days must be from 1 to {MAX_DAYS}, not {days}.")

        shift = datetime.timedelta(days=days)
        with transaction.atomic():
            pairing = Pairing.objects.select_for_update().filter(pk=pairing_id).first()
            if pairing is None:
                raise CommandError(f"No pairing has the number {pairing_id}.")
            if pairing.engaged_on is None:
                raise CommandError(
                    f"Pairing {pairing_id} was never engaged, so it has no dates to move."
                )
            changed = []
            for field in DATE_FIELDS:
                value = getattr(pairing, field)
                if value is not None:
                    setattr(pairing, field, value - shift)
                    changed.append(field)
            pairing.save(update_fields=changed)
            for rows in (
                CheckIn.objects.filter(pairing=pairing),
                Invitation.objects.filter(pairing=pairing),
            ):
                sent_field = "sent_on" if rows.model is CheckIn else "invited_on"
                rows.update(**{sent_field: F(sent_field) - shift})
                rows.filter(reminded_on__isnull=False).update(reminded_on=F("reminded_on") - shift)
            record_event("meetings.pairing.demo_advanced", target=pairing)

        self.stdout.write(
            f"Pairing {pairing_id} moved {days} days back: engaged on {pairing.engaged_on}, "
            f"check-in due {pairing.checkin_due_on}, feedback due {pairing.feedback_due_on}, "
            f"completion due {pairing.completion_due_on}. Run run_due_tasks to send what is due."
        )

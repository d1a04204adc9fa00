"""Create and enqueue whatever is due now. Safe to run as often as you like.

Run it every few minutes from cron or a systemd timer; ``make run`` runs it in
development. Each step is idempotent: what it creates is guarded by a unique
key, so running it twice, or after a pause of days, does nothing twice. The
command lives in the meetings app because that stage comes last and may call
every earlier one; the letters app calls no other app.
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from programme.feedback.services import send_due_questionnaire_reminders, send_due_questionnaires
from programme.letters.services import retry_due_letters
from programme.matching.services import invite_reenrolment
from programme.meetings.checkins import send_due_checkin_reminders, send_due_checkins
from programme.meetings.completion import complete_due_pairings


class Command(BaseCommand):
    help = (
        "Queue what is due (check-ins, questionnaires, completions, certificates, reminders, "
        "re-enrolment invitations) and enqueue letters due for sending or a retry."
    )

    def handle(self, *args, **options) -> None:
        today = timezone.localdate()
        steps = [
            ("Re-enrolment invitations queued", invite_reenrolment),
            ("Check-in letters queued", send_due_checkins),
            ("Check-in reminders queued", send_due_checkin_reminders),
            ("Questionnaire invitations queued", send_due_questionnaires),
            ("Questionnaire reminders queued", send_due_questionnaire_reminders),
            ("Pairings completed", complete_due_pairings),
        ]
        for label, step in steps:
            self.stdout.write(f"{label}: {step(today)}")
        self.stdout.write(f"Letters enqueued for sending: {retry_due_letters()}")

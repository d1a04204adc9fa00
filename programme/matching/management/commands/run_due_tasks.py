"""Create and enqueue whatever is due now. Safe to run as often as you like.

Run it every few minutes from cron or a systemd timer; ``make run`` runs it in
development. Each step is idempotent, so running it twice does nothing twice.
The command lives in the matching app because it calls every stage's sweep,
and the letters app calls no other app.
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from programme.letters.services import retry_due_letters
from programme.matching.services import invite_reenrolment


class Command(BaseCommand):
    help = "Queue due re-enrolment invitations and enqueue letters due for sending or a retry."

    def handle(self, *args, **options) -> None:
        invited = invite_reenrolment(timezone.localdate())
        self.stdout.write(f"Re-enrolment invitations queued: {invited}")
        enqueued = retry_due_letters()
        self.stdout.write(f"Letters enqueued for sending: {enqueued}")

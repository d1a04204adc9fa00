"""Create and enqueue whatever is due now. Safe to run as often as you like.

Run it every few minutes from cron or a systemd timer; ``make run`` runs it in
development. Each step is idempotent, so running it twice does nothing twice.
"""

from django.core.management.base import BaseCommand

from programme.letters.services import retry_due_letters


class Command(BaseCommand):
    help = "Enqueue letters that are due for sending or a retry."

    def handle(self, *args, **options) -> None:
        enqueued = retry_due_letters()
        self.stdout.write(f"Letters enqueued for sending: {enqueued}")

"""Print the current TOTP code of a demo staff account. Development only."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from programme.core.demo_staff import DEMO_STAFF
from programme.core.totp import current_code


class Command(BaseCommand):
    help = "Print the current 6-digit sign-in code of a demo staff account (development only)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "username",
            choices=[account.username for account in DEMO_STAFF],
            help="A demo account made by create_demo_staff.",
        )

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "Demo sign-in codes are for development only, so this command needs "
                "DJANGO_DEBUG=true."
            )
        username = options["username"]
        device = TOTPDevice.objects.filter(user__username=username, confirmed=True).first()
        if device is None:
            raise CommandError(
                f"'{username}' has no TOTP device. Run 'manage.py create_demo_staff' first."
            )

        code, seconds_left = current_code(device)
        self.stdout.write(code)
        self.stderr.write(
            f"The next code comes up in {seconds_left} seconds. Each code signs in once only."
        )

"""Create the demo office and core-team accounts and print how to sign in. Development only."""

import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from programme.core.demo_staff import DEMO_STAFF, create_demo_staff


class Command(BaseCommand):
    help = (
        "Create or refresh the demo staff accounts (office; core1, core2, core3), each with "
        "a TOTP device, and print how to sign in. Development only."
    )

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "Demo accounts are for development only; this command needs DJANGO_DEBUG=true."
            )
        password = os.environ.get("DEMO_STAFF_PASSWORD", "")
        if not password:
            raise CommandError(
                "DEMO_STAFF_PASSWORD is not set. Add it to .env ('make run' writes one "
                "when it creates .env) or to the environment."
            )

        create_demo_staff(password=password)

        admin_url = settings.SITE_URL.rstrip("/") + "/admin/"
        self.stdout.write(self.style.SUCCESS(f"Demo staff accounts for {admin_url}:"))
        for account in DEMO_STAFF:
            self.stdout.write(f"  {account.username:<8} {account.group}")
        self.stdout.write(
            "The password of each is DEMO_STAFF_PASSWORD in .env. For the 6-digit code, run\n"
            "  .venv/bin/python manage.py demo_totp_code <user name>"
        )

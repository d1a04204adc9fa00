"""Create the demo office account and print how to sign in. Development only."""

import os
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

OFFICE_GROUP = "Office"
OFFICE_PERMISSIONS = {
    "applications": ["view_application"],
    "core": [
        "view_person",
        "change_person",
        "view_programmesettings",
        "change_programmesettings",
        "view_auditevent",
    ],
}
DEMO_USERNAME = "office"


class Command(BaseCommand):
    help = "Create or refresh the demo office account (development only) and print its login."

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "Demo accounts are for development only; this command needs DJANGO_DEBUG=true."
            )
        password = os.environ.get("DEMO_STAFF_PASSWORD") or secrets.token_urlsafe(12)

        with transaction.atomic():
            group = self.ensure_office_group()
            user, _ = get_user_model().objects.get_or_create(
                username=DEMO_USERNAME, defaults={"email": "office@example.org"}
            )
            user.is_staff = True
            user.is_superuser = False
            user.set_password(password)
            user.save()
            user.groups.add(group)

        base_url = settings.SITE_URL.rstrip("/")
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo office login: {base_url}/admin/  user '{DEMO_USERNAME}'  "
                f"password '{password}'"
            )
        )

    def ensure_office_group(self) -> Group:
        group, _ = Group.objects.get_or_create(name=OFFICE_GROUP)
        for app_label, codenames in OFFICE_PERMISSIONS.items():
            permissions = Permission.objects.filter(
                content_type__app_label=app_label, codename__in=codenames
            )
            group.permissions.add(*permissions)
        return group

"""Set the Office and Core team groups' permissions to those defined in code."""

from django.core.management.base import BaseCommand

from programme.core.roles import sync_roles


class Command(BaseCommand):
    help = (
        "Create the staff groups (Office, Core team) and set each one's permissions to "
        "exactly those in programme/core/roles.py. 'migrate' does this too."
    )

    def handle(self, *args, **options) -> None:
        for result in sync_roles():
            self.stdout.write(f"{result.group}: {len(result.granted)} permissions set.")
            if result.missing:
                self.stdout.write(
                    f"  Skipped, model not installed yet: {', '.join(result.missing)}"
                )

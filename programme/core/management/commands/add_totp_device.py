"""Set up a staff user's authenticator app: create a TOTP device and print its QR code."""

import io

import segno
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from programme.core.totp import DEFAULT_DEVICE_NAME, add_totp_device, base32_secret


class Command(BaseCommand):
    help = (
        "Create a confirmed TOTP device for a user and print its otpauth:// URL, base32 "
        "secret and QR code. Replaces the user's earlier TOTP devices unless --keep-existing."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("username", help="User name of the staff account.")
        parser.add_argument(
            "--name",
            default=DEFAULT_DEVICE_NAME,
            help="Name of the device, shown when a user has several. "
            f"Default '{DEFAULT_DEVICE_NAME}'.",
        )
        parser.add_argument(
            "--keep-existing",
            action="store_true",
            help="Keep the user's earlier TOTP devices (for a second phone) instead of "
            "removing them.",
        )

    def handle(self, *args, **options) -> None:
        username = options["username"]
        user_model = get_user_model()
        try:
            user = user_model.objects.get(**{user_model.USERNAME_FIELD: username})
        except user_model.DoesNotExist:
            raise CommandError(f"No user named '{username}' exists.") from None

        device, removed = add_totp_device(
            user, name=options["name"], replace=not options["keep_existing"]
        )

        if removed:
            self.stdout.write(f"Removed {removed} earlier TOTP device(s) of '{username}'.")
        if not user.is_staff:
            self.stderr.write(
                f"Note: '{username}' is not a staff account, so it cannot use the admin yet."
            )
        self.stdout.write(
            f"Scan this QR code with the authenticator app of '{username}', or type in the "
            "secret below. Show it to nobody else."
        )
        # Half-block characters keep the code about 60 columns wide. They draw
        # light modules in the text colour, so a dark terminal shows it the right way round.
        qr_code = io.StringIO()
        segno.make(device.config_url, error="m").terminal(out=qr_code, compact=True)
        self.stdout.write(qr_code.getvalue(), ending="")
        self.stdout.write(f"Secret (base32): {base32_secret(device)}")
        self.stdout.write(f"URL: {device.config_url}")

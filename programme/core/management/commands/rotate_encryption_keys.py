"""Re-encrypt every encrypted column under the first key in FIELD_ENCRYPTION_KEYS.

To change keys: put the new key first and keep the old one after it, run this
command, then remove the old key. Rows are read with any configured key and
written back with the first, in batches, each batch in its own transaction.
"""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from programme.core.fields import encrypted_field_names


class Command(BaseCommand):
    help = "Re-encrypt every encrypted column with the first key in FIELD_ENCRYPTION_KEYS."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--batch-size", type=int, default=500, help="Rows re-encrypted per transaction."
        )

    def handle(self, *args, batch_size: int, **options) -> None:
        total = 0
        for model in apps.get_models():
            fields = sorted(encrypted_field_names(model))
            if not fields:
                continue
            count = self.rotate_model(model, fields, batch_size)
            total += count
            self.stdout.write(f"{model._meta.label}: {count} rows re-encrypted")
        self.stdout.write(self.style.SUCCESS(f"Done: {total} rows re-encrypted in all."))

    def rotate_model(self, model, fields: list[str], batch_size: int) -> int:
        count = 0
        last_pk = None
        manager = model._base_manager
        while True:
            batch_query = manager.order_by("pk").only("pk", *fields)
            if last_pk is not None:
                batch_query = batch_query.filter(pk__gt=last_pk)
            with transaction.atomic():
                rows = list(batch_query.select_for_update()[:batch_size])
                if not rows:
                    return count
                # Saving writes each value back through the field, which
                # encrypts it with the first key.
                manager.bulk_update(rows, fields)
            count += len(rows)
            last_pk = rows[-1].pk

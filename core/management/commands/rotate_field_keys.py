"""Re-encrypt every encrypted field under the first FIELD_ENCRYPTION_KEYS key.

Rotation: put the new key first in FIELD_ENCRYPTION_KEYS (keep the old one
after it), run this command, then remove the old key. Works in chunks of
primary keys, history tables included.
"""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from core.fields import EncryptedTextField

# Rows per transaction: small enough to keep locks short.
CHUNK = 1000


class Command(BaseCommand):
    help = "Re-encrypt encrypted fields with the current (first) key."

    def handle(self, *args, **options):
        for model in apps.get_models():
            fields = [
                f.name
                for f in model._meta.concrete_fields
                if isinstance(f, EncryptedTextField)
            ]
            if not fields:
                continue
            done, last = 0, None
            while True:
                rows = model._default_manager.order_by("pk")
                if last is not None:
                    rows = rows.filter(pk__gt=last)
                chunk = list(rows.only("pk", *fields)[:CHUNK])
                if not chunk:
                    break
                with transaction.atomic():
                    # Reading decrypted with any key; writing encrypts with
                    # the first. bulk_update writes no history row.
                    model._default_manager.bulk_update(chunk, fields)
                done += len(chunk)
                last = chunk[-1].pk
            self.stdout.write(f"{model._meta.label}: {done} rows re-encrypted")

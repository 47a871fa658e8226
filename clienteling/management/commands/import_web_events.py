"""Import website activity from a JSON Lines file (one event per line)."""

import json

from django.core.management.base import BaseCommand, CommandError

from clienteling import services
from clienteling.exceptions import ImportRefused


class Command(BaseCommand):
    help = (
        "Import website events from JSON Lines: external_id, client_number, "
        "kind, product_reference, occurred_at (ISO 8601 with time zone)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path, **options):
        try:
            with open(path, encoding="utf-8") as handle:
                rows = [json.loads(line) for line in handle if line.strip()]
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from None
        try:
            result = services.web_events_import(rows=rows)
        except ImportRefused as refused:
            raise CommandError(
                "Nothing imported:\n" + "\n".join(refused.messages)
            ) from None
        self.stdout.write(
            f"{result.created} event(s) imported, {result.already_known} already "
            f"known, {result.not_allowed} not stored (the client's cookie choices "
            "do not allow them)."
        )

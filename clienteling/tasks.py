"""Celery tasks of clienteling: thin callers of services, ids only."""

from datetime import date

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from clienteling import services
from clienteling.models import Client

# Clients per task: a chunk takes seconds, far inside the broker's
# visibility timeout, and its memory does not grow with the table.
FOLLOW_UP_CHUNK = 5000


@shared_task(name="clienteling.generate_follow_ups", acks_late=True)
def generate_follow_ups(today: str | None = None, after_id: int = 0) -> dict:
    """Nightly: follow-ups from upcoming dates and lapsing clients.

    Works on FOLLOW_UP_CHUNK client ids, then enqueues the next chunk after
    commit. Idempotent (each follow-up has a unique source key), so a
    duplicate delivery or a re-run after a crash creates nothing twice.
    """
    today = today or timezone.localdate().isoformat()
    ids = list(
        Client.objects.filter(pk__gt=after_id)
        .order_by("pk")
        .values_list("pk", flat=True)[:FOLLOW_UP_CHUNK]
    )
    if not ids:
        return {"anniversary": 0, "lapsing": 0, "next_after_id": None}
    run = services.follow_ups_generate(
        today=date.fromisoformat(today), id_range=(ids[0], ids[-1] + 1)
    )
    next_after = ids[-1] if len(ids) == FOLLOW_UP_CHUNK else None
    if next_after is not None:
        transaction.on_commit(
            lambda: generate_follow_ups.delay(today=today, after_id=next_after)
        )
    return {**run.created, "next_after_id": next_after}


@shared_task(name="clienteling.detect_duplicates", acks_late=True)
def detect_duplicates() -> int:
    """Nightly: flag clients sharing an email or phone number."""
    return services.duplicates_detect()


@shared_task(name="clienteling.sweep_import_uploads")
def sweep_import_uploads() -> int:
    """Hourly: delete import files whose preview was never confirmed."""
    return services.import_uploads_sweep()

"""Celery tasks of clienteling: thin callers of services, ids only."""

from datetime import date

from celery import shared_task

from clienteling import services


@shared_task(name="clienteling.generate_follow_ups", acks_late=True)
def generate_follow_ups(today: str | None = None) -> dict[str, int]:
    """Nightly: follow-ups from upcoming dates and lapsing clients.

    Idempotent (each follow-up has a unique source key), so a duplicate
    delivery or a re-run after a crash creates nothing twice.
    """
    run = services.follow_ups_generate(
        today=date.fromisoformat(today) if today else None
    )
    return run.created


@shared_task(name="clienteling.detect_duplicates", acks_late=True)
def detect_duplicates() -> int:
    """Nightly: flag clients sharing an email or phone number."""
    return services.duplicates_detect()

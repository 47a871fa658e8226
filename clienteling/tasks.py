"""Celery tasks of clienteling: thin callers of services, ids only."""

from datetime import date

from celery import shared_task
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clienteling import services
from clienteling.jobs import KIND
from core import jobs
from core.display import day


@shared_task(name="clienteling.generate_follow_ups", acks_late=True)
def generate_follow_ups(today: str | None = None, after_id: int = 0) -> dict:
    """Nightly: start the follow-up generation for today, one job
    (clienteling.follow_up_generation) that walks the clients in chunks.

    A second start while today's job waits or runs starts nothing (the
    job's key); the job itself is resumable and creates nothing twice.
    `after_id` is ignored: a chunk message sent before the job protocol
    starts (or joins) the day's job, which walks every client.
    """
    today = date.fromisoformat(today) if today else timezone.localdate()
    try:
        with transaction.atomic():
            job = jobs.enqueue(
                kind=KIND,
                label=(_("Follow-ups for %(today)s") % {"today": day(today)}),
                params={"today": today.isoformat()},
                dedupe_key=f"follow-ups:{today.isoformat()}",
            )
    except jobs.AlreadyQueued as already:
        return {"job": already.job.pk, "started": False}
    return {"job": job.pk, "started": True}


@shared_task(name="clienteling.detect_duplicates", acks_late=True)
def detect_duplicates() -> int:
    """Nightly: flag clients sharing an email or phone number."""
    return services.duplicates_detect()


@shared_task(name="clienteling.sweep_import_uploads")
def sweep_import_uploads() -> int:
    """Hourly: delete import files whose preview was never confirmed."""
    return services.import_uploads_sweep()


@shared_task(name="clienteling.send_appointment_reminders", acks_late=True)
def send_appointment_reminders() -> int:
    """Hourly: remind advisers of tomorrow's appointments, once each
    (reminded_at); an appointment booked today for tomorrow is reminded
    within the hour."""
    return services.appointment_reminders_send()

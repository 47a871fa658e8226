"""Celery tasks of consents: thin callers of services."""

from celery import shared_task

from consents import services


@shared_task(name="consents.remove_orphan_scans", acks_late=True)
def remove_orphan_scans() -> dict:
    """Nightly: scan files left by captures that never committed."""
    return services.scan_orphans_remove()

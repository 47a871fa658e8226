"""Celery task of the breach register: ids only, a thin caller."""

from celery import shared_task

from privacy import breaches


@shared_task(name="privacy.breach_alerts", acks_late=True)
def breach_alerts() -> dict:
    """Every 15 minutes: the 48- and 66-hour alerts, once each (the
    BreachAlert row's unique key makes a second delivery send nothing).
    A handful of open breaches at most: one pass."""
    return {"sent": breaches.breaches_alert()}

"""Celery tasks of segments: the nightly rebuild of the daily facts."""

from celery import shared_task

from segments import facts


@shared_task(name="segments.rebuild_sales_facts", acks_late=True)
def rebuild_sales_facts() -> dict:
    """Idempotent (a whole rebuild in one transaction): safe to redeliver."""
    return facts.sales_facts_rebuild()

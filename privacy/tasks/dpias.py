"""Celery task of the impact assessments: a thin caller."""

from celery import shared_task

from privacy import dpias


@shared_task(name="privacy.dpia_reviews", acks_late=True)
def dpia_reviews() -> dict:
    """Daily: raise the reviews that fell due (a handful of rows)."""
    return {"raised": dpias.dpias_review_due()}

"""Celery task of the Art. 19 notices: notice ids only, a thin caller."""

from celery import shared_task

from privacy import notices


@shared_task(name="privacy.send_recipient_notices", acks_late=True)
def send_recipient_notices(notice_ids: list[int]) -> dict:
    """Send the notices queued by one change (one per recipient and client:
    an erasure of merged records, at most a few dozen). A sent notice is
    skipped, so a redelivered message sends nothing twice."""
    return notices.notices_send(notice_ids=notice_ids)

"""Celery task of the Art. 19 notices: notice ids only, a thin caller."""

from celery import shared_task

from privacy import notices


@shared_task(name="privacy.send_recipient_notices", acks_late=True, bind=True)
def send_recipient_notices(self, notice_ids: list[int]) -> dict:
    """Send the notices queued by one change (one per recipient and client:
    an erasure of merged records, at most a few dozen). A sent notice is
    skipped, so a redelivered message sends nothing twice. An email that
    could not go is tried again, as jobs are (core.jobs: three attempts,
    5 s then 10 s apart); each attempt is counted on the notice."""
    counts = notices.notices_send(notice_ids=notice_ids)
    retry = counts.pop("retry")
    tried = self.request.retries
    while retry and tried < notices.MAX_ATTEMPTS - 1:
        tried += 1
        if not self.request.is_eager:
            # A worker: scheduled, not raised (the notices sent are recorded).
            self.retry(
                args=[retry],
                countdown=min(60, 5 * tried),
                max_retries=notices.MAX_ATTEMPTS - 1,
                throw=False,
            )
            counts["retrying"] = len(retry)
            break
        # In-process (demo, tests): tried again at once.
        again = notices.notices_send(notice_ids=retry)
        counts["sent"] += again["sent"]
        counts["failed"] -= again["sent"]
        retry = again.pop("retry")
    return counts

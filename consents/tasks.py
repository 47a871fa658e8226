"""Celery tasks of consents: thin callers of services, ids only."""

from celery import shared_task

from consents import outreach, services


@shared_task(name="consents.remove_orphan_scans", acks_late=True)
def remove_orphan_scans() -> dict:
    """Nightly: scan files left by captures that never committed."""
    return services.scan_orphans_remove()


@shared_task(name="consents.build_outreach_list", acks_late=True)
def build_outreach_list(list_id: int) -> dict:
    """Build one outreach list; idempotent (a finished list is left alone).

    The walk goes by chunks inside this one task: a million clients take
    minutes, far inside Redis's visibility timeout, and the job row shows
    the progress.
    """
    outreach_list = outreach.outreach_list_build(list_id=list_id)
    return {"list": outreach_list.pk, "status": outreach_list.status}


@shared_task(name="consents.sweep_outreach_lists", acks_late=True)
def sweep_outreach_lists() -> dict:
    """Every ten minutes: delete expired lists' files and partial files of killed
    builds, and send lists that lost their worker to a worker again."""
    expired = outreach.outreach_lists_expire()
    partial = outreach.outreach_partial_files_remove()
    stalled = outreach.stalled_list_ids()
    for list_id in stalled:
        build_outreach_list.delay(list_id)
    return {"expired": expired, "partial_files_removed": partial, "resent": stalled}

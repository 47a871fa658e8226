"""Celery tasks of consents: thin callers of services, ids only."""

from celery import shared_task

from consents import outreach, services


@shared_task(name="consents.remove_orphan_scans", acks_late=True)
def remove_orphan_scans() -> dict:
    """Nightly: scan files left by captures that never committed."""
    return services.scan_orphans_remove()


@shared_task(name="consents.build_outreach_list", acks_late=True)
def build_outreach_list(list_id: int) -> dict:
    """Build one outreach list by running its job (kind consents.outreach_list).

    Lists are sent to workers as core.jobs.run messages; this name stays for
    messages sent before the jobs protocol, and a delivery that finds the
    job done or running leaves it alone (the job's claim).
    """
    outreach_list = outreach.outreach_list_build(list_id=list_id)
    return {"list": outreach_list.pk, "status": outreach_list.status}

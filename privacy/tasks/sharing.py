"""Celery tasks of group and partner sharing: they start core.jobs jobs.

The exports themselves run as core.jobs jobs (privacy/jobs.py): claimed
once, resumed by the job sweeper after a dead worker or a lost message,
one batch per job. These task names are what the monthly beat rows call.
"""

import logging

from celery import shared_task
from django.contrib.auth import get_user_model

from core import jobs
from privacy.models import Partner
from privacy.sharing import exports

logger = logging.getLogger(__name__)


def _user(user_id: int | None):
    return get_user_model().objects.get(pk=user_id) if user_id else None


@shared_task(name="privacy.group_export", acks_late=True)
def group_export(user_id: int | None = None) -> dict:
    """Monthly (beat) or on demand: start one cross-group export job."""
    try:
        job = exports.group_export_start(acting_user=_user(user_id))
    except exports.SharingRefused as exc:
        logger.warning("Cross-group export refused: %s", exc)
        return {"refused": str(exc)}
    except jobs.AlreadyQueued as exc:
        return {"job": exc.job.pk, "already": True}
    return {"job": job.pk}


@shared_task(name="privacy.partner_export", acks_late=True)
def partner_export(partner_id: int, user_id: int | None = None) -> dict:
    """Start one transfer job to one partner."""
    partner = Partner.objects.get(pk=partner_id)
    try:
        job = exports.partner_export_start(acting_user=_user(user_id), partner=partner)
    except exports.SharingRefused as exc:
        logger.warning("Partner export for %s refused: %s", partner.code, exc)
        return {"refused": str(exc)}
    except jobs.AlreadyQueued as exc:
        return {"job": exc.job.pk, "already": True}
    return {"job": job.pk}


@shared_task(name="privacy.partner_exports", acks_late=True)
def partner_exports() -> list[int]:
    """Monthly (beat): one transfer job per active partner."""
    ids = list(Partner.objects.filter(is_active=True).values_list("pk", flat=True))
    for partner_id in ids:
        partner_export(partner_id)
    return ids

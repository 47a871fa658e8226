"""Celery tasks of group and partner sharing: ids only, thin callers."""

import logging

from celery import shared_task
from django.contrib.auth import get_user_model

from privacy.models import Partner
from privacy.sharing import exports

logger = logging.getLogger(__name__)


def _user(user_id: int | None):
    return get_user_model().objects.get(pk=user_id) if user_id else None


@shared_task(name="privacy.group_export", acks_late=True)
def group_export(user_id: int | None = None) -> dict:
    """Monthly (beat) or on demand: one cross-group batch.

    One batch streams every consenting client in chunks
    (privacy.sharing.eligibility.CHUNK); at 100,000 clients it takes
    seconds, far inside the broker's visibility timeout. A redelivered
    message writes a second, complete batch, never a half one, and
    withdrawals are recalled once.
    """
    try:
        batch = exports.group_export_run(acting_user=_user(user_id))
    except exports.SharingRefused as exc:
        logger.warning("Cross-group export refused: %s", exc)
        return {"refused": str(exc)}
    return {"batch": batch.pk, "clients": batch.client_count}


@shared_task(name="privacy.partner_export", acks_late=True)
def partner_export(partner_id: int, user_id: int | None = None) -> dict:
    """One transfer to one partner."""
    partner = Partner.objects.get(pk=partner_id)
    try:
        batch = exports.partner_export_run(acting_user=_user(user_id), partner=partner)
    except exports.SharingRefused as exc:
        logger.warning("Partner export for %s refused: %s", partner.code, exc)
        return {"refused": str(exc)}
    return {"batch": batch.pk, "clients": batch.client_count}


@shared_task(name="privacy.partner_exports", acks_late=True)
def partner_exports() -> list[int]:
    """Monthly (beat): one transfer task per active partner."""
    ids = list(Partner.objects.filter(is_active=True).values_list("pk", flat=True))
    for partner_id in ids:
        partner_export.delay(partner_id)
    return ids

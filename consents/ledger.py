"""Erasure mode: the one door through which consent evidence is removed.

Dangerous on purpose. The consent ledger and the paper-form submissions are
what prove the house's legal basis; only the erasure job may remove them,
and only for clients whose erasure a compliance officer approved (or whose
retention period ended). On PostgreSQL a trigger refuses UPDATE and DELETE
on those tables unless the transaction opened the evidence gate for the
row's client (core.evidence); erasure_mode() opens it for the given
clients, inside its block only.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import transaction

from core.evidence import evidence_gate


@contextmanager
def erasure_mode(*, client_ids: Iterable[int]) -> Iterator[None]:
    """Allow UPDATE/DELETE of these clients' consent evidence in this block."""
    with evidence_gate("erasure", client_ids):
        yield


@transaction.atomic
def erase_client_evidence(*, client_ids: Iterable[int]) -> dict[str, int]:
    """Remove the consent evidence of erased clients, set-based.

    The suppression list is kept on purpose: it holds only keyed hashes and
    is what stops a re-imported client being marketed to again. Returns the
    number of rows removed per model.
    """
    from consents.models import (
        ConsentDecision,
        PaperFormSubmission,
        Restriction,
        SoftOptIn,
    )

    ids = list(client_ids)
    removed = {}
    scans = list(
        PaperFormSubmission.objects.filter(client_id__in=ids).values_list(
            "scan_name", flat=True
        )
    )
    with erasure_mode(client_ids=ids):
        for model in (ConsentDecision, PaperFormSubmission):
            # _raw_delete: the queryset API refuses deletes on evidence.
            removed[model._meta.label] = model.objects.filter(
                client_id__in=ids
            )._raw_delete(model.objects.db)
        for model in (SoftOptIn, Restriction):
            model.history.filter(client_id__in=ids).delete()
            removed[model._meta.label] = model.objects.filter(
                client_id__in=ids
            )._raw_delete(model.objects.db)

    def _remove_scans():
        for name in scans:
            (settings.PRIVATE_STORAGE_ROOT / "consent-scans" / name).unlink(
                missing_ok=True
            )

    transaction.on_commit(_remove_scans)
    return removed

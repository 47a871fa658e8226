from django.db import models


class AppendOnlyQuerySet(models.QuerySet):
    """Refuses set-based update() and delete(): evidence is insert-only.

    The erasure job removes rows with consents.ledger.erase_client_evidence(),
    which deletes below the ORM's queryset API inside erasure mode.
    """

    def update(self, **kwargs):
        from consents.models import LedgerIsAppendOnly

        raise LedgerIsAppendOnly("Consent evidence cannot be updated.")

    def delete(self):
        from consents.models import LedgerIsAppendOnly

        raise LedgerIsAppendOnly("Consent evidence cannot be deleted.")


class ConsentDecisionQuerySet(AppendOnlyQuerySet):
    def for_clients(self, client_ids):
        """Decisions about these clients."""
        return self.filter(client_id__in=client_ids)

    def grants(self):
        """Decisions that gave consent."""
        return self.filter(decision="grant")

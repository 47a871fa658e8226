from django.db import models


class AppendOnlyQuerySet(models.QuerySet):
    """Refuses set-based update() and delete(): evidence is insert-only.

    The erasure job changes rows below the ORM's queryset API, inside
    consents.ledger.erasure_mode() (privacy.erasure.erase_model).
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

    def current(self):
        """Decisions no later decision on the same client and purpose
        replaced (decided_at, then id, breaks ties, as current_decisions)."""
        later = self.model.objects.filter(
            client_id=models.OuterRef("client_id"),
            purpose_id=models.OuterRef("purpose_id"),
        ).filter(
            models.Q(decided_at__gt=models.OuterRef("decided_at"))
            | models.Q(
                decided_at=models.OuterRef("decided_at"), id__gt=models.OuterRef("id")
            )
        )
        return self.exclude(models.Exists(later))

    def current_objections(self):
        """Objections in force (Art. 21): the latest decision objects."""
        return self.filter(decision="object").current()


class RestrictionQuerySet(models.QuerySet):
    def in_force(self, at=None):
        """Restrictions of processing (GDPR Art. 18) in force at `at`
        (default now): started on or before `at`, and not lifted on or
        before it. The one definition: outreach, sharing and the
        clienteling hooks all read it.

        A restriction started exactly at `at` is in force; one lifted
        exactly at `at` is not; one lifted after `at` still is.
        """
        from django.utils import timezone

        at = at or timezone.now()
        return self.filter(started_at__lte=at).filter(
            models.Q(lifted_at__isnull=True) | models.Q(lifted_at__gt=at)
        )


class OutreachListQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Lists this member of staff may open: their own, or every list
        for holders of consents.download_any_outreach_list who also see
        every boutique's clients (compliance). Without the latter the
        permission opens nothing more: scoping holds on every path."""
        from clienteling.scoping import sees_every_boutique

        if not user.is_active:
            return self.none()
        any_list = user.has_perm("consents.download_any_outreach_list")
        if any_list and sees_every_boutique(user):
            return self
        if user.has_perm("consents.build_outreach_list"):
            return self.filter(requested_by=user)
        return self.none()

    def ready(self):
        """Lists whose file is there to download (built, not yet deleted)."""
        return (
            self.filter(job__status="done", withdrawn="")
            .exclude(job__result_file="")
            .select_related("job")
        )

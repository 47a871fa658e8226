"""Long jobs of consents (core.jobs): outreach lists, email campaigns, their
counts, and imports of bounces and complaints."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from core import jobs


class OutreachListJob(jobs.JobKind):
    """Build one outreach list's CSV (consents.outreach).

    Resumable by starting afresh: a retried attempt writes a new partial
    file from the first client, and only the attempt that finishes
    publishes its file (one per list) and records the counts (on_done).
    """

    name = "consents.outreach_list"
    label = _("Outreach list")
    max_attempts = 3
    view_permission = "consents.download_any_outreach_list"
    # consents.datamap's "outreach_lists" location erases the lists (by
    # erase_results below), counted there on the erasure receipt.
    file_location = "outreach_lists"

    @property
    def result_days(self) -> int:
        return settings.OUTREACH_LIST_DOWNLOAD_DAYS

    def run(self, job, ctx):
        from consents import outreach
        from consents.models import OutreachList

        outreach_list = OutreachList.objects.select_related(
            "requested_by", "purpose"
        ).get(pk=job.params["list"])
        # The requester may have lost the right or moved since asking.
        if refusal := outreach.build_refusal(outreach_list):
            raise jobs.JobRefused(refusal)
        return outreach._write(outreach_list, ctx, None)

    def on_done(self, job, result):
        from consents.models import OutreachList

        OutreachList.objects.filter(job=job).update(
            eligible_count=result.get("eligible", 0),
            soft_opt_in_count=result.get("soft_opt_in", 0),
            excluded_by_reason=result.get("excluded_by_reason", {}),
        )

    def erase_results(self, *, client_ids, identifiers=None) -> int:
        """Withdraw the ready lists naming any of these clients: their file
        deleted, the list marked withdrawn, saying why."""
        from consents import outreach

        return outreach.outreach_lists_withdraw(
            client_numbers=outreach.client_numbers(client_ids)
        )

    def error_message(self, exc):
        return (
            "The list could not be built because of an unexpected error; the "
            "technical team has the details in the logs. Ask for a new list."
        )


jobs.register(OutreachListJob())


class EmailCampaignJob(jobs.JobKind):
    """Send one email campaign (consents.campaigns).

    A retried attempt starts from the first client again and skips those
    the campaign already has a contact event for: no one gets it twice.
    """

    name = "consents.email_campaign"
    label = _("Email campaign")
    max_attempts = 3
    view_permission = "consents.download_any_outreach_list"

    def run(self, job, ctx):
        from consents import campaigns
        from consents.models import EmailCampaign

        campaign = EmailCampaign.objects.select_related(
            "requested_by", "outreach_list__purpose", "outreach_list__requested_by"
        ).get(pk=job.params["campaign"])
        from consents import outreach

        if refusal := outreach.build_refusal(campaign.outreach_list):
            raise jobs.JobRefused(refusal)
        return campaigns._send(campaign, ctx, None)

    def on_done(self, job, result):
        from consents.models import EmailCampaign

        EmailCampaign.objects.filter(job=job).update(
            sent_count=result.get("sent", 0),
            skipped_by_reason=result.get("skipped_by_reason", {}),
        )

    def error_message(self, exc):
        return (
            "The campaign stopped because of an unexpected error; the "
            "technical team has the details in the logs. The clients already "
            "written to are in their contact history; sending it again skips them."
        )


jobs.register(EmailCampaignJob())


class BounceImportJob(jobs.JobKind):
    """Apply one checked file of bounces and complaints (consents.bounces,
    decision 0120): one fenced transaction, all or nothing; the uploaded
    file is deleted once the job ends, whichever way."""

    name = "consents.bounce_import"  # never rename: stored on job rows
    label = _("Bounces and complaints import")
    max_attempts = 3
    # A failed import wrote nothing; a new upload is the way to try again
    # (the file may have been deleted meanwhile).
    retryable = False
    view_permission = "consents.view_bounceimport"

    def run(self, job, ctx):
        from consents import bounces

        return bounces.bounces_import_job(job, ctx)

    def _drop_file(self, job):
        from clienteling import import_uploads

        import_uploads.remove(job.params.get("file", ""))

    def on_done(self, job, result):
        self._drop_file(job)

    def on_failed(self, job):
        self._drop_file(job)

    def on_cancelled(self, job):
        self._drop_file(job)

    def error_message(self, exc):
        return (
            "The import of bounces and complaints stopped on an unexpected "
            "error; nothing was imported. Upload the file again, or ask the "
            "technical team if it happens again."
        )


jobs.register(BounceImportJob())


class CampaignPreviewJob(jobs.JobKind):
    """Count who an email campaign would reach and who it would skip, and
    why (consents.campaigns.campaign_preview; decision 0120). Writes
    nothing but its counts: safe to run again."""

    name = "consents.campaign_preview"  # never rename: stored on job rows
    label = _("Email campaign count")
    max_attempts = 3
    view_permission = "consents.download_any_outreach_list"

    def run(self, job, ctx):
        from consents import campaigns

        return campaigns.campaign_preview_job(job, ctx)

    def error_message(self, exc):
        return (
            "The count stopped on an unexpected error; the technical team has "
            "the details in the logs. Count again."
        )


jobs.register(CampaignPreviewJob())

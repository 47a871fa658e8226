"""Long jobs of consents (core.jobs): building an outreach list."""

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

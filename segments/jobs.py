"""Long jobs of segments (core.jobs): a follow-up campaign."""

from django.utils.translation import gettext_lazy as _

from core import jobs


class CampaignJob(jobs.JobKind):
    """Write one follow-up per member of a campaign's segment.

    Resumable: each follow-up carries a source_key naming the campaign and
    the client, so a retried attempt writes only the missing ones.
    """

    name = "segments.follow_up_campaign"
    label = _("Follow-up campaign")
    max_attempts = 3

    def run(self, job, ctx):
        from segments import services
        from segments.models import Campaign

        campaign = Campaign.objects.select_related("segment", "requested_by").get(
            pk=job.params["campaign"]
        )
        if not campaign.requested_by.has_perm(services.CAMPAIGN_PERMISSION):
            raise jobs.JobRefused(
                _("The requester may no longer create follow-up campaigns.")
            )
        return services.campaign_write(campaign, ctx)

    def on_done(self, job, result):
        from segments.models import Campaign

        Campaign.objects.filter(job=job).update(
            created_count=result.get("created", 0),
            excluded_by_reason=result.get("excluded_by_reason", {}),
        )


jobs.register(CampaignJob())

"""Demo segments (decision 0014: through the services): a shared segment of
the Paris boutique's French speakers, a private one of high-value clients,
and one follow-up campaign written in-process, so the segment pages show a
count, the clients left out by reason, an outreach list and a campaign
without anyone creating anything."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from clienteling.models import Boutique, User
from consents import outreach, registry
from consents.models import OutreachList, Purpose
from segments import facts, services
from segments.models import Campaign, FactsRebuild, Segment


def seed(*, stdout) -> None:
    manager = User.objects.filter(username="manager").first()
    adviser = User.objects.filter(username="adviser").first()
    paris = Boutique.objects.filter(code="PAR-VENDOME").first()
    if manager is None or adviser is None or paris is None:
        stdout.write("Segments: no demo boutique or users; skipped.")
        return
    created = 0
    french = Segment.objects.filter(name="French speakers of Vendôme").first()
    if french is None:
        french = services.segment_save(
            acting_user=manager,
            segment=Segment(
                name="French speakers of Vendôme", language="fr", shared=True
            ),
            boutiques=[paris],
        )
        created += 1
    if not Segment.objects.filter(name="My clients above €10,000").exists():
        services.segment_save(
            acting_user=adviser,
            segment=Segment(
                name="My clients above €10,000",
                adviser=adviser,
                lifetime_value_min_eur=Decimal("10000"),
            ),
            boutiques=[paris],
        )
        created += 1
    for segment in Segment.objects.all():
        segment.full_clean()
    campaigns = 0
    if not Campaign.objects.filter(segment=french).exists():
        campaign = services.campaign_request(
            acting_user=manager,
            segment=french,
            due_date=timezone.localdate() + timedelta(days=7),
            note="Invite to the spring preview",
        )
        services.campaign_run_here(campaign_id=campaign.pk)
        campaigns += 1
    source = f"{services.OUTREACH_SOURCE}:{french.pk}"
    lists = 0
    if not OutreachList.objects.filter(source=source).exists():
        requested = services.segment_outreach_request(
            acting_user=manager,
            segment=french,
            purpose=Purpose.objects.get(code=registry.NEWSLETTERS),
            channel="email",
        )
        outreach.outreach_list_build(list_id=requested.pk)
        lists += 1
    rebuilt = 0
    if not FactsRebuild.objects.exists():
        facts.sales_facts_rebuild()
        rebuilt = 1
    stdout.write(
        f"Segments: {created} new, {campaigns} new campaign, {lists} new "
        f"outreach list from a segment, {rebuilt} facts rebuild."
    )

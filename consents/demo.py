"""Demo consent decisions for whatever demo clients exist (zero included).

Fictional data only. Called by `manage.py seed_demo` after clienteling's
demo; idempotent: a client who already has a decision about a purpose gets
no new one for it.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from clienteling.models import Client, MetalAllergy
from consents import registry, services
from consents.models import (
    Channel,
    ConsentDecision,
    FormTemplateVersion,
)

# Every second client gives newsletters, every third events, every fifth
# partner sharing; a few withdraw newsletters later, so the demo shows the
# whole life of a consent.
PLAN = (
    (registry.NEWSLETTERS, 2),
    (registry.EVENTS, 3),
    (registry.PARTNER_SHARING, 5),
)


@transaction.atomic
def seed(*, stdout) -> None:
    registry.sync_registry()
    version = FormTemplateVersion.objects.get(
        template__code="clienteling-tool", number=1
    )
    wordings = {w.purpose.code: w for w in version.wordings.select_related("purpose")}
    clients = list(Client.objects.active().order_by("pk"))
    decided = set(
        ConsentDecision.objects.values_list("client_id", "purpose__code").distinct()
    )
    with_allergy = set(MetalAllergy.objects.values_list("client_id", flat=True))
    base = timezone.now() - timedelta(days=400)
    created = 0

    def give(client, code, days):
        nonlocal created
        services.consent_record(
            acting_user=None,
            client=client,
            purpose_code=code,
            decision=ConsentDecision.Decision.GRANT,
            channel=Channel.CLIENTELING_TOOL,
            wording=wordings[code],
            now=base + timedelta(days=days),
        )
        created += 1

    for index, client in enumerate(clients):
        for code, every in PLAN:
            if index % every == 0 and (client.pk, code) not in decided:
                give(client, code, index % 300)
                if code == registry.NEWSLETTERS and index % 14 == 0:
                    services.consent_withdraw(
                        acting_user=None,
                        client=client,
                        purpose_code=code,
                        channel=Channel.EMAIL,
                        now=base + timedelta(days=index % 300 + 30),
                    )
                    created += 1
        # An allergy on file needs its explicit consent.
        code = registry.ALLERGY_AWARE_SERVICE
        if client.pk in with_allergy and (client.pk, code) not in decided:
            give(client, code, 0)
    stdout.write(f"Consent decisions: {created} new for {len(clients)} clients")

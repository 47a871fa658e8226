"""A small fixed house for the segment tests: who is in, who is left out."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

from clienteling.models import Client
from consents import registry, services
from consents.models import Channel
from core import roles
from segments import services as segment_services
from segments.models import Segment
from tests.clienteling.factories import BoutiqueFactory, UserFactory, adviser
from tests.consents.factories import ClientFactory, grant


@dataclass
class House:
    paris: object
    munich: object
    alice: object  # adviser in Paris
    manager: object  # Paris and Munich
    segment: Segment  # French speakers of Paris, shared
    kept: list[Client] = field(default_factory=list)
    restricted: Client | None = None
    objecting: Client | None = None
    suppressed: Client | None = None


def _client(boutique, name, *, language="fr", advised_by=None):
    client = ClientFactory(
        home_boutique=boutique,
        first_name=name,
        last_name="Test",
        preferred_language=language,
        primary_adviser=advised_by,
    )
    client.emails.create(address=f"{name.lower()}@example.com", is_primary=True)
    grant(client, registry.NEWSLETTERS)
    return client


def build_house() -> House:
    paris = BoutiqueFactory(name="Paris")
    munich = BoutiqueFactory(name="Munich")
    alice = adviser(paris, first_name="Alice", last_name="Adviser")
    manager = UserFactory(role=roles.MANAGER, boutiques=[paris, munich])
    kept = [
        _client(paris, "Keptone", advised_by=alice),
        _client(paris, "Kepttwo", advised_by=alice),
    ]
    restricted = _client(paris, "Restricted", advised_by=alice)
    services.restriction_start(
        acting_user=None,
        client=restricted,
        reason="Accuracy contested",
        now=timezone.now() - timedelta(minutes=1),
    )
    objecting = _client(paris, "Objecting", advised_by=alice)
    services.consent_record(
        acting_user=None,
        client=objecting,
        purpose_code=registry.STATISTICS_SEGMENTATION,
        decision="object",
        channel=Channel.EMAIL,
    )
    suppressed = _client(paris, "Suppressed", advised_by=alice)
    services.suppression_add_client(client=suppressed, reason="bounced")
    # Not in the segment: another language, another boutique.
    _client(paris, "English", language="en", advised_by=alice)
    _client(munich, "Munichois")
    segment = segment_services.segment_save(
        acting_user=alice,
        segment=Segment(name="French speakers", language="fr", shared=True),
        boutiques=[paris],
    )
    return House(
        paris=paris,
        munich=munich,
        alice=alice,
        manager=manager,
        segment=segment,
        kept=kept,
        restricted=restricted,
        objecting=objecting,
        suppressed=suppressed,
    )

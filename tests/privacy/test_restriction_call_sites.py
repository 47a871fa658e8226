"""The former four definitions of "restriction in force" now read one
(Restriction.objects.in_force): outreach, sharing, and the clienteling
hooks privacy.requests registers (edit gate, bulk processing filter) agree
at every edge."""

from datetime import timedelta

import pytest
from django.utils import timezone

from clienteling.models import Client, ContactPreference
from consents import registry, services
from consents.models import Restriction
from consents.selectors import Reason, outreach_eligibility
from privacy import requests as dsr
from privacy.sharing.eligibility import PARTNER_SHARING, current_consenting
from tests.clienteling.factories import ClientFactory
from tests.consents.factories import grant

pytestmark = pytest.mark.django_db

AT = timezone.now().replace(microsecond=0) - timedelta(days=3)
HOUR = timedelta(hours=1)
EDGES = {
    # name: (started, lifted, in force at AT)
    "starts exactly at": (AT, None, True),
    "starts just after": (AT + HOUR, None, False),
    "lifted exactly at": (AT - HOUR, AT, False),
    "lifted in the future": (AT - HOUR, AT + HOUR, True),
    "never lifted": (AT - HOUR, None, True),
    "no restriction": (None, None, False),
}


def _consenting_client():
    client = ClientFactory()
    client.emails.create(address=f"c{client.pk}@example.com", is_primary=True)
    before = AT - timedelta(days=1)
    grant(client, registry.NEWSLETTERS, now=before)
    grant(client, registry.PARTNER_SHARING, now=before)
    return client


@pytest.mark.parametrize("edge", EDGES)
def test_every_call_site_agrees_with_in_force(edge):
    started, lifted, expected = EDGES[edge]
    client = _consenting_client()
    if started is not None:
        row = services.restriction_start(
            acting_user=None, client=client, reason="accuracy contested", now=started
        )
        if lifted is not None:
            services.restriction_lift(acting_user=None, restriction=row, now=lifted)

    in_force = Restriction.objects.in_force(AT).filter(client=client).exists()
    outreach = outreach_eligibility(
        purpose_code=registry.NEWSLETTERS,
        channel=ContactPreference.Channel.EMAIL,
        client_ids=[client.pk],
        now=AT,
    )
    shared = current_consenting(
        purpose_code=PARTNER_SHARING, client_ids=[client.pk], now=AT
    )
    gated = dsr.client_is_restricted(client.pk, at=AT)
    filtered = not dsr.unrestricted(Client.objects.filter(pk=client.pk), at=AT)

    assert in_force is expected
    assert (outreach.excluded.get(client.pk) == Reason.RESTRICTED) is expected
    assert (client.pk not in outreach.eligible) is expected
    assert (client.pk not in shared) is expected
    assert gated is expected
    assert filtered is expected

from datetime import timedelta

import pytest
from django.utils import timezone

from clienteling import services as clienteling_services
from clienteling.models import Client, ClientEmail, ContactPreference
from consents import registry, services
from consents.models import Channel, SuppressionEntry
from consents.selectors import Reason, outreach_eligibility
from privacy.erasure import engine
from tests.clienteling.factories import BoutiqueFactory
from tests.consents.factories import ClientFactory, grant

pytestmark = pytest.mark.django_db

NOW = timezone.now()
EMAIL = ContactPreference.Channel.EMAIL


def _client(email=True, **kwargs):
    client = ClientFactory(**kwargs)
    if email:
        client.emails.create(
            address=f"{client.first_name.lower()}@example.com", is_primary=True
        )
    return client


def _consented():
    client = _client()
    grant(client, registry.NEWSLETTERS)
    return client


def _withdrawn():
    client = _consented()
    services.consent_withdraw(
        acting_user=None,
        client=client,
        purpose_code=registry.NEWSLETTERS,
        channel=Channel.EMAIL,
    )
    return client


def _objected():
    client = _client()
    services.consent_record(
        acting_user=None,
        client=client,
        purpose_code=registry.NEWSLETTERS,
        decision="object",
        channel=Channel.EMAIL,
    )
    return client


def _soft_opt_in():
    client = _client()
    services.soft_opt_in_record(
        acting_user=None,
        client=client,
        sale_at=NOW - timedelta(days=30),
        sale_reference="ORD-1",
        opt_out_offered=True,
    )
    return client


def _soft_opt_in_then_objected():
    client = _soft_opt_in()
    services.consent_record(
        acting_user=None,
        client=client,
        purpose_code=registry.NEWSLETTERS,
        decision="object",
        channel=Channel.EMAIL,
    )
    return client


def _prefers_post():
    client = _consented()
    client.contact_preferences.create(channel=ContactPreference.Channel.POST)
    return client


def _no_email():
    client = _client(email=False)
    grant(client, registry.NEWSLETTERS)
    return client


def _restricted():
    client = _consented()
    services.restriction_start(
        acting_user=None, client=client, reason="Accuracy contested", now=NOW
    )
    return client


def _suppressed_elsewhere():
    # the address was suppressed through another record
    client = _consented()
    other = _client()
    other.emails.all().delete()
    other.emails.create(address=client.emails.get().address.upper(), is_primary=True)
    services.suppression_add_client(client=other, reason="objection")
    return client


@pytest.mark.parametrize(
    ("make", "purpose", "channel", "expected"),
    [
        (_consented, registry.NEWSLETTERS, EMAIL, None),
        (_client, registry.NEWSLETTERS, EMAIL, Reason.NO_CONSENT),
        (_withdrawn, registry.NEWSLETTERS, EMAIL, Reason.WITHDRAWN),
        (_objected, registry.NEWSLETTERS, EMAIL, Reason.SUPPRESSED),
        (_soft_opt_in, registry.NEWSLETTERS, EMAIL, None),
        (_soft_opt_in, registry.NEWSLETTERS, "sms", Reason.NO_CONSENT),
        (_soft_opt_in, registry.PARTNER_SHARING, EMAIL, Reason.NO_CONSENT),
        (_soft_opt_in_then_objected, registry.NEWSLETTERS, EMAIL, Reason.SUPPRESSED),
        (_prefers_post, registry.NEWSLETTERS, EMAIL, Reason.CHANNEL_NOT_PREFERRED),
        (_no_email, registry.NEWSLETTERS, EMAIL, Reason.NO_ADDRESS),
        (_restricted, registry.NEWSLETTERS, EMAIL, Reason.RESTRICTED),
        (_suppressed_elsewhere, registry.NEWSLETTERS, EMAIL, Reason.SUPPRESSED),
    ],
)
def test_outreach_eligibility(make, purpose, channel, expected):
    client = make()

    result = outreach_eligibility(
        purpose_code=purpose, channel=channel, client_ids=[client.pk], now=NOW
    )

    if expected is None:
        assert result.eligible == [client.pk]
        assert result.excluded == {}
    else:
        assert result.eligible == []
        assert result.excluded == {client.pk: expected}


def test_objection_to_a_purpose_that_is_not_marketing_is_reported_as_such():
    client = _client()
    services.consent_record(
        acting_user=None,
        client=client,
        purpose_code="statistics_segmentation",
        decision="object",
        channel=Channel.EMAIL,
    )

    result = outreach_eligibility(
        purpose_code="statistics_segmentation",
        channel=EMAIL,
        client_ids=[client.pk],
    )

    assert result.excluded == {client.pk: Reason.OBJECTED}
    assert not SuppressionEntry.objects.exists()


def test_soft_opt_in_eligibility_is_flagged_for_the_opt_out_link():
    client = _soft_opt_in()

    result = outreach_eligibility(
        purpose_code=registry.NEWSLETTERS, channel=EMAIL, client_ids=[client.pk]
    )

    assert result.soft_opt_in == {client.pk}


def test_soft_opt_in_without_opt_out_offered_is_refused():
    client = _client()

    with pytest.raises(Exception, match="opt-out"):
        services.soft_opt_in_record(
            acting_user=None,
            client=client,
            sale_at=NOW,
            sale_reference="ORD-2",
            opt_out_offered=False,
        )


def test_eligibility_runs_a_constant_number_of_queries():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    few = [_consented().pk, _client().pk]
    many = few + [_consented().pk for _ in range(4)] + [_client().pk for _ in range(4)]
    counts = []
    for ids in (few, many):
        with CaptureQueriesContext(connection) as queries:
            result = outreach_eligibility(
                purpose_code=registry.NEWSLETTERS, channel=EMAIL, client_ids=ids
            )
        counts.append(len(queries))

    # 10, and one for minors without a parent's consent (consents.parental)
    assert counts[0] == counts[1] == 11
    assert len(result.eligible) == 5


def test_suppression_survives_an_erasure_and_a_re_import():
    # given a client who objected to direct marketing
    client = _client(first_name="Zoe")
    client.phones.create(number="+33199001299", is_primary=True)
    services.consent_record(
        acting_user=None,
        client=client,
        purpose_code=registry.NEWSLETTERS,
        decision="object",
        channel=Channel.EMAIL,
    )
    address = client.emails.get().address

    # when the client is erased (the erasure steps), then re-imported with
    # a consent
    engine.erase_clients(client_ids=[client.pk])
    assert not ClientEmail.objects.filter(client_id=client.pk).exists()
    assert SuppressionEntry.objects.count() == 2
    again = clienteling_services.client_create(
        acting_user=None,
        home_boutique=BoutiqueFactory(),
        first_name="Zoe",
        last_name="Exemple",
        email=address.upper(),
        source=Client.Source.IMPORT,
    )
    grant(again, registry.NEWSLETTERS)

    # then the new record is still not marketed to
    result = outreach_eligibility(
        purpose_code=registry.NEWSLETTERS, channel=EMAIL, client_ids=[again.pk]
    )
    assert result.excluded == {again.pk: Reason.SUPPRESSED}

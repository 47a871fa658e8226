from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from consents import registry, services
from consents.ledger import erasure_mode
from consents.models import (
    Channel,
    ConsentDecision,
    LedgerIsAppendOnly,
    Purpose,
    SuppressionEntry,
)
from consents.selectors import current_decisions, has_current_grant
from tests.consents.factories import ClientFactory, grant

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(microsecond=0)


def test_current_consent_follows_grant_withdraw_grant():
    # given
    client = ClientFactory()
    grant(client, registry.NEWSLETTERS, now=NOW - timedelta(days=3))
    assert has_current_grant(client_id=client.pk, purpose_code=registry.NEWSLETTERS)

    # when withdrawn
    services.consent_withdraw(
        acting_user=None,
        client=client,
        purpose_code=registry.NEWSLETTERS,
        channel=Channel.EMAIL,
        now=NOW - timedelta(days=2),
    )
    # then
    assert not has_current_grant(client_id=client.pk, purpose_code=registry.NEWSLETTERS)

    # when granted again
    grant(client, registry.NEWSLETTERS, now=NOW - timedelta(days=1))
    # then
    assert has_current_grant(client_id=client.pk, purpose_code=registry.NEWSLETTERS)
    assert ConsentDecision.objects.filter(client=client).count() == 3


def test_current_decisions_answers_for_many_clients_in_one_query(
    django_assert_num_queries,
):
    clients = ClientFactory.create_batch(5)
    for i, client in enumerate(clients):
        grant(client, registry.NEWSLETTERS, now=NOW - timedelta(days=2))
        if i % 2:
            services.consent_withdraw(
                acting_user=None,
                client=client,
                purpose_code=registry.NEWSLETTERS,
                channel=Channel.PHONE,
                now=NOW - timedelta(days=1),
            )

    with django_assert_num_queries(1):
        latest = current_decisions(client_ids=[c.pk for c in clients])

    states = sorted(d.decision for d in latest.values())
    assert states == ["grant", "grant", "grant", "withdraw", "withdraw"]


def test_withdrawal_of_a_purpose_never_granted_is_refused_and_writes_nothing():
    client = ClientFactory()

    with pytest.raises(ValidationError, match="nothing to withdraw"):
        services.consent_withdraw(
            acting_user=None,
            client=client,
            purpose_code=registry.NEWSLETTERS,
            channel=Channel.PHONE,
        )

    assert not ConsentDecision.objects.exists()


def test_consent_for_an_unknown_purpose_is_refused_and_writes_nothing():
    client = ClientFactory()

    with pytest.raises(ValidationError, match="Unknown purpose 'horoscopes'"):
        services.consent_record(
            acting_user=None,
            client=client,
            purpose_code="horoscopes",
            decision="grant",
            channel=Channel.PHONE,
        )

    assert not ConsentDecision.objects.exists()


def test_consent_to_a_contract_purpose_is_refused():
    client = ClientFactory()

    with pytest.raises(ValidationError, match="not consent"):
        grant(client, "boutique_orders")

    assert not ConsentDecision.objects.exists()


def test_web_decision_without_ip_is_refused():
    client = ClientFactory()

    with pytest.raises(ValidationError, match="IP address"):
        grant(client, registry.NEWSLETTERS, channel=Channel.WEBSITE)

    assert not ConsentDecision.objects.exists()


def test_objection_to_direct_marketing_suppresses_email_and_phone():
    client = ClientFactory()
    client.emails.create(address="Anna@Example.com", is_primary=True)
    client.phones.create(number="+33199001234", is_primary=True)

    services.consent_record(
        acting_user=None,
        client=client,
        purpose_code=registry.NEWSLETTERS,
        decision="object",
        channel=Channel.EMAIL,
    )

    assert SuppressionEntry.objects.count() == 2
    assert "anna" not in "".join(
        SuppressionEntry.objects.values_list("digest", flat=True)
    )


def test_ledger_rows_cannot_be_changed_or_deleted_through_the_orm():
    decision = grant(ClientFactory(), registry.NEWSLETTERS)

    decision.channel = Channel.PHONE
    with pytest.raises(LedgerIsAppendOnly):
        decision.save()
    with pytest.raises(LedgerIsAppendOnly):
        decision.delete()
    with pytest.raises(LedgerIsAppendOnly):
        ConsentDecision.objects.filter(pk=decision.pk).update(channel="phone")
    with pytest.raises(LedgerIsAppendOnly):
        ConsentDecision.objects.filter(pk=decision.pk).delete()

    decision.refresh_from_db()
    assert decision.channel == Channel.IN_PERSON


def _raw(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.postgres
def test_postgres_trigger_refuses_update_and_delete_outside_erasure():
    decision = grant(ClientFactory(), registry.NEWSLETTERS)

    for sql in (
        "UPDATE consents_consentdecision SET channel = 'phone' WHERE id = %s",
        "DELETE FROM consents_consentdecision WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
        ):
            _raw(sql, [decision.pk])

    # The ORM below the append-only guard (a plain QuerySet) is refused too.
    plain = QuerySet(ConsentDecision).filter(pk=decision.pk)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        plain.update(channel="phone")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        plain._raw_delete(connection.alias)

    decision.refresh_from_db()
    assert decision.channel == Channel.IN_PERSON


@pytest.mark.postgres
def test_postgres_trigger_lets_the_erasure_job_through_and_only_it():
    decision = grant(ClientFactory(), registry.NEWSLETTERS)

    other = grant(ClientFactory(), registry.NEWSLETTERS)

    with transaction.atomic(), erasure_mode(client_ids=[decision.client_id]):
        _raw(
            "UPDATE consents_consentdecision SET user_agent = 'x' WHERE id = %s",
            [decision.pk],
        )
        # Only the clients the block was opened for: not another's row.
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            _raw("DELETE FROM consents_consentdecision WHERE id = %s", [other.pk])
    # The opening is local to the erasure block, not the session.
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _raw("DELETE FROM consents_consentdecision WHERE id = %s", [decision.pk])

    with transaction.atomic(), erasure_mode(client_ids=[decision.client_id]):
        _raw("DELETE FROM consents_consentdecision WHERE id = %s", [decision.pk])

    assert not ConsentDecision.objects.filter(pk=decision.pk).exists()
    assert ConsentDecision.objects.filter(pk=other.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_erasure_mode_needs_a_transaction():
    with pytest.raises(RuntimeError, match="atomic"), erasure_mode(client_ids=[1]):
        pass


def test_superuser_cannot_change_or_delete_a_ledger_row_in_the_admin(admin_client):
    decision = grant(ClientFactory(), registry.NEWSLETTERS)
    change = reverse("admin:consents_consentdecision_change", args=[decision.pk])
    delete = reverse("admin:consents_consentdecision_delete", args=[decision.pk])

    page = admin_client.get(change)
    posted = admin_client.post(change, {"channel": "phone"})
    deleted = admin_client.post(delete, {"post": "yes"})
    listing = admin_client.get(reverse("admin:consents_consentdecision_changelist"))

    assert page.status_code == 200
    assert 'name="channel"' not in page.text
    assert posted.status_code == 403
    assert deleted.status_code == 403
    assert 'name="action"' not in listing.text
    decision.refresh_from_db()
    assert decision.channel == Channel.IN_PERSON


def test_merging_carries_consents_restrictions_and_keeps_health_data_consistent():
    from datetime import timedelta

    from clienteling import services as clienteling_services
    from clienteling.models import MetalAllergy
    from consents.models import Restriction

    # given a duplicate record with allergy consent, an allergy, a
    # restriction; the survivor withdrew allergy consent more recently
    survivor, duplicate = ClientFactory(), ClientFactory()
    earlier = timezone.now() - timedelta(days=10)
    grant(duplicate, registry.ALLERGY_AWARE_SERVICE, now=earlier)
    grant(duplicate, registry.NEWSLETTERS, now=earlier)
    clienteling_services.allergy_record(
        acting_user=None, client=duplicate, metal="nickel"
    )
    services.restriction_start(acting_user=None, client=duplicate, reason="Art. 18")
    grant(survivor, registry.ALLERGY_AWARE_SERVICE, now=earlier - timedelta(days=5))
    services.consent_withdraw(
        acting_user=None,
        client=survivor,
        purpose_code=registry.ALLERGY_AWARE_SERVICE,
        channel=Channel.PHONE,
    )

    # when
    result = clienteling_services.client_merge(
        acting_user=None, survivor=survivor, duplicate=duplicate
    )

    # then the history came across, the restriction moved, and the moved
    # allergy is gone because the survivor's latest allergy decision is a
    # withdrawal
    assert result.moved["consents.ConsentDecision"] == 2
    assert Restriction.objects.get().client == survivor
    purposes = {p.code: p.pk for p in Purpose.objects.all()}
    latest = current_decisions(client_ids=[survivor.pk])
    assert latest[(survivor.pk, purposes[registry.NEWSLETTERS])].decision == "grant"
    assert latest[(survivor.pk, purposes[registry.ALLERGY_AWARE_SERVICE])].decision == (
        "withdraw"
    )
    assert not MetalAllergy.objects.exists()
    assert not MetalAllergy.history.exists()
    # the evidence stays on the merged record too
    assert ConsentDecision.objects.filter(client=duplicate).count() == 2

"""The set-based engine's own pieces, on SQLite and on PostgreSQL."""

import pytest
from django.db.models import F

from clienteling.models import Client, ClientEmail, ClientPhone
from consents import suppression
from consents.models import SuppressionEntry
from privacy.erasure import engine, plan, residue
from tests.clienteling.factories import ClientFactory, EmailFactory, PhoneFactory

pytestmark = pytest.mark.django_db


def test_in_ids_selects_exactly_the_listed_rows():
    clients = [ClientFactory() for _ in range(4)]
    chosen = [clients[0].pk, clients[2].pk]

    found = Client.objects.filter(plan.InIds(F("pk"), chosen))

    assert sorted(found.values_list("pk", flat=True)) == sorted(chosen)
    assert not Client.objects.filter(plan.InIds(F("pk"), [])).exists()


def test_in_ids_follows_a_relation_path():
    kept, erased = ClientFactory(), ClientFactory()
    EmailFactory(client=kept, address="kept@example.com")
    EmailFactory(client=erased, address="erased@example.com")

    rows = ClientEmail.objects.filter(plan.InIds(F("client"), [erased.pk]))

    assert list(rows.values_list("address", flat=True)) == ["erased@example.com"]


def test_suppression_counts_new_and_already_listed_entries():
    listed, fresh = ClientFactory(), ClientFactory()
    EmailFactory(client=listed, address="Listed@Example.com")
    PhoneFactory(client=listed, number="+33199001234")
    EmailFactory(client=fresh, address="fresh@example.com")
    SuppressionEntry.objects.create(
        kind="email",
        digest=suppression.email_digest("listed@example.com"),
        added_at="2026-01-01T00:00:00Z",
        reason="objection",
    )

    counts = residue.step_suppression(plan.Context(client_ids=[listed.pk, fresh.pk]))

    assert counts == {"added": 2, "already_listed": 1}
    digests = set(SuppressionEntry.objects.values_list("kind", "digest"))
    assert digests == {
        ("email", suppression.email_digest("listed@example.com")),
        ("email", suppression.email_digest("fresh@example.com")),
        ("phone", suppression.phone_digest("+33199001234")),
    }
    # The same again: nothing new, everything already listed.
    again = residue.step_suppression(plan.Context(client_ids=[listed.pk, fresh.pk]))
    assert again == {"added": 0, "already_listed": 3}
    assert SuppressionEntry.objects.count() == 3


def test_suppression_of_clients_without_contact_details_adds_nothing():
    client = ClientFactory()

    assert residue.step_suppression(plan.Context(client_ids=[client.pk])) == {
        "added": 0
    }


def test_erasing_chunks_leaves_clients_outside_the_chunk_untouched(monkeypatch):
    monkeypatch.setattr(plan, "CHUNK", 2)
    clients = [ClientFactory() for _ in range(5)]
    for c in clients:
        PhoneFactory(client=c)
    targets = [c.pk for c in clients[:3]]

    engine.erase_clients(client_ids=targets)

    erased = Client.objects.filter(client_number__startswith="ERASED-")
    assert sorted(erased.values_list("pk", flat=True)) == targets
    assert sorted(ClientPhone.objects.values_list("client_id", flat=True)) == [
        clients[3].pk,
        clients[4].pk,
    ]

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


def test_presence_names_the_tables_holding_rows_about_the_chunk():
    with_email, with_phone, bare = ClientFactory(), ClientFactory(), ClientFactory()
    EmailFactory(client=with_email, address="present@example.com")
    PhoneFactory(client=with_phone, number="+33199001234")
    plans = plan.erasure_plan()

    found = plan.presence(plans, [with_email.pk, bare.pk])

    # The client row is always counted; other models only with a row.
    assert {"clienteling.Client", "clienteling.ClientEmail"} <= found
    assert "clienteling.ClientPhone" not in found
    assert "orders.Order" not in found
    assert plan.presence(plans, []) == set()
    assert "clienteling.ClientPhone" in plan.presence(plans, [with_phone.pk])


def _erase_counting(ids) -> tuple[dict, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        counts = engine.erase_clients(client_ids=ids)
    return counts, len(queries)


def test_erase_clients_skips_empty_models_and_still_erases_the_rest(monkeypatch):
    def with_contacts():
        clients = [ClientFactory() for _ in range(3)]
        for c in clients:
            EmailFactory(client=c)
            PhoneFactory(client=c)
        return [c.pk for c in clients]

    ids = with_contacts()
    counts, skipping = _erase_counting(ids)
    # The same erasure told that every model holds rows (what an erasure
    # job's step does): two statements for each model with history.
    monkeypatch.setattr(
        engine,
        "presence",
        lambda plans, ids: set(plan.keys_in_order(plans)) if ids else set(),
    )
    again, every_model = _erase_counting(with_contacts())

    # Each model with nothing for the chunk ran no statement (an empty
    # model costs one or two statements each without presence()).
    assert every_model - skipping >= len(plan.erasure_plan()) // 2
    assert counts == again
    assert counts["clienteling.ClientEmail"]["deleted"] == 3
    assert counts["clienteling.ClientPhone"]["deleted"] == 3
    assert counts["clienteling.Appointment"] == {"nothing_to_do": True}
    assert not ClientEmail.objects.filter(client_id__in=ids).exists()
    assert not ClientPhone.objects.filter(client_id__in=ids).exists()
    erased = Client.objects.filter(pk__in=ids, client_number__startswith="ERASED-")
    assert erased.count() == 3


def test_suppression_digest_is_the_hmac_of_the_normalised_value(settings):
    import hashlib
    import hmac

    settings.SUPPRESSION_HASH_KEY = "k" * 40
    expected = hmac.new(b"k" * 40, b"anna@example.com", hashlib.sha256).hexdigest()

    assert suppression.email_digest(" Anna@Example.com ") == expected
    assert suppression.digests([("email", "anna@example.com"), ("phone", "")]) == {
        ("email", expected)
    }


def test_suppression_lists_contact_rows_written_without_a_digest():
    # A row written around the ORM (raw SQL, COPY) has no stored digest:
    # the step hashes it itself, next to the rows that have one.
    stored, raw = ClientFactory(), ClientFactory()
    EmailFactory(client=stored, address="stored@example.com")
    EmailFactory(client=raw, address="Raw@Example.com")
    PhoneFactory(client=raw, number="+33199004321")
    ClientEmail.objects.filter(client=raw).update(digest=None)
    ClientPhone.objects.filter(client=raw).update(digest=None)

    counts = residue.step_suppression(plan.Context(client_ids=[stored.pk, raw.pk]))

    assert counts == {"added": 3, "already_listed": 0}
    assert set(SuppressionEntry.objects.values_list("kind", "digest")) == {
        ("email", suppression.email_digest("stored@example.com")),
        ("email", suppression.email_digest("raw@example.com")),
        ("phone", suppression.phone_digest("+33199004321")),
    }


def test_suppression_relists_a_lifted_entry_once_for_two_clients():
    # Two clients sharing an address: one entry, counted once; an entry a
    # consent had lifted is suppressed again.
    first, second = ClientFactory(), ClientFactory()
    EmailFactory(client=first, address="shared@example.com")
    EmailFactory(client=second, address="SHARED@example.com")
    SuppressionEntry.objects.create(
        kind="email",
        digest=suppression.email_digest("shared@example.com"),
        added_at="2026-01-01T00:00:00Z",
        reason="objection",
        lifted_at="2026-02-01T00:00:00Z",
    )

    counts = residue.step_suppression(plan.Context(client_ids=[first.pk, second.pk]))

    assert counts == {"added": 1, "already_listed": 0}
    entry = SuppressionEntry.objects.get()
    assert entry.lifted_at is None
    assert entry.reason == "erasure"


@pytest.mark.postgres
def test_index_scans_turns_seq_scans_off_inside_only():
    from django.db import connection, transaction

    from core.id_arrays import index_scans

    def setting():
        with connection.cursor() as cursor:
            cursor.execute("SHOW enable_seqscan")
            return cursor.fetchone()[0]

    with transaction.atomic():
        assert setting() == "on"
        with index_scans():
            assert setting() == "off"
        assert setting() == "on"

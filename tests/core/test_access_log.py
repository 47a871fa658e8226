import pytest
from django.contrib.messages import get_messages
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.urls import reverse

from clienteling.models import MetalAllergy
from consents import services as consent_services
from core.evidence import evidence_gate
from core.models import AccessLogEntry
from tests.clienteling.factories import (
    BoutiqueFactory,
    ClientFactory,
    adviser,
    compliance,
    customer_service,
)

pytestmark = pytest.mark.django_db


def _values_absent(entry: AccessLogEntry, *values: str) -> None:
    row = " ".join(
        str(v)
        for v in AccessLogEntry.objects.filter(pk=entry.pk).values().get().values()
    )
    for value in values:
        assert value not in row


def test_opening_a_client_record_is_logged_without_its_values(client):
    boutique = BoutiqueFactory()
    user = adviser(boutique)
    target = ClientFactory(home_boutique=boutique, last_name="MARKER-NAME")
    MetalAllergy.objects.create(client=target, metal="nickel", notes="MARKER-NOTE")
    client.force_login(user)

    client.get(reverse("admin:clienteling_client_change", args=[target.pk]))

    entries = AccessLogEntry.objects.filter(user=user).order_by("id")
    assert [(e.action, e.object_type, e.object_id) for e in entries] == [
        ("view", "clienteling.client", str(target.pk)),
        ("view_health", "clienteling.metalallergy", str(target.pk)),
    ]
    for entry in entries:
        _values_absent(entry, "MARKER-NAME", "MARKER-NOTE")


def test_customer_service_view_logs_no_health_access(client):
    target = ClientFactory()
    MetalAllergy.objects.create(client=target, metal="nickel")
    user = customer_service()
    client.force_login(user)

    client.get(reverse("admin:clienteling_client_change", args=[target.pk]))

    assert list(AccessLogEntry.objects.values_list("action", flat=True)) == ["view"]


def test_out_of_scope_attempt_is_a_404_and_logged(client):
    paris, london = BoutiqueFactory(), BoutiqueFactory()
    theirs = ClientFactory(home_boutique=london)
    user = adviser(paris)
    client.force_login(user)

    response = client.get(reverse("admin:clienteling_client_change", args=[theirs.pk]))

    assert response.status_code == 404
    entry = AccessLogEntry.objects.get()
    assert (entry.user, entry.action, entry.object_id) == (
        user,
        "denied",
        str(theirs.pk),
    )


def test_history_view_is_logged(client):
    boutique = BoutiqueFactory()
    target = ClientFactory(home_boutique=boutique)
    client.force_login(adviser(boutique))

    client.get(reverse("admin:clienteling_client_history", args=[target.pk]))

    assert AccessLogEntry.objects.filter(
        action="history", object_id=str(target.pk)
    ).exists()


def test_export_is_logged_with_its_count(client):
    ClientFactory.create_batch(3)
    user = compliance()
    client.force_login(user)

    response = client.post(
        reverse("admin:clienteling_client_export"),
        {
            "format": "0",
            "resource": "0",
            **{f"clientresource_{f}": "on" for f in ("client_number", "last_name")},
        },
    )

    assert response.status_code == 200
    entry = AccessLogEntry.objects.get(action="export")
    assert (entry.user, entry.count, entry.object_type) == (
        user,
        3,
        "clienteling.client",
    )


def test_export_leaves_out_restricted_clients_and_says_so(client):
    free, restricted, lifted = ClientFactory.create_batch(3)
    consent_services.restriction_start(
        acting_user=None, client=restricted, reason="Art. 18: accuracy contested"
    )
    ended = consent_services.restriction_start(
        acting_user=None, client=lifted, reason="Art. 18"
    )
    consent_services.restriction_lift(acting_user=None, restriction=ended)
    client.force_login(compliance())

    response = client.post(
        reverse("admin:clienteling_client_export"),
        {
            "format": "0",
            "resource": "0",
            **{f"clientresource_{f}": "on" for f in ("client_number", "last_name")},
        },
    )

    assert response.status_code == 200
    exported = response.content.decode()
    assert free.client_number in exported
    assert lifted.client_number in exported
    assert restricted.client_number not in exported
    assert AccessLogEntry.objects.get(action="export").count == 2
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert messages == [
        "1 client under a restriction of processing was left out of the export."
    ]


def test_access_log_is_read_only_even_for_a_superuser(admin_client):
    entry = AccessLogEntry.objects.create(action="view", object_type="x", object_id="1")

    change = admin_client.get(
        reverse("admin:core_accesslogentry_change", args=[entry.pk])
    )
    delete = admin_client.get(
        reverse("admin:core_accesslogentry_delete", args=[entry.pk])
    )
    listing = admin_client.get(reverse("admin:core_accesslogentry_changelist"))

    assert change.status_code == 200
    assert "Save" not in change.text
    assert delete.status_code == 403
    assert listing.status_code == 200


def test_only_compliance_reads_the_access_log(client):
    AccessLogEntry.objects.create(
        action="view", object_type="x.y", object_id="4242", path="/marker-path/"
    )
    url = reverse("admin:core_accesslogentry_changelist")
    client.force_login(adviser(BoutiqueFactory()))
    refused = client.get(url)
    client.force_login(compliance())
    read = client.get(url)

    assert refused.status_code == 403
    assert "/marker-path/" not in refused.text
    assert read.status_code == 200
    assert "/marker-path/" in read.text


@pytest.mark.postgres
def test_database_refuses_to_change_or_delete_log_rows():
    entry = AccessLogEntry.objects.create(action="view", object_type="x", object_id="1")

    for statement in (
        "UPDATE privacy_accesslogentry SET object_id = '2'",
        "DELETE FROM privacy_accesslogentry",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            connection.cursor().execute(statement)

    assert AccessLogEntry.objects.get(pk=entry.pk).object_id == "1"


@pytest.mark.postgres
def test_retention_job_may_delete_the_log_rows_it_opened_the_gate_for():
    old = AccessLogEntry.objects.create(action="view", object_type="x", object_id="1")
    kept = AccessLogEntry.objects.create(action="view", object_type="x", object_id="2")

    with transaction.atomic(), evidence_gate("access_log_retention", [old.pk]):
        connection.cursor().execute(
            "DELETE FROM privacy_accesslogentry WHERE id = %s", [old.pk]
        )
        # A row the gate was not opened for stays refused in the same block.
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            connection.cursor().execute(
                "DELETE FROM privacy_accesslogentry WHERE id = %s", [kept.pk]
            )

    assert list(AccessLogEntry.objects.values_list("object_id", flat=True)) == ["2"]


@pytest.mark.postgres
def test_the_former_retention_setting_no_longer_opens_the_log():
    AccessLogEntry.objects.create(action="view", object_type="x", object_id="1")

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL ecrin.retention = 'on'")
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            cursor.execute("DELETE FROM privacy_accesslogentry")

    assert AccessLogEntry.objects.count() == 1

"""purchases_for reads orders: sales only, minimum fields, the export end to end."""

import csv
from datetime import timedelta

import pytest
from django.utils import timezone

from orders.models import Order
from orders.selectors import purchases_for
from privacy import pseudonyms
from privacy.sharing import exports
from privacy.sharing.files import export_root
from tests.orders.factories import CollectionFactory, ProductFactory, order
from tests.privacy.sharing.helpers import consent, person

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _group_key(settings):
    settings.SHARING_KEYS = {"group": [("2026a", "a" * 40)]}
    settings.SHARING_DEMO_KEYS = False


def test_only_invoiced_or_delivered_lines_since_the_date_are_purchases():
    client = person(1)
    ring = ProductFactory(
        collection=CollectionFactory(name="Josephine"),
        metals=["platinum", "white_gold"],
        price="4200.00",
    )
    sold = order(client=client, products=[ring], status=Order.Status.INVOICED)
    order(client=client, products=[ProductFactory()])  # a draft: not a sale

    rows = list(purchases_for([client.pk], timezone.localdate() - timedelta(days=1)))

    assert len(rows) == 1
    row = rows[0]
    assert (row.client_id, row.category, row.collection) == (
        client.pk,
        "ring",
        "Josephine",
    )
    assert row.metals == ("platinum", "white_gold")
    assert row.boutique_country == str(sold.boutique.country)
    assert list(purchases_for([client.pk], timezone.localdate() + timedelta(1))) == []


def test_the_group_export_reads_orders_and_leaks_nothing():
    client, other = person(1), person(2)
    consent(client, at=timezone.now() - timedelta(days=2))
    for who in (client, other):
        order(
            client=who,
            products=[ProductFactory()],
            status=Order.Status.INVOICED,
        )

    batch = exports.group_export_run(acting_user=None)

    path = export_root() / batch.folder / "purchases.csv"
    with path.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [r["pseudonym"] for r in rows] == [
        pseudonyms.current_key("group").pseudonym(client.pk)
    ]
    data = b"".join(
        p.read_bytes().lower() for p in (export_root() / batch.folder).iterdir()
    )
    for value in (
        client.first_name,
        client.last_name,
        client.client_number,
        client.emails.get().address,
        str(client.phones.get().number),
    ):
        assert value.lower().encode() not in data

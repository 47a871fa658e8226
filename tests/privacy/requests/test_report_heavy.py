"""A heavy client's report (issue 18, decision 0083): queries independent
of history length, orders bounded by lines in the person's view, the
schema still refusing a malformed row."""

from datetime import UTC, datetime, timedelta

import jsonschema
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clienteling.models import ContactEvent
from core import data_map
from privacy import report_render, reports
from tests.clienteling.factories import (
    BoutiqueFactory,
    ClientFactory,
    EmailFactory,
    PhoneFactory,
    UserFactory,
)
from tests.orders.factories import ProductFactory, order

pytestmark = pytest.mark.django_db
START = datetime(2025, 1, 1, 9, tzinfo=UTC)


def _client_with_contacts(count: int):
    boutique = BoutiqueFactory()
    client = ClientFactory(home_boutique=boutique)
    staff = [UserFactory(), UserFactory()]
    ContactEvent.objects.bulk_create(
        ContactEvent(
            client=client,
            channel="phone",
            direction="inbound",
            subject=f"Call {n}",
            summary=f"Asked about ring {n}.",
            staff=staff[n % 2],
            boutique=boutique,
            occurred_at=START + timedelta(hours=n),
        )
        for n in range(count)
    )
    return client


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        document = reports.build_document(client)
        reports.flag_other_clients(document, client)
    return len(queries.captured_queries)


def test_report_queries_do_not_grow_with_history():
    light, heavy = _client_with_contacts(3), _client_with_contacts(300)
    _queries(light)  # caches warm (the data map, purposes)

    assert _queries(heavy) == _queries(light)
    # one per client table, the access log and the staff-note check
    # (decisions 0083, 0099): the bound is tables + 3
    assert _queries(heavy) <= len(data_map.client_models()) + 3


def test_a_staff_note_naming_another_client_is_flagged_by_each_kind():
    """The UNION ALL of decision 0099 over emails, phones (whose model has
    a field named kind), client numbers and names: one flag per kind."""
    client = _client_with_contacts(1)
    other = ClientFactory(first_name="Odile", last_name="Autre")
    EmailFactory(client=other, address="odile.autre@example.com")
    PhoneFactory(client=other, number="+33612345678")
    ContactEvent.objects.filter(client=client).update(
        summary=(
            "Came with Odile Autre (odile.autre@example.com, +33 6 12 34 56 78), "
            f"client {other.client_number}."
        )
    )
    document = reports.build_document(client)

    flags = reports.flag_other_clients(document, client)

    assert sorted(f["matched"] for f in flags) == [
        "client number",
        "email",
        "name",
        "phone",
    ]
    assert {f["other_client_id"] for f in flags} == {other.pk}


def test_contact_history_comes_from_the_rows_collected_in_order():
    client = _client_with_contacts(30)

    history = reports.build_document(client)["contact_history"]

    assert [h["subject"] for h in history] == [f"Call {n}" for n in range(30)]
    assert history[0]["channel"] == "Phone"
    assert history[0]["staff"]


def test_the_schema_still_refuses_a_malformed_row():
    client = _client_with_contacts(2)
    document = reports.build_document(client)
    document["categories"][0]["records"][0]["model"] = "not a label"

    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(reports._shape_sample(document), reports.schema())


def client_orders(client):
    from orders.models import Order

    return list(Order.objects.filter(client=client).order_by("-pk"))


def test_orders_in_the_person_s_view_are_bounded_by_lines():
    client = ClientFactory()
    products = [ProductFactory() for _ in range(report_render.PDF_ROWS)]
    for _ in range(3):
        order(client=client, products=products)

    html = reports.render_html(reports.build_document(client))

    # 3 orders of 25 lines: the latest one fills the 25 lines shown
    numbers = [o.number for o in client_orders(client)]
    assert [n for n in numbers if f"Order {n}" in html] == numbers[:1]
    assert "The latest 1 of 3 are shown here" in html

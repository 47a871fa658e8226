"""One subject-access report for a client with a long history.

The client has 1,000 contact events (with staff and boutique), 100 orders
(one line each, invoiced, paid: orders, lines, invoices, invoice lines,
payments and guarantees), 100 website events and 100 Selection items, and
contact details. Orders join through the data map (orders/datamap.py), with
no change in privacy.reports.

Baseline: the naive build a hand-written exporter does: for each model, the
client's row ids, then each row fetched by id and each related object
(staff, boutique...) loaded lazily: one query per row and per relation.
Candidate: privacy.reports as shipped: one query per client model with the
related staff joined. Both then render the same HTML, PDF, CSV and JSON
into the zip, so the figure is the time to build one whole report.
"""

import time
from datetime import UTC, datetime, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.fixtures import bench_boutique
from bench.registry import Scenario, register

# Not BENCH-: client_changelist deletes and rebuilds every BENCH- client.
NUMBER = "SARBENCH-0001"
WEB_ROWS = 100
ORDERS = 100
START = datetime(2024, 1, 1, 10, tzinfo=UTC)


def setup(size: int) -> None:
    from clienteling.models import (
        Client,
        ClientEmail,
        ClientPhone,
        ContactEvent,
        SelectionItem,
        User,
        WebEvent,
    )
    from consents.registry import sync_registry
    from orders.models import Order

    sync_registry()
    client = Client.objects.filter(client_number=NUMBER).first()
    if (
        client
        and ContactEvent.objects.filter(client=client).count() == size
        and WebEvent.objects.filter(client=client).count() == WEB_ROWS
        and Order.objects.filter(client=client).count() == ORDERS
    ):
        return
    if client:
        # Invoices are immutable (trigger): start again from a new database.
        raise SystemExit(
            f"{NUMBER} exists with other data: drop BENCH_DATABASE_URL's database."
        )
    boutique = bench_boutique("BENCH", "Bench boutique")
    staff = [
        User.objects.get_or_create(username=f"bench-sar-adviser-{n}")[0]
        for n in range(20)
    ]
    client = Client.objects.create(
        client_number=NUMBER,
        first_name="Bench",
        last_name="Sujet",
        home_boutique=boutique,
    )
    ClientEmail.objects.create(client=client, address="bench-sar@example.com")
    ClientPhone.objects.create(client=client, number="+33199000001")
    ContactEvent.objects.bulk_create(
        ContactEvent(
            client=client,
            channel="phone",
            direction="inbound" if n % 2 else "outbound",
            subject=f"Visit {n}",
            summary=f"Asked about ring {n}; will come back with a friend.",
            staff=staff[n % len(staff)],
            boutique=boutique,
            occurred_at=START + timedelta(hours=n),
        )
        for n in range(size)
    )
    WebEvent.objects.bulk_create(
        WebEvent(
            client=client,
            kind="product_view",
            product_reference=f"J-{n}",
            occurred_at=START + timedelta(days=n),
            external_id=f"bench-sar-{n}",
        )
        for n in range(WEB_ROWS)
    )
    SelectionItem.objects.bulk_create(
        SelectionItem(
            client=client,
            product_reference=f"J-{n}",
            product_name=f"Piece {n}",
            added_at=START + timedelta(days=n),
        )
        for n in range(WEB_ROWS)
    )
    _orders(client, boutique, staff[0])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _orders(client, boutique, adviser) -> None:
    from clienteling.models import Collection
    from orders import services
    from orders.models import Order, Product

    collection, _ = Collection.objects.get_or_create(name="Bench collection")
    product, _ = Product.objects.get_or_create(
        reference="BENCH-RING",
        defaults={
            "name": "Bench ring",
            "collection": collection,
            "category": "ring",
            "metals": ["yellow_gold"],
            "price": 1000,
        },
    )
    for _ in range(ORDERS):
        order = services.order_create(
            acting_user=adviser,
            client=client,
            boutique=boutique,
            lines=[services.LineInput(product=product, ring_size="52")],
            allergy_acknowledged=True,
        )
        services.order_transition(
            acting_user=adviser, order=order, status=Order.Status.CONFIRMED
        )
        services.invoice_issue(acting_user=adviser, order=order)
        order.refresh_from_db()
        services.payment_record(
            acting_user=adviser,
            order=order,
            method="cash",
            amount=order.total,
            currency=order.currency,
        )


def _naive_rows(model, entry, client_id):
    """Each row by id, each relation loaded lazily (the baseline)."""
    from privacy import reports

    path = entry.client_path or "pk"
    ids = model._default_manager.filter(**{path: client_id}).values_list(
        "pk", flat=True
    )
    rows = []
    for pk in ids.order_by("pk"):
        obj = model._default_manager.get(pk=pk)
        values = {}
        for field, f in reports._personal_fields(model, entry):
            if field.many_to_many:
                value = [str(o) for o in getattr(obj, field.name).all()]
            elif field.is_relation:
                target = getattr(obj, field.name)
                value = None if target is None else str(target)
            elif field.choices:
                value = obj._get_FIELD_display(field)
            else:
                value = getattr(obj, field.attname)
            values[field.name] = {
                "label": str(field.verbose_name),
                "value": reports._plain(value),
                "category": str(f.category),
                "source": str(f.source),
                "on_erasure": str(f.erasure),
                "obligation": f.obligation,
            }
        rows.append({"model": model._meta.label, "id": obj.pk, "fields": values})
    return rows


def _build(naive: bool) -> dict:
    from clienteling.models import Client
    from privacy import reports

    if naive:
        reports._rows = _naive_rows
    client = Client.objects.get(client_number=NUMBER)
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        document = reports.build_document(client)
        reports.flag_other_clients(document, client)
    collected = time.perf_counter()
    content = reports.write_zip(document, portability=False)
    return {
        "queries": len(queries.captured_queries),
        "collect_s": round(collected - started, 3),
        "render_s": round(time.perf_counter() - collected, 3),
        "zip_kib": len(content) // 1024,
    }


register(
    Scenario(
        name="subject_access_report",
        description="One subject-access report, 1,000 contact events + 100 "
        "orders (naive per-row build vs privacy.reports)",
        setup=setup,
        baseline=lambda: _build(naive=True),
        candidate=lambda: _build(naive=False),
        target="one report in seconds, queries independent of history length",
        default_size=1000,
    )
)

"""The client card (issue 14): a heavy client against an ordinary one.

Heavy: 2,000 contact events, 200 orders (confirmed, invoiced, paid), 50
consent decisions. Ordinary: 10 contact events, 2 orders, 2 consent
decisions. Both in the bench boutique, seen by a superuser (every panel
shown). Baseline: the ordinary client's card; candidate: the heavy
client's. Each run renders the card twice in a fresh process and times
the second (templates compiled); a query count that differs between the
two is a query per row somewhere.
"""

import time
from datetime import UTC, datetime, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.fixtures import bench_boutique
from bench.registry import Scenario, register

HEAVY = "CARDBENCH-HEAVY"  # not BENCH-: client_changelist rebuilds those
ORDINARY = "CARDBENCH-ORDINARY"
SHAPES = {HEAVY: (2000, 200, 50), ORDINARY: (10, 2, 2)}
START = datetime(2024, 1, 1, 10, tzinfo=UTC)


def setup(size: int) -> None:
    from clienteling.models import Client, ContactEvent, User
    from consents.models import ConsentDecision
    from orders.models import Order

    boutique = bench_boutique("BENCH", "Bench boutique")
    adviser, _ = User.objects.get_or_create(username="bench-card-adviser")
    User.objects.update_or_create(
        username="bench-admin", defaults={"is_staff": True, "is_superuser": True}
    )
    for number, (contacts, orders, consents) in SHAPES.items():
        client = Client.objects.filter(client_number=number).first()
        if client and (
            ContactEvent.objects.filter(client=client).count(),
            Order.objects.filter(client=client).count(),
            ConsentDecision.objects.filter(client=client).count(),
        ) == (contacts, orders, consents):
            continue
        if client:
            raise SystemExit(
                f"{number} exists with other data: drop BENCH_DATABASE_URL's "
                "database (invoices and consents are append-only)."
            )
        client = Client.objects.create(
            client_number=number,
            first_name="Bench",
            last_name=number.rsplit("-", 1)[-1].title(),
            home_boutique=boutique,
            primary_adviser=adviser,
        )
        ContactEvent.objects.bulk_create(
            ContactEvent(
                client=client,
                channel="phone",
                direction="inbound" if n % 2 else "outbound",
                outcome="reached",
                subject=f"Call {n}",
                summary=f"Asked about ring {n}.",
                staff=adviser,
                boutique=boutique,
                occurred_at=START + timedelta(hours=n),
            )
            for n in range(contacts)
        )
        _orders(client, boutique, adviser, orders)
        _consents(client, consents)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _orders(client, boutique, adviser, count: int) -> None:
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
    for _ in range(count):
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


def _consents(client, count: int) -> None:
    """Grants and withdrawals in turn over the consent purposes of the
    paper form, one decision a day."""
    from consents import services
    from consents.models import ConsentDecision, FormTemplateVersion
    from consents.registry import sync_registry

    sync_registry()
    version = FormTemplateVersion.objects.get(template__code="boutique-paper", number=1)
    wordings = [
        w
        for w in version.wordings.select_related("purpose").order_by("purpose__code")
        if not w.purpose.special_category
    ]
    for n in range(count):
        wording = wordings[n % len(wordings)]
        grant = (n // len(wordings)) % 2 == 0
        services.consent_record(
            acting_user=None,
            client=client,
            purpose_code=wording.purpose.code,
            decision=(
                ConsentDecision.Decision.GRANT
                if grant
                else ConsentDecision.Decision.WITHDRAW
            ),
            channel="in_person",
            wording=wording if grant else None,
            now=START + timedelta(days=n),
        )


def _card(number: str) -> dict:
    """The card as ClientAdmin.card_view serves it, rendered twice; the
    second timed."""
    from django.contrib import admin
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.db import SessionStore
    from django.test import RequestFactory
    from django.urls import reverse

    from clienteling.models import Client, User

    client = Client.objects.get(client_number=number)
    model_admin = admin.site._registry[Client]
    user = User.objects.get(username="bench-admin")
    url = reverse("admin:clienteling_client_card", args=[client.pk])

    def render():
        request = RequestFactory().get(url)
        request.user = user
        request.session = SessionStore()
        request._messages = FallbackStorage(request)
        response = model_admin.card_view(request, client.pk)
        response.render()
        assert response.status_code == 200, response.status_code
        return response

    render()
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        response = render()
    return {
        "seconds": time.perf_counter() - started,
        "queries": len(queries),
        "kib": len(response.content) // 1024,
    }


register(
    Scenario(
        name="client_card",
        description="Client card: ordinary client (10 contacts, 2 orders, 2 "
        "consents) vs heavy (2,000 contacts, 200 orders, 50 consents)",
        setup=setup,
        baseline=lambda: _card(ORDINARY),
        candidate=lambda: _card(HEAVY),
        target="heavy card p50 <= 150 ms on PostgreSQL, same query count",
        default_size=2000,
    )
)

"""The subject-access report of a heavy client against a light one (issue 18).

Heavy: 20,000 contact events (staff notes naming people and the odd
email), 100 orders of 20 lines each (2,000 order lines, invoiced and
paid: 2,000 invoice lines and guarantees), 200 consent decisions.
Light: 100 contact events, 1 order of 1 line, 2 consent decisions.

Three scenarios, each measured in fresh processes and in the same run:

- `sar_heavy_collect`: collecting the heavy client's data as the report
  streams it (`privacy.reports._Streamed`, decision 0108: every row read
  and written into its category's JSON and CSV, the staff-note flags; the
  HTML and PDF not rendered) against the
  raw SELECTs of the same rows (one `SELECT *` per client table of the data
  map, rows fetched as tuples). Target: <= 3x the raw SELECTs (a ratio
  >= 0.33); queries <= client tables + 3.
- `sar_heavy_pdf`: the PDF render of the heavy client against the light
  one's (the HTML built from the same kind of document). Target: <= 1.5x
  (a ratio >= 0.67).
- `sar_heavy_memory`: the whole report (collect, flag, zip with JSON,
  CSV, HTML, PDF) of the heavy client against the light one, tracemalloc
  peak. Target: <= 1.3x (a ratio >= 0.77) and under 300 MB.
- `sar_heavy_total`: the same whole report, timed without tracemalloc
  (its tracing slows every allocation). Target: the heavy client's
  total <= 30 s.
"""

import time
from datetime import UTC, datetime, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.fixtures import bench_boutique
from bench.registry import Scenario, register

HEAVY = "SARHEAVY-0001"
LIGHT = "SARLIGHT-0001"
# (contacts, orders, lines per order, consent decisions)
SHAPES = {HEAVY: (20_000, 100, 20, 200), LIGHT: (100, 1, 1, 2)}
START = datetime(2024, 1, 1, 10, tzinfo=UTC)


def setup(size: int) -> None:  # noqa: ARG001 - the shapes are the issue's
    from clienteling.models import Client, ContactEvent
    from consents.models import ConsentDecision
    from consents.registry import sync_registry
    from orders.models import OrderLine

    sync_registry()
    for number, (contacts, orders, lines, consents) in SHAPES.items():
        client = Client.objects.filter(client_number=number).first()
        if client:
            if (
                ContactEvent.objects.filter(client=client).count(),
                OrderLine.objects.filter(order__client=client).count(),
                ConsentDecision.objects.filter(client=client).count(),
            ) == (contacts, orders * lines, consents):
                continue
            raise SystemExit(
                f"{number} exists with other data: drop BENCH_DATABASE_URL's "
                "database (invoices and consents are append-only)."
            )
        _client(number, contacts, orders, lines, consents)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def _client(number, contacts, orders, lines, consents) -> None:
    from clienteling.models import Client, ClientEmail, ClientPhone, ContactEvent, User

    boutique = bench_boutique("BENCH", "Bench boutique")
    staff = [
        User.objects.get_or_create(username=f"bench-sar-adviser-{n}")[0]
        for n in range(20)
    ]
    client = Client.objects.create(
        client_number=number,
        first_name="Bench",
        last_name=number.split("-")[0].title(),
        home_boutique=boutique,
    )
    ClientEmail.objects.create(client=client, address=f"{number.lower()}@example.com")
    ClientPhone.objects.create(client=client, number="+33199000002")
    batch = 5_000
    for start in range(0, contacts, batch):
        ContactEvent.objects.bulk_create(
            ContactEvent(
                client=client,
                channel="phone",
                direction="inbound" if n % 2 else "outbound",
                subject=f"Visit {n}",
                summary=(
                    f"Asked about ring {n} with Marie Dupont{n % 50}; "
                    f"will write to friend{n % 30}@example.org."
                ),
                staff=staff[n % len(staff)],
                boutique=boutique,
                occurred_at=START + timedelta(minutes=30 * n),
            )
            for n in range(start, min(start + batch, contacts))
        )
    _orders(client, boutique, staff[0], orders, lines)
    _consents(client, consents)


def _orders(client, boutique, adviser, orders, lines) -> None:
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
    for _ in range(orders):
        order = services.order_create(
            acting_user=adviser,
            client=client,
            boutique=boutique,
            lines=[
                services.LineInput(product=product, ring_size="52")
                for _ in range(lines)
            ],
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
    """Grants and withdrawals in turn per purpose of the paper form, one
    decision a day, written as the ledger's rows (append-only: inserts)."""
    from consents.models import ConsentDecision, FormTemplateVersion

    version = FormTemplateVersion.objects.get(template__code="boutique-paper", number=1)
    wordings = [
        w
        for w in version.wordings.select_related("purpose").order_by("purpose__code")
        if not w.purpose.special_category
    ]
    decisions = []
    for n in range(count):
        wording = wordings[n % len(wordings)]
        grant = (n // len(wordings)) % 2 == 0
        decisions.append(
            ConsentDecision(
                client=client,
                purpose=wording.purpose,
                decision="grant" if grant else "withdraw",
                channel="in_person",
                wording=wording if grant else None,
                language=wording.language if grant else "",
                decided_at=START + timedelta(days=n),
            )
        )
    ConsentDecision.objects.bulk_create(decisions)


def _client_of(number):
    from clienteling.models import Client

    return Client.objects.get(client_number=number)


def _raw_selects() -> dict:
    """Every row of every client table about the heavy client, as tuples:
    the floor any collection stands on."""
    from core import data_map

    client = _client_of(HEAVY)
    rows = 0
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        for model, entry in data_map.client_models():
            path = entry.client_path or "pk"
            queryset = model._default_manager.filter(**{path: client.pk})
            sql, params = queryset.query.sql_with_params()
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                rows += len(cursor.fetchall())
    return {
        "collect_s": round(time.perf_counter() - started, 3),
        "queries": len(queries.captured_queries),
        "rows": rows,
        "client_tables": len(data_map.client_models()),
    }


def _collect() -> dict:
    """The collection as the report runs it (decision 0108): every row
    read, written into its category's JSON and CSV as it comes, and the
    staff notes checked; the HTML and PDF not rendered."""
    from core import data_map
    from privacy import reports

    client = _client_of(HEAVY)
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        streamed = reports._Streamed(client)
    streamed.close()
    return {
        "collect_s": round(time.perf_counter() - started, 3),
        "queries": len(queries.captured_queries),
        "client_tables": len(data_map.client_models()),
        "flags": len(streamed.flags),
    }


def _pdf(number: str) -> dict:
    from privacy import reports

    client = _client_of(number)
    document = reports.build_document(client)
    language, time_zone = reports.document_language_for(client)
    html = reports.render_html(document, language=language, time_zone=time_zone)
    import weasyprint  # noqa: F401 - its first import is not the render's time

    started = time.perf_counter()
    content = reports.render_pdf(html)
    seconds = time.perf_counter() - started
    return {"pdf_s": round(seconds, 3), "pdf_kib": len(content) // 1024}


def _whole(number: str) -> dict:
    import tempfile

    import weasyprint  # noqa: F401 - imported by workers at start

    from privacy import reports

    client = _client_of(number)
    started = time.perf_counter()
    language, time_zone = reports.document_language_for(client)
    collected = {}

    def progress(step):
        if step.startswith("Checked staff notes"):
            collected["at"] = time.perf_counter()

    with (
        CaptureQueriesContext(connection) as queries,
        tempfile.TemporaryFile() as target,
    ):
        reports.write_report(
            client, target, language=language, time_zone=time_zone, progress=progress
        )
        size = target.tell()
    return {
        "queries": len(queries.captured_queries),
        "collect_s": round(collected["at"] - started, 3),
        "total_s": round(time.perf_counter() - started, 3),
        "zip_kib": size // 1024,
    }


register(
    Scenario(
        name="sar_heavy_collect",
        description="Heavy client's report data (20,000 contacts, 2,000 lines, "
        "200 consents): privacy.reports collection vs the raw SELECTs",
        setup=setup,
        baseline=_raw_selects,
        candidate=_collect,
        target="collection <= 3x the raw SELECTs (ratio >= 0.33); "
        "queries <= client tables + 3",
        default_size=1,
    )
)
register(
    Scenario(
        name="sar_heavy_pdf",
        description="PDF render of the heavy client's report vs a client "
        "with 100 contacts",
        setup=setup,
        baseline=lambda: _pdf(LIGHT),
        candidate=lambda: _pdf(HEAVY),
        target="heavy <= 1.5x light (ratio >= 0.67)",
        default_size=1,
    )
)
register(
    Scenario(
        name="sar_heavy_memory",
        description="Whole report (collect, flag, JSON, CSV, HTML, PDF, zip), "
        "tracemalloc peak: heavy client vs a client with 100 contacts",
        setup=setup,
        baseline=lambda: _whole(LIGHT),
        candidate=lambda: _whole(HEAVY),
        metric="peak_kib",
        target="heavy <= 1.3x light (ratio >= 0.77) and < 300 MB; total <= 30 s",
        default_size=1,
    )
)
register(
    Scenario(
        name="sar_heavy_total",
        description="Whole report (collect, flag, JSON, CSV, HTML, PDF, zip), "
        "time without tracemalloc: heavy client vs a client with 100 contacts",
        setup=setup,
        baseline=lambda: _whole(LIGHT),
        candidate=lambda: _whole(HEAVY),
        target="heavy total <= 30 s",
        default_size=1,
    )
)

"""Segments and dashboards (issue 15) against the client list page 1.

Set up on the homes' tables (`--size` clients of the bench boutique, 50
advisers, 5,000 follow-ups and contacts; bench/scenarios/homes.py) plus the
issue's volumes, built in SQL from generate_series (INSERT ... SELECT, the
server-side form of COPY): ten contact events per client and one sale of
two lines per client (at 1M: 10M contacts, 1M orders, 2M order lines) over
the last 400 days, spread over the 50 advisers; the keyed digests of the
bench emails and phones (the rows are written around the ORM); 1% of the
bench emails on the suppression list; one shared three-criteria segment
matching most clients (French speakers, lifetime value of at most EUR
1,000, not contacted for 90 days); the sales facts rebuilt once.
Candidates, each as the bench manager (the adviser for theirs): the
segment's count (`segment_membership`), its clients page 1, the boutique,
adviser and compliance dashboards' figures, and the nightly facts
rebuild (seconds, and peak memory against listing the orders whole).
Baseline: ClientAdmin's list page 1. Run at 10k and 1M to compare.
"""

import io
import time
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench import bulk
from bench.fixtures import rolled_back
from bench.registry import Scenario, register
from bench.scenarios import client_changelist, homes

SEGMENT_NAME = "Bench three criteria"
ORDER_PREFIX = "BSEG-"
CONTACT_SUBJECT = "Bench history"
CONTACTS_PER_CLIENT = 10
# The data set's marker (bench/bulk.py): bump VERSION when what setup
# writes changes, so a database built by an older bench is built again.
DATASET = "segments"
VERSION = 1
CONSENT_TABLES = ("consents_consentdecision",)
BIG_TABLES = ("clienteling_contactevent", "orders_order", "orders_orderline")
LINES_PER_ORDER = 2


def _fill_digests(cursor) -> None:
    """The keyed digest of each bench email and phone without one (the
    client table is written in SQL, around the model's save): hashed here,
    copied to a temporary table, set by one UPDATE each."""
    from clienteling.digests import keyed_digest, normalise_email

    for table, column, normalise in (
        ("clienteling_clientemail", "address", normalise_email),
        ("clienteling_clientphone", "number", str),
    ):
        cursor.execute(
            f"SELECT id, {column} FROM {table} WHERE digest IS NULL"  # noqa: S608
        )
        rows = cursor.fetchall()
        if not rows:
            continue
        buffer = io.StringIO()
        for pk, value in rows:
            buffer.write(f"{pk}\t{keyed_digest(normalise(value))}\n")
        cursor.execute("CREATE TEMP TABLE bench_digest (id bigint, digest text)")
        with cursor.cursor.copy("COPY bench_digest FROM STDIN") as copy:
            copy.write(buffer.getvalue())
        cursor.execute(
            f"UPDATE {table} t SET digest = d.digest FROM bench_digest d "  # noqa: S608
            "WHERE t.id = d.id"
        )
        cursor.execute("DROP TABLE bench_digest")


def _drop_history_on_resize(size: int) -> None:
    """The client table is rebuilt at another size: its orders and
    contacts go first (they hold its clients)."""
    from clienteling.models import Client

    bench = Client.objects.filter(client_number__startswith=client_changelist.PREFIX)
    if bench.count() == size:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM orders_orderline WHERE order_id IN (SELECT id FROM "
            "orders_order WHERE number LIKE 'BSEG-%%')"
        )
        cursor.execute("DELETE FROM orders_order WHERE number LIKE 'BSEG-%%'")
        cursor.execute(
            "DELETE FROM clienteling_contactevent WHERE subject = %s",
            [CONTACT_SUBJECT],
        )
        _drop_consents(cursor)


def _drop_consents(cursor) -> None:
    """The bench's ledger rows (user agent CONSENT_MARK). The ledger is
    append-only by trigger; the bench, as the database owner, bypasses
    triggers for this one statement (session_replication_role)."""
    cursor.execute("SET session_replication_role = replica")
    try:
        cursor.execute(
            "DELETE FROM consents_consentdecision WHERE user_agent = %s",
            [CONSENT_MARK],
        )
    finally:
        cursor.execute("SET session_replication_role = DEFAULT")


# Each client's decisions per purpose, in order (g: the client's rank,
# p: the purpose's 1-based number in CONSENT_MIX). A realistic mix: most
# newsletters consents, fewer events and partner sharing, withdrawals
# (unsubscribe links, preference page) and objections (Art. 21).
# (purpose code, share given (per 1,000), share of those withdrawn later
# (per 1,000), share objecting after a consent (per 1,000)). Website
# grants keep an IP address (constraint consent_web_keeps_ip): a
# documentation address.
CONSENT_MIX = (
    ("newsletters_invitations", 620, 120, 10),
    ("events", 380, 80, 5),
    ("partner_sharing", 110, 150, 5),
    ("cross_group_intelligence", 90, 100, 0),
)
# Objections to statistics and segmentation (Art. 21), per 1,000 clients:
# they leave the segments.
STATISTICS_OBJECTIONS = 8
CONSENT_MARK = "bench-consent"
GRANT_CHANNELS = "ARRAY['paper_form','website','clienteling_tool','in_person','email']"
WITHDRAW_CHANNELS = "ARRAY['unsubscribe_link','preference_page','email','phone']"


def _consents(size: int) -> None:
    """Consents per purpose and channel (CONSENT_MIX), built again only
    when the client table's size changed: at 1M, ~1.2M grants, ~130k
    withdrawals, ~8k objections to segmentation."""
    from consents.models import ConsentDecision, Purpose, PurposeWording

    bench = ConsentDecision.objects.filter(user_agent=CONSENT_MARK)
    expected = size * STATISTICS_OBJECTIONS // 1000
    objections = bench.filter(purpose__code="statistics_segmentation")
    if bench.exists() and abs(objections.count() - expected) <= 1:
        return
    statistics = Purpose.objects.get(code="statistics_segmentation")
    # Each client's rank, numbered once for the thirteen inserts below.
    bench_ids = "SELECT id, g FROM bench_rank"
    columns = (
        "client_id, purpose_id, decision, channel, wording_id, language, "
        "decided_at, user_agent"
    )
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
        # The ledger loaded without its secondary indexes and constraints,
        # recreated after (bench/bulk.py, decision 0118).
        bulk.drop_secondary(cursor, CONSENT_TABLES)
        _drop_consents(cursor)
        cursor.execute(
            "CREATE TEMP TABLE bench_rank AS SELECT id, row_number() OVER "
            "(ORDER BY id) AS g FROM clienteling_client "
            "WHERE client_number LIKE 'BENCH-%%'",
            [],
        )
        for p, (code, given, withdrawn, objected) in enumerate(CONSENT_MIX, 1):
            purpose = Purpose.objects.get(code=code)
            wording = (
                PurposeWording.objects.filter(purpose=purpose, language="fr").first()
                or PurposeWording.objects.filter(purpose=purpose).first()
            )
            # A client's draw for this purpose: a fixed hash of (g, p).
            draw = f"((c.g * 7919 + {p} * 104729) %% 1000)"
            given_at = f"now() - ((c.g * 17 + {p} * 31) %% 700 + 30) * interval '1 day'"
            cursor.execute(
                f"""
                INSERT INTO consents_consentdecision ({columns}, ip_address)
                SELECT x.*, CASE WHEN x.channel = 'website'
                    THEN '192.0.2.10'::inet END
                FROM (
                    SELECT c.id, %s, 'grant',
                        ({GRANT_CHANNELS})[1 + (c.g + {p}) %% 5] AS channel, %s,
                        %s, {given_at}, %s
                    FROM ({bench_ids}) c WHERE {draw} < %s
                ) x
                """,  # noqa: S608
                [purpose.pk, wording.pk, wording.language, CONSENT_MARK, given],
            )
            # Withdrawn and objecting: the first shares of those given,
            # decided after the consent (1 to 29 days later).
            later = f"{given_at} + (1 + c.g %% 29) * interval '1 day'"
            for decision, low, high, channels in (
                ("withdraw", 0, given * withdrawn // 1000, WITHDRAW_CHANNELS),
                (
                    "object",
                    given * withdrawn // 1000,
                    given * withdrawn // 1000 + given * objected // 1000,
                    "ARRAY['email','phone','preference_page','unsubscribe_link']",
                ),
            ):
                cursor.execute(
                    f"""
                    INSERT INTO consents_consentdecision ({columns})
                    SELECT c.id, %s, %s, ({channels})[1 + c.g %% 4], NULL, '',
                        {later}, %s
                    FROM ({bench_ids}) c WHERE {draw} >= %s AND {draw} < %s
                    """,  # noqa: S608
                    [purpose.pk, decision, CONSENT_MARK, low, high],
                )
        cursor.execute(
            f"""
            INSERT INTO consents_consentdecision ({columns})
            SELECT c.id, %s, 'object', 'email', NULL, '',
                now() - ((c.g * 13) %% 300) * interval '1 day', %s
            FROM ({bench_ids}) c WHERE (c.g * 6007) %% 1000 < %s
            """,  # noqa: S608
            [statistics.pk, CONSENT_MARK, STATISTICS_OBJECTIONS],
        )
        cursor.execute("DROP TABLE bench_rank")
        bulk.restore(cursor, CONSENT_TABLES)


def _history(boutique, advisers: list[int]) -> dict:
    """Ten contacts per client and one two-line sale per client, written
    again (the setup calls it when its data set is not built at this size):
    generated in SQL, the three tables' secondary indexes and unique and
    foreign-key constraints dropped for the load and recreated after
    (bench/bulk.py; the rows are built from existing ids, so the
    recreation's checks pass)."""
    from clienteling.models import Collection
    from orders.models import Product

    collection, _ = Collection.objects.get_or_create(name="Bench collection")
    product, _ = Product.objects.get_or_create(
        reference="BENCH-RING",
        defaults={
            "name": "Bench ring",
            "collection": collection,
            "category": Product.Category.RING,
            "price": Decimal("400"),
            "currency": "EUR",
        },
    )
    steps, started = {}, [time.perf_counter()]

    def took(name):
        now = time.perf_counter()
        steps[f"{name}_s"] = round(now - started[0], 1)
        started[0] = now

    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
        steps["dropped"] = bulk.drop_secondary(cursor, BIG_TABLES)
        took("drop")
        cursor.execute(
            "DELETE FROM orders_orderline WHERE order_id IN (SELECT id FROM "
            "orders_order WHERE number LIKE 'BSEG-%%')"
        )
        cursor.execute("DELETE FROM orders_order WHERE number LIKE 'BSEG-%%'")
        cursor.execute(
            "DELETE FROM clienteling_contactevent WHERE subject = %s",
            [CONTACT_SUBJECT],
        )
        took("deleted")
        bench = (
            "SELECT id, row_number() OVER (ORDER BY id) AS g FROM "
            "clienteling_client WHERE client_number LIKE 'BENCH-%%'"
        )
        cursor.execute(
            f"""
            INSERT INTO clienteling_contactevent (
                client_id, channel, direction, outcome, subject, summary,
                staff_id, boutique_id, occurred_at)
            SELECT c.id,
                (ARRAY['phone','email','boutique_visit','instant_messaging'])
                    [1 + (c.g + k) %% 4],
                CASE WHEN k %% 2 = 0 THEN 'outbound' ELSE 'inbound' END,
                (ARRAY['reached','no_answer','voicemail','message_sent',
                       'appointment_booked'])[1 + (c.g * 7 + k) %% 5],
                %s, '', (%s::bigint[])[1 + (c.g + k) %% 50], %s,
                now() - ((c.g * 13 + k * 37) %% 400) * interval '1 day'
            FROM ({bench}) c CROSS JOIN generate_series(1, %s) AS k
            """,  # noqa: S608
            [CONTACT_SUBJECT, advisers, boutique.pk, CONTACTS_PER_CLIENT],
        )
        took("contacts")
        cursor.execute(
            f"""
            INSERT INTO orders_order (
                number, channel, status, currency, notes, total, created_at,
                updated_at, boutique_id, client_id, adviser_id, marketing_email)
            SELECT 'BSEG-' || lpad(c.g::text, 10, '0'), 'boutique',
                'delivered', 'EUR', '', 800,
                now() - (1 + (c.g * 11) %% 400) * interval '1 day', now(),
                %s, c.id, (%s::bigint[])[1 + c.g %% 50], 'offered'
            FROM ({bench}) c
            """,  # noqa: S608
            [boutique.pk, advisers],
        )
        took("orders")
        cursor.execute(
            """
            INSERT INTO orders_orderline (
                ring_size, engraving, serial_number, quantity, unit_price,
                currency, order_id, product_id)
            SELECT '', '', '', 1, 400, 'EUR', o.id, %s
            FROM orders_order o CROSS JOIN generate_series(1, %s) AS k
            WHERE o.number LIKE 'BSEG-%%'
            """,
            [product.pk, LINES_PER_ORDER],
        )
        took("lines")
        steps["recreate_s"] = round(
            sum(seconds for _name, seconds in bulk.restore(cursor, BIG_TABLES)), 1
        )
        took("recreate_analyze")
    return steps


def client_changelist_ids(*, every: int) -> list[int]:
    from clienteling.models import Client

    ids = Client.objects.filter(
        client_number__startswith=client_changelist.PREFIX
    ).values_list("pk", flat=True)
    return list(ids.order_by("pk"))[::every]


def _fingerprint() -> str:
    """What the data set hangs on: the bench clients (count and id range;
    client_changelist's setup writes them again at another size)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), min(id), max(id) FROM clienteling_client "
            "WHERE client_number LIKE 'BENCH-%%'",
            [],
        )
        return ":".join(str(value) for value in cursor.fetchone())


def setup(size: int) -> dict:
    """Build the data set unless the marker says it is built at this size
    on these clients (then only the facts, if emptied, and the segment are
    made again); the seconds of each step."""
    from django.utils import timezone

    from clienteling.models import Boutique, User
    from segments.facts import built_at, sales_facts_rebuild
    from segments.models import ContactFact, SalesFact

    steps = {}
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
        if bulk.is_built(cursor, DATASET, VERSION, size, _fingerprint()):
            steps["reused"] = True
            # Rebuilt when emptied or not taken today: the dashboards read
            # the snapshots of today's rebuild only (decision 0111).
            as_of = built_at()
            if not (
                SalesFact.objects.exists()
                and ContactFact.objects.exists()
                and as_of is not None
                and timezone.localdate(as_of) == timezone.localdate()
            ):
                started = time.perf_counter()
                sales_facts_rebuild()
                steps["facts_s"] = round(time.perf_counter() - started, 1)
            _segment()
            return steps
        bulk.forget(cursor, DATASET)
    begun = time.perf_counter()

    def step(name, work, *args):
        started = time.perf_counter()
        detail = work(*args)
        steps[f"{name}_s"] = round(time.perf_counter() - started, 1)
        if isinstance(detail, dict):
            steps.update({f"{name}.{key}": value for key, value in detail.items()})

    step("resize", _drop_history_on_resize, size)
    step("clients", homes.setup, size)
    boutique = Boutique.objects.get(code="BENCH")
    advisers = list(
        User.objects.filter(username__startswith="bench-adviser-")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    step("history", _history, boutique, advisers)
    step("consents", _consents, size)
    step("digests", _digests_and_suppression)
    step("facts", sales_facts_rebuild)
    step("vacuum", _vacuum)
    _segment()
    with connection.cursor() as cursor:
        bulk.mark(
            cursor,
            DATASET,
            VERSION,
            size,
            _fingerprint(),
            seconds=time.perf_counter() - begun,
        )
    return steps


def _digests_and_suppression() -> None:
    from django.utils import timezone

    from clienteling.digests import email_digest
    from consents.models import SuppressionEntry

    with connection.cursor() as cursor:
        _fill_digests(cursor)
    SuppressionEntry.objects.filter(reason="bench").delete()
    SuppressionEntry.objects.bulk_create(
        SuppressionEntry(
            kind=SuppressionEntry.Kind.EMAIL,
            digest=email_digest(f"c{pk}@example.com"),
            added_at=timezone.now(),
            reason="bench",
        )
        for pk in client_changelist_ids(every=100)
    )


def _vacuum() -> None:
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def _segment() -> None:
    """The shared three-criteria segment, made again each setup: the
    criteria below may have changed."""
    from clienteling.models import Boutique, User
    from segments import services
    from segments.models import Segment

    manager = User.objects.get(username=homes.HOME_USERS["manager"])
    Segment.objects.filter(name=SEGMENT_NAME).delete()
    services.segment_save(
        acting_user=manager,
        segment=Segment(
            name=SEGMENT_NAME,
            shared=True,
            language="fr",
            lifetime_value_max_eur=Decimal("1000"),
            not_contacted_for_days=90,
        ),
        boutiques=[Boutique.objects.get(code="BENCH")],
    )


def _timed(work) -> dict:
    work()  # warm
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        extra = work()
    return {
        "seconds": time.perf_counter() - started,
        "queries": len(queries),
        **(extra or {}),
    }


def _segment_count() -> dict:
    from clienteling.models import User
    from segments import selectors
    from segments.models import Segment

    manager = User.objects.get(username=homes.HOME_USERS["manager"])
    segment = Segment.objects.get(name=SEGMENT_NAME)
    return _timed(
        lambda: {"members": selectors.segment_membership(segment, user=manager).count}
    )


def _segment_page() -> dict:
    """The segment's clients page 1 as the admin serves it."""
    from django.contrib import admin
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.db import SessionStore
    from django.test import RequestFactory

    from clienteling.models import User
    from segments.models import Segment

    manager = User.objects.get(username=homes.HOME_USERS["manager"])
    segment = Segment.objects.get(name=SEGMENT_NAME)
    model_admin = admin.site._registry[Segment]

    def render():
        request = RequestFactory().get(f"/admin/segments/segment/{segment.pk}/clients/")
        request.user = manager
        request.session = SessionStore()
        request._messages = FallbackStorage(request)
        response = model_admin.members_view(request, str(segment.pk))
        response.render()
        assert response.status_code == 200, response.status_code
        return {"clients": len(response.context_data["clients"])}

    return _timed(render)


def _adviser_dashboard() -> dict:
    from django.utils import timezone

    from clienteling.models import User
    from segments import figures

    adviser = User.objects.get(username=homes.HOME_USERS["adviser"])
    today = timezone.localdate()
    return _timed(
        lambda: {"figures": len(figures.adviser_figures(adviser, today=today))}
    )


def _compliance_dashboard() -> dict:
    from django.utils import timezone

    from segments import figures

    today = timezone.localdate()
    period = figures.default_period(today)
    return _timed(
        lambda: {"figures": len(figures.compliance_figures(period, today=today))}
    )


def _facts_rebuild() -> dict:
    from segments.facts import sales_facts_rebuild

    return rolled_back(sales_facts_rebuild)


def _orders_listed() -> dict:
    """Naive baseline for memory: every sale read whole into Python."""
    from orders.models import Order

    rows = list(
        Order.objects.purchases().values(
            "created_at", "boutique_id", "adviser_id", "currency", "total"
        )
    )
    return {"orders": len(rows)}


def _manager_dashboard() -> dict:
    from django.utils import timezone

    from clienteling.models import Boutique
    from segments import figures

    boutique = Boutique.objects.get(code="BENCH")
    today = timezone.localdate()
    period = figures.default_period(today)
    return _timed(
        lambda: {"figures": len(figures.manager_figures(boutique, period, today=today))}
    )


def _list() -> dict:
    return client_changelist._render(client_changelist._client_admin(), {})


register(
    Scenario(
        name="segment_count",
        description="A three-criteria segment's count vs the client list page 1",
        setup=setup,
        baseline=_list,
        candidate=_segment_count,
        target="count p50 <= 1 s at 1M clients",
        default_size=1_000_000,
    )
)
register(
    Scenario(
        name="segment_clients_page",
        description="A three-criteria segment's clients page 1 vs the client list",
        setup=setup,
        baseline=_list,
        candidate=_segment_page,
        target="page 1 <= 2x the client list page 1 (ratio >= 0.5)",
        default_size=1_000_000,
    )
)
register(
    Scenario(
        name="dashboard_adviser",
        description="The adviser's dashboard figures vs the client list page 1",
        setup=setup,
        baseline=_list,
        candidate=_adviser_dashboard,
        target="p50 <= 300 ms and <= 1.5x its figure at 10k clients",
        default_size=1_000_000,
    )
)
register(
    Scenario(
        name="dashboard_compliance",
        description="The compliance dashboard's figures vs the client list page 1",
        setup=setup,
        baseline=_list,
        candidate=_compliance_dashboard,
        target="p50 <= 300 ms and <= 1.5x its figure at 10k clients",
        default_size=1_000_000,
    )
)
register(
    Scenario(
        name="facts_rebuild",
        description="The nightly sales facts rebuild (peak memory) vs "
        "listing every sale whole",
        setup=setup,
        baseline=_orders_listed,
        candidate=_facts_rebuild,
        metric="peak_kib",
        target="peak memory flat between 100k and 1M clients (<= 1.2x)",
        default_size=1_000_000,
    )
)
register(
    Scenario(
        name="dashboard_manager",
        description="The boutique dashboard's figures vs the client list page 1",
        setup=setup,
        baseline=_list,
        candidate=_manager_dashboard,
        target="p50 <= 300 ms and <= 1.5x its figure at 10k clients",
        default_size=1_000_000,
    )
)

"""The daily facts tables (issue 15, decisions 0067 and 0088): sales per
day, boutique, adviser and currency, and contacts per day, client's home
boutique, member of staff, channel and outcome, rebuilt whole each night
so a dashboard sums a few thousand rows instead of every order line or
contact of the period.

Idempotent: the rebuild deletes every fact and inserts them again from the
orders in one transaction, under a transaction-level advisory lock so two
runs never interleave; a second run the same night writes the same rows.
The aggregation streams from the database (`iterator`) and inserts in
batches of FACT_BATCH, so memory stays flat whatever the number of orders.
The facts hold everything before the rebuild's moment (today's day up to
then); the dashboards add what came after it live (decision 0121).
"""

from datetime import datetime
from itertools import chain

from django.db import connection, transaction
from django.db.models import Count, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from clienteling.models import ContactEvent
from orders.models import Order
from segments.figures import euros
from segments.models import ClientSnapshot, ContactFact, FactsRebuild, SalesFact

# Rows per INSERT: a few hundred kB each, and few round trips.
FACT_BATCH = 2000
# pg_advisory_xact_lock key of the rebuild ("SEGF" in ASCII).
LOCK_KEY = 0x53454746


@transaction.atomic
def sales_facts_rebuild(*, now: datetime | None = None) -> dict:
    """Rebuild every sales fact before `now` (days in TIME_ZONE; today's
    day holds what was sold before `now`); the counts."""
    now = now or timezone.now()
    today = timezone.localdate(now, timezone.get_default_timezone())
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
    deleted, _detail = SalesFact.objects.all().delete()
    grouped = (
        Order.objects.purchases()
        .filter(created_at__lt=now)
        .annotate(day=TruncDate("created_at", tzinfo=timezone.get_default_timezone()))
        .values("day", "boutique_id", "adviser_id", "currency")
        .annotate(orders=Count("pk"), amount=Sum("total"), amount_eur=Sum(euros()))
        .order_by()
    )
    batch, written = [], 0
    for row in grouped.iterator(chunk_size=FACT_BATCH):
        batch.append(SalesFact(**row, built_at=now))
        if len(batch) == FACT_BATCH:
            SalesFact.objects.bulk_create(batch)
            written += len(batch)
            batch = []
    SalesFact.objects.bulk_create(batch)
    written += len(batch)
    contacts_deleted, contacts_written = _contact_facts_rebuild(today, now)
    snapshots_deleted, snapshots_written = client_snapshots_rebuild(today, now)
    FactsRebuild.objects.create(
        built_at=now, facts_written=written + contacts_written + snapshots_written
    )
    return {
        "deleted": deleted + contacts_deleted + snapshots_deleted,
        "written": written,
        "contacts_written": contacts_written,
        "snapshots_written": snapshots_written,
    }


def _contact_facts_rebuild(today, now) -> tuple[int, int]:
    """Every contact fact before `now`, again (same transaction, same lock)."""
    deleted, _detail = ContactFact.objects.all().delete()
    grouped = (
        ContactEvent.objects.filter(
            occurred_at__lt=now, client__home_boutique__isnull=False
        )
        .annotate(day=TruncDate("occurred_at", tzinfo=timezone.get_default_timezone()))
        .values("day", "client__home_boutique_id", "staff_id", "channel", "outcome")
        .annotate(contacts=Count("pk"))
        .order_by()
    )
    batch, written = [], 0
    for row in grouped.iterator(chunk_size=FACT_BATCH):
        batch.append(
            ContactFact(
                day=row["day"],
                boutique_id=row["client__home_boutique_id"],
                staff_id=row["staff_id"],
                channel=row["channel"],
                outcome=row["outcome"],
                contacts=row["contacts"],
                built_at=now,
            )
        )
        if len(batch) == FACT_BATCH:
            ContactFact.objects.bulk_create(batch)
            written += len(batch)
            batch = []
    ContactFact.objects.bulk_create(batch)
    return deleted, written + len(batch)


def built_at():
    """When the facts were last rebuilt, or None."""
    latest = FactsRebuild.objects.order_by("-built_at").first()
    return latest.built_at if latest else None


def client_snapshots_rebuild(today, now) -> tuple[int, int]:
    """The counts over every client the dashboards would otherwise read
    live (ClientSnapshot, decision 0111), taken with the figures' own
    querysets (segments.figures) so a snapshot equals the live figure on
    the day it was taken: a handful of grouped queries, whatever the
    number of clients."""
    from segments import figures

    deleted, _detail = ClientSnapshot.objects.all().delete()
    kind = ClientSnapshot.Kind
    live = figures.live_clients()
    parts = [
        (
            ClientSnapshot(kind=kind.CLIENTS, boutique_id=b, clients=n, built_at=now)
            for b, n in live.values_list("home_boutique_id")
            .annotate(n=Count("pk"))
            .order_by()
        ),
        (
            ClientSnapshot(kind=kind.LAPSING, boutique_id=b, clients=n, built_at=now)
            for b, n in figures.lapsing(live, today=today)
            .values_list("home_boutique_id")
            .annotate(n=Count("pk"))
            .order_by()
        ),
        (
            ClientSnapshot(
                kind=kind.NEW_CLIENTS, boutique_id=b, day=day, clients=n, built_at=now
            )
            for b, day, n in live.filter(created_at__lt=now)
            .annotate(
                day=TruncDate("created_at", tzinfo=timezone.get_default_timezone())
            )
            .values_list("home_boutique_id", "day")
            .annotate(n=Count("pk"))
            .order_by()
        ),
        (
            ClientSnapshot(
                kind=kind.CONSENTS,
                boutique_id=b,
                purpose_id=purpose_id,
                channel=channel,
                clients=n,
                built_at=now,
            )
            for b, purpose_id, channel, n in figures.current_grants(
                figures.consent_purposes(), live
            )
            .values_list("client__home_boutique_id", "purpose_id", "channel")
            .annotate(n=Count("pk"))
            .order_by()
        ),
        (
            ClientSnapshot(
                kind=kind.RETENTION_DUE,
                rule_code=code,
                within_days=days,
                clients=n,
                built_at=now,
            )
            for code, days, n in figures.retention_due_counts(today=today)
        ),
    ]
    # Streamed in batches: new clients per day grow with the days of
    # history (boutiques x days), not with the clients.
    batch, written = [], 0
    for row in chain.from_iterable(parts):
        batch.append(row)
        if len(batch) == FACT_BATCH:
            ClientSnapshot.objects.bulk_create(batch)
            written += len(batch)
            batch = []
    ClientSnapshot.objects.bulk_create(batch)
    return deleted, written + len(batch)

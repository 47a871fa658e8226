"""Reads of segments: which segments a member of staff sees, and who is in
one (its criteria, the reader's scope, and the exclusions of issue 15).

Members are computed, never stored. A client matching the criteria is left
out, and counted by reason, when their processing is restricted (Art. 18),
when they objected (Art. 21) to statistics and segmentation or to the
segment's outreach purpose, or when an email or phone of theirs is on the
suppression list: consents' own definitions (Restriction.objects.in_force,
the current decision, the suppression list), checked in that order, in
SQL (decision 0086).
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cached_property

from django.conf import settings
from django.db import transaction
from django.db.models import (
    Case,
    CharField,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clienteling.models import Client, ContactPreference, ImportantDate, Interest
from clienteling.querysets import anniversaries_within
from clienteling.scoping import sees_every_boutique, visible_boutiques
from consents import registry
from consents.models import ConsentDecision, Purpose, Restriction
from consents.selectors import (
    OBJECT,
    Reason,
    outreach_eligibility,
    suppressed_client_sources,
)
from core.id_arrays import InIds, index_scans
from orders.models import Order, OrderLine, Product
from segments.models import Segment

# Exclusions run a constant number of queries per chunk of ids; 2,000 keeps
# each IN (...) list quick to plan (as consents.outreach does).
CHUNK_SIZE = 2000
# The reasons a matching client is left out, in the order they are checked.
EXCLUSION_REASONS = (Reason.RESTRICTED, Reason.OBJECTED, Reason.SUPPRESSED)
# What staff read for each (the stored keys stay consents' sentences).
REASON_LABELS = {
    Reason.RESTRICTED: _("Processing restricted (Art. 18)"),
    Reason.OBJECTED: _("Objected to the purpose (Art. 21)"),
    Reason.SUPPRESSED: _("On the suppression list"),
}


def segments_visible_to(user):
    """Segments the user sees: their own, the shared segments of a boutique
    they work in, and every segment for staff who see every boutique."""
    segments = Segment.objects.select_related("created_by")
    if not user.is_active:
        return segments.none()
    if sees_every_boutique(user):
        return segments
    shared_here = Segment.objects.filter(
        shared=True, boutiques__in=visible_boutiques(user)
    ).values("pk")
    return segments.filter(Q(created_by=user) | Q(pk__in=shared_here))


def _euros(amount):
    """An order line's amount in euros at the budget rates (decision 0104)."""
    return ExpressionWrapper(
        amount
        * Case(
            *(
                When(currency=code, then=Value(Decimal(str(rate))))
                for code, rate in settings.BUDGET_RATES_EUR.items()
            ),
            default=Value(Decimal("1")),
        ),
        output_field=DecimalField(max_digits=20, decimal_places=4),
    )


def _products_with_metal(metal: str) -> list[int]:
    """The catalogue's products made with this metal. Read in Python: the
    catalogue is small (hundreds of products), and a JSON containment
    lookup (`metals__contains`) exists on PostgreSQL only, not on SQLite,
    the demo's database."""
    return [
        pk
        for pk, metals in Product.objects.values_list("pk", "metals")
        if metal in (metals or [])
    ]


def _purchase_lines(segment: Segment):
    """Lines of sales (Order.objects.purchases) matching every purchase
    criterion of the segment, or None if it has none."""
    conditions = {}
    if segment.purchase_collection_id:
        conditions["product__collection_id"] = segment.purchase_collection_id
    if segment.purchase_category:
        conditions["product__category"] = segment.purchase_category
    if segment.purchase_metal:
        conditions["product_id__in"] = _products_with_metal(segment.purchase_metal)
    if segment.purchased_from:
        conditions["order__created_at__date__gte"] = segment.purchased_from
    if segment.purchased_to:
        conditions["order__created_at__date__lte"] = segment.purchased_to
    if segment.purchase_min_eur is not None:
        conditions["euros__gte"] = segment.purchase_min_eur
    if segment.purchase_max_eur is not None:
        conditions["euros__lte"] = segment.purchase_max_eur
    if not conditions:
        return None
    return (
        OrderLine.objects.filter(order__in=Order.objects.purchases())
        .annotate(euros=_euros(F("unit_price") * F("quantity")))
        .filter(order__client_id=OuterRef("pk"), **conditions)
    )


def _important_date_within(days: int, today: date):
    return ImportantDate.objects.filter(client_id=OuterRef("pk")).filter(
        Q(recurring=True) & anniversaries_within("date", today, days)
        | Q(recurring=False, date__range=(today, today + timedelta(days=days)))
    )


def _bought_since(since: datetime):
    return Order.objects.purchases().filter(
        client_id=OuterRef("pk"), created_at__gte=since
    )


def matching_clients(segment: Segment, *, user, now: datetime | None = None):
    """The live clients the user sees in the segment's boutiques that meet
    every criterion, before the exclusions (a queryset)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    clients = (
        Client.objects.visible_to(user)
        .live()
        .filter(home_boutique_id__in=[b.pk for b in segment.boutiques.all()])
    )
    if segment.adviser_id:
        clients = clients.advised_by(segment.adviser)
    if segment.preferred_collection_id:
        clients = clients.filter(
            Exists(
                Interest.objects.filter(
                    client_id=OuterRef("pk"),
                    collection_id=segment.preferred_collection_id,
                )
            )
        )
    if segment.preferred_channel:
        clients = clients.filter(
            Exists(
                ContactPreference.objects.filter(
                    client_id=OuterRef("pk"), channel=segment.preferred_channel
                )
            )
        )
    lines = _purchase_lines(segment)
    if lines is not None:
        clients = clients.filter(Exists(lines))
    if segment.lifetime_value_min_eur is not None:
        clients = clients.filter(lifetime_value__gte=segment.lifetime_value_min_eur)
    if segment.lifetime_value_max_eur is not None:
        clients = clients.filter(lifetime_value__lte=segment.lifetime_value_max_eur)
    if segment.contacted_within_days:
        since = now - timedelta(days=segment.contacted_within_days)
        clients = clients.filter(last_contact_at__gte=since)
    if segment.not_contacted_for_days:
        since = now - timedelta(days=segment.not_contacted_for_days)
        clients = clients.filter(
            Q(last_contact_at__lt=since) | Q(last_contact_at__isnull=True)
        )
    if segment.bought_within_days:
        since = now - timedelta(days=segment.bought_within_days)
        clients = clients.filter(Exists(_bought_since(since)))
    if segment.not_bought_for_days:
        since = now - timedelta(days=segment.not_bought_for_days)
        clients = clients.exclude(Exists(_bought_since(since)))
    if segment.important_date_within_days:
        clients = clients.filter(
            Exists(_important_date_within(segment.important_date_within_days, today))
        )
    if segment.language:
        clients = clients.filter(preferred_language=segment.language)
    return clients


class _Counted:
    """A members queryset whose count is already known: the paginator asks
    for count() and slices; no second count query."""

    def __init__(self, queryset, count: int):
        self.queryset, self._count = queryset, count

    def count(self) -> int:
        return self._count

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index):
        return list(self.queryset[index])


@dataclass
class Membership:
    """Who is in a segment for one reader, and who was left out, why.

    `members`: the members' ids in SQL (a values queryset ordered by id),
    or None when an eligibility criterion was checked in Python, then
    `client_ids` was filled. `count` is always known."""

    members: object = None
    count: int = 0
    excluded_by_reason: dict[str, int] = field(default_factory=dict)
    ids: list[int] | None = None

    @cached_property
    def client_ids(self) -> list[int]:
        if self.ids is not None:
            return self.ids
        return list(self.members)

    def pages(self):
        """What a Paginator walks: the ids, counted once."""
        if self.ids is not None:
            return self.ids
        return _Counted(self.members, self.count)

    @property
    def excluded_count(self) -> int:
        return sum(self.excluded_by_reason.values())


def _objecting(purpose_ids: list[int]):
    """Ids of the clients whose current decision (latest by decided_at,
    then id) on one of `purpose_ids` is an objection: the objections no
    later decision on the same client and purpose replaced (consents'
    `current_objections`, NOT EXISTS a later row). Portable (SQLite has
    no DISTINCT ON) and it reads only the objections, each checked by one
    probe of the (client, purpose, decided_at, id) index (decision 0094)."""
    return (
        ConsentDecision.objects.filter(purpose_id__in=purpose_ids)
        .current_objections()
        .values("client_id")
    )


@dataclass(frozen=True)
class Exclusions:
    """The clients each exclusion reason names, as id lists read once per
    count (in the order of EXCLUSION_REASONS): a few percent of the
    clients at most. Given to the counting query as constant arrays, which
    PostgreSQL hashes once and, unlike id IN (subquery), lets a parallel
    scan test (decision 0122)."""

    restricted: list[int]
    objecting: list[int]
    suppressed: list[int]

    def by_reason(self):
        return zip(
            EXCLUSION_REASONS,
            (self.restricted, self.objecting, self.suppressed),
            strict=True,
        )

    def any(self) -> list[int]:
        return sorted({*self.restricted, *self.objecting, *self.suppressed})


def exclusions(*, purpose_ids: list[int], now: datetime) -> Exclusions:
    """The restricted, objecting and suppressed clients, now: three small
    reads, each from its own side (the restrictions in force, the current
    objections, the suppression list joined to the contact rows' digest
    index)."""
    sources, unhashed = suppressed_client_sources()
    suppressed = set(unhashed)
    # The suppression list's few thousand digests, each found in the
    # contact rows' digest index, rather than a scan of every client's
    # email hashed against the list (decision 0122).
    with transaction.atomic(), index_scans():
        for source in sources:
            suppressed.update(source.values_list("client_id", flat=True))
    return Exclusions(
        restricted=sorted(
            set(Restriction.objects.in_force(now).values_list("client_id", flat=True))
        ),
        objecting=sorted(
            set(_objecting(purpose_ids).values_list("client_id", flat=True))
        ),
        suppressed=sorted(suppressed),
    )


def left_out_reason(excluded: Exclusions) -> Case:
    """Per client, the first reason a segment leaves it out (in the order
    of EXCLUSION_REASONS), or "" when none: each an id = ANY(array)."""
    return Case(
        *(
            When(InIds(F("pk"), ids), then=Value(str(reason)))
            for reason, ids in excluded.by_reason()
        ),
        default=Value(""),
        output_field=CharField(),
    )


def left_out_by_reason(
    segment: Segment,
    *,
    user,
    now: datetime | None = None,
    excluded: Exclusions | None = None,
) -> dict[str, int]:
    """How many clients matching the segment are left out, by their first
    reason (EXCLUSION_REASONS): segment_membership's excluded_by_reason,
    read from the clients some reason names only (a few percent), so its
    cost follows the exclusions, not the segment's size."""
    now = now or timezone.now()
    if excluded is None:
        excluded = exclusions(purpose_ids=_purposes_objected_to(segment), now=now)
    counts = dict(
        matching_clients(segment, user=user, now=now)
        .filter(InIds(F("pk"), excluded.any()))
        .annotate(left_out=left_out_reason(excluded))
        .values("left_out")
        .annotate(n=Count("pk"))
        .values_list("left_out", "n")
    )
    return {
        reason: counts[str(reason)]
        for reason in EXCLUSION_REASONS
        if counts.get(str(reason))
    }


@dataclass
class MemberList:
    """A segment's members for one reader, to page through without
    counting them all (the segment's clients page): `members` the ids in
    SQL (ordered by id), or `ids` when an eligibility criterion was checked
    in Python; `excluded_by_reason` as segment_membership's. A
    core.paginators.EstimatedCountPaginator over pages() counts at most
    its reachable rows."""

    excluded_by_reason: dict[str, int]
    members: object = None
    ids: list[int] | None = None

    def pages(self):
        return self.ids if self.ids is not None else self.members


def segment_member_list(
    segment: Segment, *, user, now: datetime | None = None
) -> MemberList:
    """The segment's members for `user`, uncounted (segment_membership
    counts them all, for the segment's page and its jobs)."""
    now = now or timezone.now()
    if segment.eligible_purpose_id:
        membership = segment_membership(segment, user=user, now=now)
        return MemberList(
            excluded_by_reason=membership.excluded_by_reason,
            ids=membership.client_ids,
        )
    excluded = exclusions(purpose_ids=_purposes_objected_to(segment), now=now)
    by_reason = left_out_by_reason(segment, user=user, now=now, excluded=excluded)
    members = (
        matching_clients(segment, user=user, now=now)
        .annotate(left_out=left_out_reason(excluded))
        .filter(left_out="")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return MemberList(excluded_by_reason=by_reason, members=members)


def objecting_to_segmentation():
    """Ids of the clients whose current decision on statistics and
    segmentation is an objection (a values queryset, for pk__in)."""
    latest = ConsentDecision.objects.filter(
        client_id=OuterRef("client_id"), purpose__code=registry.STATISTICS_SEGMENTATION
    ).order_by("-decided_at", "-id")
    return (
        ConsentDecision.objects.filter(purpose__code=registry.STATISTICS_SEGMENTATION)
        .annotate(latest=Subquery(latest.values("pk")[:1]))
        .filter(pk=F("latest"), decision=OBJECT)
        .values("client_id")
    )


def _purposes_objected_to(segment: Segment) -> list[int]:
    codes = [registry.STATISTICS_SEGMENTATION]
    if segment.eligible_purpose_id:
        codes.append(segment.eligible_purpose.code)
    return list(Purpose.objects.filter(code__in=codes).values_list("pk", flat=True))


def segment_membership(
    segment: Segment, *, user, now: datetime | None = None
) -> Membership:
    """The segment's members for `user` (ordered by id) and the clients left
    out, counted by reason: one grouped query, in SQL (decision 0086).
    An eligibility criterion (consents' outreach_eligibility) is then
    checked on the kept ids in CHUNK_SIZE chunks."""
    now = now or timezone.now()
    excluded = exclusions(purpose_ids=_purposes_objected_to(segment), now=now)
    matching = matching_clients(segment, user=user, now=now).annotate(
        left_out=left_out_reason(excluded)
    )
    counts = dict(
        matching.values("left_out").annotate(n=Count("pk")).values_list("left_out", "n")
    )
    membership = Membership(
        excluded_by_reason={
            reason: counts[str(reason)]
            for reason in EXCLUSION_REASONS
            if counts.get(str(reason))
        }
    )
    members = matching.filter(left_out="").order_by("pk").values_list("pk", flat=True)
    if not segment.eligible_purpose_id:
        membership.members, membership.count = members, counts.get("", 0)
        return membership
    # Eligibility is a criterion: a client without consent or address for
    # the channel simply does not match it.
    kept = list(members)
    membership.ids = []
    for start in range(0, len(kept), CHUNK_SIZE):
        membership.ids.extend(
            outreach_eligibility(
                purpose_code=segment.eligible_purpose.code,
                channel=segment.eligible_channel,
                client_ids=kept[start : start + CHUNK_SIZE],
                now=now,
            ).eligible
        )
    membership.count = len(membership.ids)
    return membership


def members_per_adviser(client_ids: list[int], *, fallback) -> list[tuple[str, int]]:
    """(adviser's name, how many members) for a campaign's check page: the
    main adviser, else `fallback` (the requester), most first."""
    counts: Counter = Counter()
    names = {}
    for start in range(0, len(client_ids), CHUNK_SIZE):
        rows = Client.objects.filter(
            pk__in=client_ids[start : start + CHUNK_SIZE]
        ).values_list(
            "primary_adviser_id",
            "primary_adviser__first_name",
            "primary_adviser__last_name",
            "primary_adviser__username",
            "primary_adviser__is_active",
        )
        for primary_id, first, last, username, active in rows:
            if primary_id is None or not active:
                adviser_id = fallback.pk
                name = fallback.get_full_name() or fallback.get_username()
            else:
                adviser_id, name = primary_id, f"{first} {last}".strip() or username
            names[adviser_id] = name
            counts[adviser_id] += 1
    return [(names[pk], n) for pk, n in counts.most_common()]

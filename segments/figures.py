"""The dashboards' figures (issue 15): reads only, one function per figure.

Every figure is a `Figure`: a title, its columns, and rows whose label,
values and link (the filtered list behind the row) the page draws as a
chart, shows as a table beside it, and exports as CSV. Amounts are in
euros at the budget rates (decision 0104) unless the figure says
otherwise. Each figure is a handful of grouped queries over one boutique
and one date range; tests/segments/test_figures.py checks each against a
direct query over a small fixed data set.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import partial

from django.conf import settings
from django.db.models import (
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate, TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from clienteling.models import Appointment, Client, ContactEvent, FollowUp, User
from clienteling.services import LAPSING_AFTER_DAYS
from consents.models import ConsentDecision, Purpose
from orders.models import Order

PURCHASE_STATUSES = ("invoiced", "delivered", "returned")

EUR = "eur"
COUNT = "count"
PERCENT = "percent"


@dataclass
class Row:
    label: str
    values: list
    url: str = ""
    # The column whose count the link lists; None: the row's values summed.
    listed_column: int | None = None


@dataclass
class Figure:
    key: str
    title: str
    unit: str
    columns: list[str]
    rows: list[Row] = field(default_factory=list)
    note: str = ""
    # Per-row currency (sales per currency): amounts in their own money.
    currencies: list[str] = field(default_factory=list)

    def chart_data(self) -> dict:
        """What static/segments/dashboard.js draws (through json_script)."""
        return {
            "key": self.key,
            "unit": self.unit,
            "labels": [row.label for row in self.rows],
            "urls": [row.url for row in self.rows],
            "series": [
                {
                    "label": str(column),
                    "data": [float(row.values[i] or 0) for row in self.rows],
                }
                for i, column in enumerate(self.columns)
            ],
        }


@dataclass(frozen=True)
class Period:
    """[start, end] in days, both included, read in the current time zone."""

    start: date
    end: date

    @property
    def since(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.start, time.min))

    @property
    def until(self) -> datetime:
        """The first moment after the period."""
        return timezone.make_aware(
            datetime.combine(self.end + timedelta(days=1), time.min)
        )


def default_period(today: date) -> Period:
    """The last twelve months, to today."""
    start = (today.replace(day=1) - timedelta(days=335)).replace(day=1)
    return Period(start, today)


def euros(amount_field: str = "total"):
    """An order amount in euros at the budget rates."""
    return ExpressionWrapper(
        F(amount_field)
        * Case(
            *(
                When(currency=code, then=Value(Decimal(str(rate))))
                for code, rate in settings.BUDGET_RATES_EUR.items()
            ),
            default=Value(Decimal("1")),
        ),
        output_field=DecimalField(max_digits=20, decimal_places=4),
    )


def _money(value) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"))


def _name(user_id, names) -> str:
    return names.get(user_id) or str(_("No adviser"))


def _staff_names(ids) -> dict:
    return {
        u.pk: (u.get_full_name() or u.username)
        for u in User.objects.filter(pk__in=[i for i in ids if i])
    }


def _month_label(month) -> str:
    return date_format(month, "YEAR_MONTH_FORMAT")


def clients_url(*, boutique, adviser_id=None, **extra) -> str:
    """The dashboard's client list behind a figure (by adviser, lapsing)."""
    query = {"boutique": boutique.pk, **extra}
    if adviser_id:
        query["adviser"] = adviser_id
    return f"{reverse('admin:segments_dashboard_clients')}?{urlencode(query)}"


def _created_within(month, period: Period) -> dict:
    """The dashboard client list's filter for the clients created in
    `month` (a date or datetime) within the period: the days both cover."""
    first = _month_key(month)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return {
        "created_from": max(first, period.start).isoformat(),
        "created_to": min(last, period.end).isoformat(),
    }


def adviser_period(span: str, today: date) -> Period:
    """The adviser dashboard's preset periods (PERIOD_SPANS)."""
    month_start = today.replace(day=1)
    if span == "last_month":
        end = month_start - timedelta(days=1)
        return Period(end.replace(day=1), end)
    if span == "last_90_days":
        return Period(today - timedelta(days=89), today)
    return Period(month_start, today)


def _orders_url(boutique) -> str:
    return (
        f"{reverse('admin:orders_order_changelist')}?"
        f"{urlencode({'boutique__id__exact': boutique.pk})}"
    )


def admin_list_url(changelist: str, **query) -> str:
    """An admin changelist filtered to the rows a figure counts."""
    return f"{reverse(changelist)}?{urlencode(query)}"


def _within(field: str, period: Period) -> dict:
    """The changelist lookups for a moment within the period."""
    return {
        f"{field}__gte": period.since.isoformat(),
        f"{field}__lt": period.until.isoformat(),
    }


def _staff_lookup(field: str, user_id) -> dict:
    if user_id:
        return {f"{field}__id__exact": user_id}
    return {f"{field}__isnull": "True"}


def _contacts_url(boutique, period: Period, **query) -> str:
    """The contact log behind a contacts figure: the boutique's clients'
    contacts within the period."""
    return admin_list_url(
        "admin:clienteling_contactevent_changelist",
        home_boutique=boutique.pk,
        **_within("occurred_at", period),
        **query,
    )


def _month_key(value) -> date:
    return date(value.year, value.month, 1)


_GROUPS = {
    # by: (the fact's column, the live order's expression, the key)
    "month": ("month", TruncMonth("created_at"), _month_key),
    "adviser": ("adviser_id", F("adviser_id"), lambda v: v),
    "currency": ("currency", F("currency"), lambda v: v),
}


def sales_grouped(boutique, period: Period, by: str) -> dict:
    """{key: [orders, amount in its currency, amount in euros]} of the
    period's sales, from the daily facts for the days they cover
    (segments.facts, decision 0067) and from the orders for the rest
    (today, and any day since the last rebuild)."""
    from segments.facts import built_at
    from segments.models import SalesFact

    column, expression, key = _GROUPS[by]
    totals: dict = defaultdict(lambda: [0, Decimal(0), Decimal(0)])
    as_of = built_at()
    if as_of is not None:
        # The facts hold every sale before the rebuild's moment (decision
        # 0121), today's day included up to then.
        facts = SalesFact.objects.filter(
            boutique=boutique, day__gte=period.start, day__lte=period.end
        )
        if by == "month":
            facts = facts.annotate(month=TruncMonth("day"))
        for row in (
            facts.values(column)
            .annotate(n=Sum("orders"), amount=Sum("amount"), eur=Sum("amount_eur"))
            .order_by()
        ):
            found = totals[key(row[column])]
            found[0] += row["n"]
            found[1] += row["amount"]
            found[2] += row["eur"]
    live_since = period.since if as_of is None else max(period.since, as_of)
    live = (
        Order.objects.purchases()
        .filter(
            boutique=boutique, created_at__gte=live_since, created_at__lt=period.until
        )
        .annotate(group=expression)
        .values("group")
        .annotate(n=Count("pk"), amount=Sum("total"), eur=Sum(euros()))
        .order_by()
    )
    for row in live:
        found = totals[key(row["group"])]
        found[0] += row["n"]
        found[1] += row["amount"]
        found[2] += row["eur"]
    return dict(totals)


def _snapshot_kinds():
    from segments.models import ClientSnapshot

    return ClientSnapshot.Kind


def sales_as_of():
    """When the daily facts were last rebuilt (None: never; all live)."""
    from segments.facts import built_at

    return built_at()


def snapshots(kind: str, *, today: date):
    """The nightly ClientSnapshot rows of `kind` when the latest rebuild
    was taken today (in TIME_ZONE), else None: the figure then reads live
    (decision 0111)."""
    from segments.facts import built_at
    from segments.models import ClientSnapshot

    as_of = built_at()
    if (
        as_of is None
        or timezone.localdate(as_of, timezone.get_default_timezone()) != today
    ):
        return None
    return ClientSnapshot.objects.filter(kind=kind)


def live_clients():
    """The clients every client figure counts: live, with a home boutique
    or not (the snapshots group them by home boutique)."""
    return Client.objects.live()


def consent_purposes():
    return Purpose.objects.filter(is_active=True, legal_basis="consent")


def current_grants(purposes, clients):
    """The current grants (grants no later decision on the same client
    and purpose replaced: decided_at then id, consents' rule, decision
    0200; NOT EXISTS a later row, portable: decision 0094) of `clients`
    for `purposes`."""
    return (
        ConsentDecision.objects.filter(
            purpose__in=purposes,
            client__in=clients,
            decision=ConsentDecision.Decision.GRANT,
        )
        .current()
        .order_by()
    )


# --- Manager ------------------------------------------------------------------


def sales_per_month(boutique, period: Period) -> Figure:
    rows = sorted(sales_grouped(boutique, period, "month").items())
    url = _orders_url(boutique)
    return Figure(
        key="sales-per-month",
        title=_("Sales per month (EUR at budget rates)"),
        unit=EUR,
        columns=[_("Sales (EUR)")],
        rows=[Row(_month_label(month), [_money(v[2])], url) for month, v in rows],
    )


def sales_per_adviser(boutique, period: Period) -> Figure:
    rows = sorted(
        sales_grouped(boutique, period, "adviser").items(),
        key=lambda item: (-item[1][2], item[0] or 0),
    )
    names = _staff_names(adviser_id for adviser_id, _v in rows)
    return Figure(
        key="sales-per-adviser",
        title=_("Sales per adviser (EUR at budget rates)"),
        unit=EUR,
        columns=[_("Sales (EUR)")],
        rows=[
            Row(
                _name(adviser_id, names),
                [_money(v[2])],
                clients_url(boutique=boutique, adviser_id=adviser_id)
                if adviser_id
                else "",
            )
            for adviser_id, v in rows
        ],
        note=_("Select an adviser's bar to open the clients they advise."),
    )


def sales_per_currency(boutique, period: Period) -> Figure:
    rows = sorted(sales_grouped(boutique, period, "currency").items())
    return Figure(
        key="sales-per-currency",
        title=_("Sales per currency (in that currency)"),
        unit=COUNT,
        columns=[_("Orders")],
        rows=[
            Row(
                currency,
                [v[0]],
                admin_list_url(
                    "admin:orders_order_changelist",
                    boutique__id__exact=boutique.pk,
                    currency__exact=currency,
                    status__in=",".join(PURCHASE_STATUSES),
                    **_within("created_at", period),
                ),
            )
            for currency, v in rows
        ],
        currencies=[(currency, _money(v[1])) for currency, v in rows],
    )


def _with_new_clients_of_today(rows, boutique, period: Period, today: date) -> list:
    """The snapshot's new clients per month, with those created since the
    snapshot counted live (it holds every client created before its
    moment, decision 0121): one count over the index client_boutique_created
    that reads only those few entries."""
    rows = [{"month": r["month"], "n": r["n"]} for r in rows]
    if not period.start <= today <= period.end:
        return rows
    start = max(sales_as_of(), period.since)
    n = (
        live_clients()
        .filter(
            home_boutique=boutique, created_at__gte=start, created_at__lt=period.until
        )
        .count()
    )
    if n:
        month = today.replace(day=1)
        for row in rows:
            if row["month"] == month:
                row["n"] += n
                break
        else:
            rows.append({"month": month, "n": n})
    return rows


def new_and_lapsing_clients(boutique, period: Period, *, today: date) -> Figure:
    """New clients per month of creation, and lapsing clients: from the
    nightly snapshot when it was taken today (new clients up to
    yesterday, lapsing as of the rebuild), else live."""
    kind_of = _snapshot_kinds()
    new_facts = snapshots(kind_of.NEW_CLIENTS, today=today)
    if new_facts is not None:
        new_rows = (
            new_facts.filter(
                boutique=boutique, day__gte=period.start, day__lte=period.end
            )
            .annotate(month=TruncMonth("day"))
            .values("month")
            .annotate(n=Sum("clients"))
            .order_by("month")
        )
        new_rows = _with_new_clients_of_today(new_rows, boutique, period, today)
        lapsing_now = (
            snapshots(kind_of.LAPSING, today=today)
            .filter(boutique=boutique)
            .aggregate(n=Coalesce(Sum("clients"), 0))["n"]
        )
    else:
        live = live_clients().filter(home_boutique=boutique)
        new_rows = (
            live.filter(created_at__gte=period.since, created_at__lt=period.until)
            .annotate(month=TruncMonth("created_at"))
            .values("month")
            .annotate(n=Count("pk"))
            .order_by("month")
        )
        lapsing_now = lapsing(live, today=today).count()
    rows = [
        Row(
            _month_label(r["month"]),
            [r["n"]],
            clients_url(boutique=boutique, **_created_within(r["month"], period)),
        )
        for r in new_rows
    ]
    rows.append(
        Row(
            str(_("Lapsing now")),
            [lapsing_now],
            clients_url(boutique=boutique, lapsing=1),
        )
    )
    return Figure(
        key="new-and-lapsing",
        title=_("New clients per month, and lapsing clients"),
        unit=COUNT,
        columns=[_("Clients")],
        rows=rows,
        note=_(
            "Lapsing: no contact for 18 months. From the nightly figures: new "
            "clients up to the figures' time (those since added live), "
            "lapsing as of the figures' time."
        )
        if new_facts is not None
        else _("Lapsing: no contact for 18 months."),
    )


def contacts_grouped(boutique, period: Period, by: tuple[str, ...]) -> dict:
    """{(values of `by`): contacts} of the period for the boutique's
    clients, from the daily contact facts for the days they cover
    (decision 0088) and from the contact log for the rest; `by` names
    ContactFact columns (staff_id, channel, outcome)."""
    from segments.facts import built_at
    from segments.models import ContactFact

    totals: Counter = Counter()
    live_since = period.since
    as_of = built_at()
    if as_of is not None:
        # Every contact before the rebuild's moment (decision 0121).
        for row in (
            ContactFact.objects.filter(
                boutique=boutique, day__gte=period.start, day__lte=period.end
            )
            .values(*by)
            .annotate(n=Sum("contacts"))
            .order_by()
        ):
            totals[tuple(row[c] for c in by)] += row["n"]
        live_since = max(live_since, as_of)
    for row in (
        ContactEvent.objects.filter(
            client__home_boutique=boutique,
            occurred_at__gte=live_since,
            occurred_at__lt=period.until,
        )
        .values(*by)
        .annotate(n=Count("pk"))
        .order_by()
    ):
        totals[tuple(row[c] for c in by)] += row["n"]
    return dict(totals)


def contacts_per_adviser(boutique, period: Period) -> Figure:
    channels = [c for c, _label in ContactEvent.Channel.choices]
    counts: dict = defaultdict(Counter)
    for (staff_id, channel), n in contacts_grouped(
        boutique, period, ("staff_id", "channel")
    ).items():
        counts[staff_id][channel] += n
    names = _staff_names(counts)
    used = [c for c in channels if any(counts[s][c] for s in counts)]
    labels = dict(ContactEvent.Channel.choices)
    return Figure(
        key="contacts-per-adviser",
        title=_("Contacts per adviser, by channel"),
        unit=COUNT,
        columns=[labels[c] for c in used],
        rows=[
            Row(
                _name(staff_id, names),
                [counts[staff_id][c] for c in used],
                _contacts_url(boutique, period, **_staff_lookup("staff", staff_id)),
            )
            for staff_id in sorted(counts, key=lambda s: _name(s, names))
        ],
    )


def contacts_by_outcome(boutique, period: Period) -> Figure:
    rows = [
        {"outcome": outcome, "n": n}
        for (outcome,), n in sorted(
            contacts_grouped(boutique, period, ("outcome",)).items()
        )
    ]
    labels = dict(ContactEvent.Outcome.choices)
    return Figure(
        key="contacts-by-outcome",
        title=_("Contacts by outcome"),
        unit=COUNT,
        columns=[_("Contacts")],
        rows=[
            Row(
                str(labels.get(r["outcome"], _("No outcome recorded"))),
                [r["n"]],
                _contacts_url(
                    boutique,
                    period,
                    outcome=r["outcome"]
                    if r["outcome"] in labels
                    else "none",  # clienteling.admin.OutcomeFilter.NOT_RECORDED
                ),
            )
            for r in rows
        ],
    )


def follow_up_completion(boutique, period: Period) -> Figure:
    rows = list(
        # The follow-up list's set: active clients' follow-ups only
        # (clienteling.admin.FollowUpAdmin.get_queryset).
        FollowUp.objects.filter(
            client__home_boutique=boutique,
            client__status=Client.Status.ACTIVE,
            due_date__gte=period.start,
            due_date__lte=period.end,
        )
        .values("adviser_id")
        .annotate(
            done=Count("pk", filter=Q(status=FollowUp.Status.DONE)),
            due=Count("pk", filter=~Q(status=FollowUp.Status.DISMISSED)),
        )
        .order_by("adviser_id")
    )
    names = _staff_names(r["adviser_id"] for r in rows)
    return Figure(
        key="follow-up-completion",
        title=_("Follow-ups done, of those due in the period"),
        unit=COUNT,
        columns=[_("Done"), _("Not done")],
        rows=[
            Row(
                _name(r["adviser_id"], names),
                [r["done"], r["due"] - r["done"]],
                admin_list_url(
                    "admin:clienteling_followup_changelist",
                    home_boutique=boutique.pk,
                    due_date__gte=period.start.isoformat(),
                    due_date__lte=period.end.isoformat(),
                    status__in=f"{FollowUp.Status.OPEN},{FollowUp.Status.DONE}",
                    **_staff_lookup("adviser", r["adviser_id"]),
                ),
            )
            for r in rows
        ],
    )


def appointments_held(boutique, period: Period) -> Figure:
    counts = dict(
        Appointment.objects.filter(
            boutique=boutique,
            starts_at__gte=period.since,
            starts_at__lt=period.until,
        )
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    shown = (
        Appointment.Status.ATTENDED,
        Appointment.Status.NO_SHOW,
        Appointment.Status.CANCELLED,
        Appointment.Status.BOOKED,
    )
    return Figure(
        key="appointments",
        title=_("Appointments held and no-shows"),
        unit=COUNT,
        columns=[_("Appointments")],
        rows=[
            Row(
                str(s.label),
                [counts.get(s.value, 0)],
                admin_list_url(
                    "admin:clienteling_appointment_changelist",
                    boutique__id__exact=boutique.pk,
                    status=s.value,
                    **_within("starts_at", period),
                ),
            )
            for s in shown
        ],
    )


def consent_rates(boutique, *, today: date | None = None) -> Figure:
    """Per purpose: the share of the boutique's live clients whose current
    decision is a grant, and the channel it was given on; from the
    nightly snapshot when it was taken today, else live (one query at
    any size each)."""
    today = today or timezone.localdate()
    purposes = list(consent_purposes().order_by("name"))
    granted: dict = defaultdict(Counter)
    kind_of = _snapshot_kinds()
    facts = snapshots(kind_of.CONSENTS, today=today)
    if facts is not None:
        grants = facts.filter(boutique=boutique).values_list(
            "purpose_id", "channel", "clients"
        )
        total = (
            snapshots(kind_of.CLIENTS, today=today)
            .filter(boutique=boutique)
            .aggregate(n=Coalesce(Sum("clients"), 0))["n"]
        )
    else:
        clients = live_clients().filter(home_boutique=boutique)
        grants = (
            current_grants(purposes, clients)
            .values("purpose_id", "channel")
            .annotate(n=Count("pk"))
            .values_list("purpose_id", "channel", "n")
        )
        total = clients.count()
    for purpose_id, channel, n in grants:
        granted[purpose_id][channel] += n
    channels = [c for c, _label in ConsentDecision._meta.get_field("channel").choices]
    used = [c for c in channels if any(granted[p.pk][c] for p in purposes)]
    labels = dict(ConsentDecision._meta.get_field("channel").choices)

    def share(n):
        return (Decimal(100) * n / total).quantize(Decimal("0.1")) if total else 0

    return Figure(
        key="consent-rates",
        title=_("Consent rates per purpose, by the channel it was given on (%)"),
        unit=PERCENT,
        columns=[labels[c] for c in used],
        rows=[
            Row(
                p.name,
                [share(granted[p.pk][c]) for c in used],
                admin_list_url(
                    "admin:clienteling_client_changelist",
                    boutique=boutique.pk,
                    consent=p.pk,
                ),
            )
            for p in purposes
        ],
        note=_("Share of the boutique's clients whose consent is current."),
    )


def manager_figures(boutique, period: Period, *, today: date) -> list[Figure]:
    return [
        sales_per_month(boutique, period),
        sales_per_adviser(boutique, period),
        sales_per_currency(boutique, period),
        new_and_lapsing_clients(boutique, period, today=today),
        contacts_per_adviser(boutique, period),
        contacts_by_outcome(boutique, period),
        follow_up_completion(boutique, period),
        appointments_held(boutique, period),
        consent_rates(boutique, today=today),
    ]


def lapsing_condition(*, today: date) -> Q:
    """No contact for LAPSING_AFTER_DAYS (creation standing in for a
    client never contacted): the home's and the follow-ups' rule."""
    before = timezone.make_aware(
        datetime.combine(today - timedelta(days=LAPSING_AFTER_DAYS), time.min)
    )
    return Q(last_contact_at__lt=before) | Q(
        last_contact_at__isnull=True, created_at__lt=before
    )


def lapsing(clients, *, today: date):
    """The lapsing clients among `clients` (lapsing_condition)."""
    return clients.filter(lapsing_condition(today=today))


# --- Adviser --------------------------------------------------------------------


def adviser_figures(user, *, today: date, period: Period | None = None) -> list[Figure]:
    """My book (active, lapsing, new in the period) and my follow-ups of
    the period (done, due and still open); the period defaults to this
    month."""
    period = period or adviser_period("this_month", today)
    mine = (
        reverse("admin:segments_dashboard_clients")
        + "?"
        + urlencode({"adviser": user.pk})
    )
    created = {
        "created_from": period.start.isoformat(),
        "created_to": period.end.isoformat(),
    }
    # The book counted under conditions (the same sets as the lists behind
    # the rows) in two index-only scans of the book's partial indexes
    # (decision 0039, as the home's my_book): the clients I advise as
    # primary adviser, then as secondary only. One OR of the two columns
    # would read each client's row.
    counted = Counter()
    live = Client.objects.live().order_by()
    for part in (
        live.filter(primary_adviser=user),
        live.filter(secondary_adviser=user).exclude(primary_adviser=user),
    ):
        # created_at is never null and in both indexes: counting it keeps
        # the scan index-only.
        counted.update(
            part.aggregate(
                active=Count("*"),
                lapsing=Count("created_at", filter=lapsing_condition(today=today)),
                new=Count(
                    "created_at",
                    filter=Q(created_at__gte=period.since, created_at__lt=period.until),
                ),
            )
        )
    book_rows = [
        Row(str(_("Active")), [counted["active"]], mine),
        Row(str(_("Lapsing")), [counted["lapsing"]], mine + "&lapsing=1"),
        Row(
            str(_("New in the period")),
            [counted["new"]],
            mine + "&" + urlencode(created),
        ),
    ]
    # The follow-up list's set: active clients' follow-ups only.
    follow_ups = FollowUp.objects.filter(
        adviser=user, client__status=Client.Status.ACTIVE
    ).aggregate(
        done=Count(
            "pk",
            filter=Q(
                status=FollowUp.Status.DONE,
                done_at__gte=period.since,
                done_at__lt=period.until,
            ),
        ),
        open=Count(
            "pk",
            filter=Q(
                status=FollowUp.Status.OPEN,
                due_date__gte=period.start,
                due_date__lte=min(period.end, today),
            ),
        ),
    )
    done, open_in_period = follow_ups["done"], follow_ups["open"]
    mine_url = partial(
        admin_list_url,
        "admin:clienteling_followup_changelist",
        adviser__id__exact=user.pk,
    )
    return [
        Figure(
            key="my-book",
            title=_("My book"),
            unit=COUNT,
            columns=[_("Clients")],
            rows=book_rows,
        ),
        Figure(
            key="my-follow-ups",
            title=_("My follow-ups in the period"),
            unit=COUNT,
            columns=[_("Follow-ups")],
            rows=[
                Row(
                    str(_("Done")),
                    [done],
                    mine_url(
                        status__exact=FollowUp.Status.DONE,
                        **_within("done_at", period),
                    ),
                ),
                Row(
                    str(_("Due and still open")),
                    [open_in_period],
                    mine_url(
                        status__exact=FollowUp.Status.OPEN,
                        due_date__gte=period.start.isoformat(),
                        due_date__lte=min(period.end, today).isoformat(),
                    ),
                ),
            ],
        ),
    ]


# --- Compliance -----------------------------------------------------------------


def requests_by_kind_and_status(period: Period) -> Figure:
    from privacy.models import DataSubjectRequest as Request

    counts: dict = defaultdict(Counter)
    for kind, status, n in (
        Request.objects.filter(
            received_on__gte=period.start, received_on__lte=period.end
        )
        .values_list("kind", "status")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        counts[kind][status] += n
    statuses = [s for s in Request.Status if any(counts[k][s.value] for k in counts)]
    url = reverse("admin:privacy_datasubjectrequest_changelist")
    return Figure(
        key="requests",
        title=_("Requests received in the period, by kind and status"),
        unit=COUNT,
        columns=[s.label for s in statuses],
        rows=[
            Row(
                str(kind.label),
                [counts[kind.value][s.value] for s in statuses],
                f"{url}?{urlencode({'kind__exact': kind.value})}",
            )
            for kind in Request.Kind
            if counts[kind.value]
        ],
    )


def requests_on_time(period: Period, *, today: date) -> Figure:
    """Closed in the period: on time or late; open now: days left on the
    legal clock (the extended date when extended)."""
    from privacy.models import DataSubjectRequest as Request

    deadline = Coalesce("extended_due_on", "due_on")
    # One grouped pass: each row's set counted under its condition.
    closed = Q(closed_at__gte=period.since, closed_at__lt=period.until)
    open_now = Q(status__in=[Request.Status.RECEIVED, Request.Status.IN_PROGRESS])
    soon = today + timedelta(days=7)
    counts = (
        Request.objects.filter(closed | open_now)
        .annotate(deadline=deadline, closed_on=TruncDate("closed_at"))
        .aggregate(
            on_time=Count("pk", filter=closed & Q(closed_on__lte=F("deadline"))),
            closed=Count("pk", filter=closed),
            overdue=Count("pk", filter=open_now & Q(deadline__lt=today)),
            due_soon=Count(
                "pk", filter=open_now & Q(deadline__gte=today, deadline__lte=soon)
            ),
            due_later=Count("pk", filter=open_now & Q(deadline__gt=soon)),
        )
    )
    on_time = counts["on_time"]
    late = counts["closed"] - on_time
    # The requests list's legal-clock filter selects each row's set
    # (privacy.admin.requests.LegalClockFilter).
    clock = partial(admin_list_url, "admin:privacy_datasubjectrequest_changelist")
    return Figure(
        key="on-time",
        title=_("On time, and days left on the legal clock"),
        unit=COUNT,
        columns=[_("Requests")],
        rows=[
            Row(
                str(_("Closed on time")),
                [on_time],
                clock(clock="closed_on_time", **_within("closed_at", period)),
            ),
            Row(
                str(_("Closed late")),
                [late],
                clock(clock="closed_late", **_within("closed_at", period)),
            ),
            Row(
                str(_("Open, overdue")),
                [counts["overdue"]],
                clock(clock="overdue"),
            ),
            Row(
                str(_("Open, 7 days or fewer left")),
                [counts["due_soon"]],
                clock(clock="due_soon"),
            ),
            Row(
                str(_("Open, more than 7 days left")),
                [counts["due_later"]],
                clock(clock="due_later"),
            ),
        ],
    )


def erasures_and_retention_runs(period: Period) -> Figure:
    from privacy.models import ErasureJob, RetentionRun

    erasures = dict(
        ErasureJob.objects.filter(
            status=ErasureJob.Status.DONE,
            finished_at__gte=period.since,
            finished_at__lt=period.until,
        )
        .annotate(month=TruncMonth("finished_at"))
        .values_list("month")
        .annotate(n=Count("pk"))
        .order_by()
    )
    runs = dict(
        RetentionRun.objects.filter(
            started_at__gte=period.since, started_at__lt=period.until
        )
        .annotate(month=TruncMonth("started_at"))
        .values_list("month")
        .annotate(n=Count("pk"))
        .order_by()
    )
    months = sorted(set(erasures) | set(runs))
    return Figure(
        key="erasures",
        title=_("Erasures done and retention runs, per month"),
        unit=COUNT,
        columns=[_("Erasures"), _("Retention runs")],
        rows=[
            Row(
                _month_label(m),
                [erasures.get(m, 0), runs.get(m, 0)],
                reverse("admin:privacy_erasurejob_changelist"),
            )
            for m in months
        ],
    )


FORECAST_DAYS = (30, 90)


def _forecast_rules():
    """(rule, handler) of each retention rule that erases clients."""
    from privacy import retention
    from privacy.models import RetentionRule
    from privacy.retention_preview import erases_clients

    for rule in RetentionRule.objects.order_by("code"):
        handler = retention.HANDLERS.get(rule.code)
        if handler is not None and erases_clients(rule.code):
            yield rule, handler


def retention_due_counts(*, today: date) -> list[tuple[str, int, int]]:
    """(rule code, days ahead, clients due) for each rule erasing clients
    and each of FORECAST_DAYS: the live forecast, two counts per rule over
    every client (what the nightly snapshot takes)."""
    now = timezone.make_aware(datetime.combine(today, time.min))
    return [
        (rule.code, days, handler.due(rule, now + timedelta(days=days)).count())
        for rule, handler in _forecast_rules()
        for days in FORECAST_DAYS
    ]


def retention_forecast(*, today: date) -> Figure:
    """Per rule erasing clients: how many are due within 30 and 90 days;
    from the nightly snapshot when it was taken today, else live."""
    facts = snapshots(_snapshot_kinds().RETENTION_DUE, today=today)
    if facts is not None:
        due = {
            (code, days): n
            for code, days, n in facts.values_list(
                "rule_code", "within_days", "clients"
            )
        }
    else:
        due = {(code, days): n for code, days, n in retention_due_counts(today=today)}
    rows = [
        Row(
            str(rule),
            [due.get((rule.code, days), 0) for days in FORECAST_DAYS],
            # The clients due within 90 days (those within 30 among them).
            admin_list_url(
                "admin:clienteling_client_changelist",
                retention_due=f"{rule.code}:90",
            ),
            listed_column=1,
        )
        for rule, _handler in _forecast_rules()
    ]
    return Figure(
        key="retention-forecast",
        title=_("Retention forecast: clients due, by rule"),
        unit=COUNT,
        columns=[_("Within 30 days"), _("Within 90 days")],
        rows=rows,
    )


def access_log_by_role(period: Period) -> Figure:
    from core.models import AccessLogEntry
    from core.roles import ROLES

    counts = Counter()
    for group, n in (
        AccessLogEntry.objects.filter(at__gte=period.since, at__lt=period.until)
        .values_list("user__groups__name")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        counts[group if group in ROLES else None] += n
    url = reverse("admin:core_accesslogentry_changelist")
    rows = [Row(str(role), [counts[role]], url) for role in ROLES if counts[role]]
    if counts[None]:
        rows.append(Row(str(_("Other (no role, system)")), [counts[None]], url))
    return Figure(
        key="access-log",
        title=_("Access-log activity by role"),
        unit=COUNT,
        columns=[_("Entries")],
        rows=rows,
        note=_("A person with two roles counts under each."),
    )


def compliance_figures(period: Period, *, today: date) -> list[Figure]:
    return [
        requests_by_kind_and_status(period),
        requests_on_time(period, today=today),
        erasures_and_retention_runs(period),
        retention_forecast(today=today),
        access_log_by_role(period),
    ]

"""What the client side puts on staff's home pages (config.homes composes them).

Every function returns plain values for a template, in a fixed, small number
of queries whatever the size of the book: lists are cut at HOME_ROWS and
counts are single aggregates.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from clienteling.models import (
    Appointment,
    Client,
    ContactEvent,
    FollowUp,
    ImportantDate,
    User,
)
from clienteling.querysets import anniversaries_within, next_occurrence
from clienteling.scoping import visible_boutiques
from clienteling.services import LAPSING_AFTER_DAYS
from core.models import AccessLogEntry
from core.roles import ADVISER

HOME_ROWS = 8


@dataclass
class Book:
    active: int
    lapsing: int
    new_this_month: int


@dataclass
class DateRow:
    client: Client
    kind: str
    label: str
    next_on: date


@dataclass
class TeamRow:
    adviser: User
    open_follow_ups: int
    overdue_follow_ups: int
    contacted_this_month: int
    appointments_this_week: int


def _start_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


def my_book(user, *, today: date) -> Book:
    """The clients this adviser advises: active, lapsing (no contact for 18
    months, as the nightly follow-ups count it), new since the 1st.

    Two aggregates, each an index-only scan of a partial index on live
    clients (decision 0039): those I advise as primary adviser, then those
    I advise as secondary only (a client with me in both roles counts
    once). An OR of the two columns would read every such client's row.
    """
    lapsing_before = _start_of_day(today - timedelta(days=LAPSING_AFTER_DAYS))
    month_start = _start_of_day(today.replace(day=1))
    live = Client.objects.live().order_by()
    totals = Book(0, 0, 0)
    for mine in (
        live.filter(primary_adviser=user),
        live.filter(secondary_adviser=user).exclude(primary_adviser=user),
    ):
        figures = mine.annotate(
            last_seen=Coalesce("last_contact_at", "created_at")
        ).aggregate(
            # created_at is never null and in the index: counting it keeps
            # the scan index-only (Count("pk") would read each row's id).
            active=Count("*"),
            lapsing=Count("created_at", filter=Q(last_seen__lt=lapsing_before)),
            new=Count("created_at", filter=Q(created_at__gte=month_start)),
        )
        totals.active += figures["active"]
        totals.lapsing += figures["lapsing"]
        totals.new_this_month += figures["new"]
    return totals


def follow_ups_due(user, *, today: date, limit: int = HOME_ROWS):
    """My open follow-ups due today or overdue, oldest first, and their count."""
    due = FollowUp.objects.filter(
        adviser=user, status=FollowUp.Status.OPEN, due_date__lte=today
    )
    rows = list(due.select_related("client").order_by("due_date", "id")[:limit])
    return rows, due.count()


def appointments_ahead(user, *, today: date, limit: int = HOME_ROWS):
    """My booked appointments today and tomorrow, in order."""
    start = _start_of_day(today)
    end = _start_of_day(today + timedelta(days=2))
    return list(
        Appointment.objects.filter(
            adviser=user,
            status=Appointment.Status.BOOKED,
            starts_at__gte=start,
            starts_at__lt=end,
        )
        .select_related("client", "boutique")
        .order_by("starts_at")[:limit]
    )


def dates_ahead(user, *, today: date, days: int = 7, limit: int = HOME_ROWS):
    """Recurring dates of my clients in the next `days` days, soonest first."""
    dates = (
        ImportantDate.objects.filter(
            anniversaries_within("date", today, days),
            recurring=True,
            client__in=Client.objects.live().advised_by(user),
        )
        .select_related("client")
        .order_by()
    )[:200]
    rows = []
    for important in dates:
        rows.append(
            DateRow(
                client=important.client,
                kind=important.get_kind_display(),
                label=important.label,
                next_on=next_occurrence(important.date, today),
            )
        )
    rows.sort(key=lambda row: (row.next_on, row.client.last_name))
    return rows[:limit]


def recently_viewed(user, *, limit: int = HOME_ROWS):
    """The clients this person opened last (from the access log), newest
    first, among those they may still see."""
    opened = (
        AccessLogEntry.objects.filter(
            user=user,
            action=AccessLogEntry.Action.VIEW,
            object_type="clienteling.client",
        )
        .order_by("-at")
        .values_list("object_id", flat=True)[:100]
    )
    ids = []
    for object_id in opened:
        if object_id.isdigit() and int(object_id) not in ids:
            ids.append(int(object_id))
        if len(ids) == limit:
            break
    clients = Client.objects.visible_to(user).live().in_bulk(ids)
    return [clients[pk] for pk in ids if pk in clients]


def calls_today(user, *, today: date, limit: int = HOME_ROWS):
    """The contacts this person logged today, newest first, and their count."""
    logged = ContactEvent.objects.filter(
        staff=user, occurred_at__gte=_start_of_day(today)
    )
    rows = list(logged.select_related("client").order_by("-occurred_at")[:limit])
    return rows, logged.count()


def _per_adviser(queryset, by: str, **figures) -> dict[int, dict]:
    """One grouped aggregate over the team's rows: {adviser id: figures}."""
    return {
        row.pop(by): row for row in queryset.order_by().values(by).annotate(**figures)
    }


def team_board(user, *, today: date) -> list[TeamRow]:
    """Each adviser of the manager's boutiques: open and overdue follow-ups,
    clients contacted since the 1st, appointments this week.

    The team, then one grouped aggregate per table over the team's rows
    (decision 0040): each reads its index once for the whole team, where a
    correlated count per adviser walked the table once per adviser. Four
    queries, whatever the size of the team or of the tables.
    """
    boutiques = visible_boutiques(user)
    month_start = _start_of_day(today.replace(day=1))
    week_start = _start_of_day(today - timedelta(days=today.weekday()))
    team = list(
        User.objects.filter(
            is_active=True, boutiques__in=boutiques, groups__name=ADVISER
        )
        .distinct()
        .order_by("last_name", "first_name", "username")
    )
    ids = [member.pk for member in team]
    follow_ups = _per_adviser(
        FollowUp.objects.filter(adviser__in=ids, status=FollowUp.Status.OPEN),
        "adviser",
        open=Count("pk"),
        overdue=Count("pk", filter=Q(due_date__lt=today)),
    )
    contacted = _per_adviser(
        ContactEvent.objects.filter(staff__in=ids, occurred_at__gte=month_start),
        "staff",
        clients=Count("client", distinct=True),
    )
    appointments = _per_adviser(
        Appointment.objects.filter(
            adviser__in=ids,
            starts_at__gte=week_start,
            starts_at__lt=week_start + timedelta(days=7),
        ).exclude(status=Appointment.Status.CANCELLED),
        "adviser",
        booked=Count("pk"),
    )
    nothing = {"open": 0, "overdue": 0, "clients": 0, "booked": 0}
    return [
        TeamRow(
            adviser=member,
            open_follow_ups=follow_ups.get(member.pk, nothing)["open"],
            overdue_follow_ups=follow_ups.get(member.pk, nothing)["overdue"],
            contacted_this_month=contacted.get(member.pk, nothing)["clients"],
            appointments_this_week=appointments.get(member.pk, nothing)["booked"],
        )
        for member in team
    ]

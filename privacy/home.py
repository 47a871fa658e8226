"""What privacy puts on the compliance officer's home (config.homes composes it)."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.utils import timezone

from privacy import notices
from privacy.breaches import breach_clock
from privacy.models import Approval, Breach, Dpia
from privacy.requests import SOON_DAYS, compliance_dashboard

HOME_ROWS = 8
# A breach's clock is 72 hours; one whose CNIL notification is still open
# after a month is shown by the breach register, not the home.
_BREACH_WINDOW = timedelta(days=30)


@dataclass
class RequestDesk:
    rows: list
    open: int
    overdue: int
    due_this_week: int


def request_desk(user, *, today: date, limit: int = HOME_ROWS) -> RequestDesk:
    """Open requests the officer can see, soonest due first, with the legal
    clock's counters (overdue, due within SOON_DAYS days)."""
    rows = compliance_dashboard(user=user, today=today)
    return RequestDesk(
        rows=rows[:limit],
        open=len(rows),
        overdue=sum(1 for row in rows if row.overdue),
        due_this_week=sum(1 for row in rows if row.due_soon),
    )


@dataclass
class Programme:
    """The DPO's programme at a glance: what waits on compliance."""

    # (breach, clock) of the breaches whose CNIL notification is open,
    # fewest hours left first.
    breaches: list = field(default_factory=list)
    dpias_due: int = 0
    notices_pending: int = 0
    notices_failed: int = 0
    approvals_waiting: int = 0


def programme(*, now: datetime | None = None, limit: int = HOME_ROWS) -> Programme:
    """Open breaches with hours left, DPIAs due for review, Art. 19 notices
    pending or failed, four-eyes approvals waiting: a handful of queries
    whatever the registers hold (breaches bounded to the last month)."""
    at = now or timezone.now()
    open_breaches = []
    for breach in Breach.objects.filter(aware_at__gte=at - _BREACH_WINDOW).order_by(
        "aware_at"
    )[:limit]:
        clock = breach_clock(breach, now=at)
        if clock.state in ("running", "overdue"):
            open_breaches.append((breach, clock))
    open_breaches.sort(key=lambda pair: pair[1].hours_left)
    counts = notices.notice_counts()
    return Programme(
        breaches=open_breaches,
        dpias_due=Dpia.objects.filter(review_on__lte=timezone.localdate(at)).count(),
        notices_pending=counts.pending,
        notices_failed=counts.failed,
        approvals_waiting=Approval.objects.filter(
            status=Approval.Status.PENDING
        ).count(),
    )


__all__ = ["SOON_DAYS", "Programme", "RequestDesk", "programme", "request_desk"]

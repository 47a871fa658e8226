"""What privacy puts on the compliance officer's home (config.homes composes it)."""

from dataclasses import dataclass
from datetime import date

from privacy.requests import SOON_DAYS, compliance_dashboard

HOME_ROWS = 8


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


__all__ = ["SOON_DAYS", "RequestDesk", "request_desk"]

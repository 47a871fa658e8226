"""Dates as staff read them, for __str__ and messages outside templates.

Templates use the `date` filter; model __str__ and service messages use
these, so no page shows an ISO timestamp and an unsaved object (no date
yet) still has a name.
"""

from datetime import date, datetime

from django.utils import formats, timezone

NO_DATE = "no date"


def day(value: date | datetime | None) -> str:
    """'7 Dec 2026' in the active language; a datetime in local time."""
    if value is None:
        return NO_DATE
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return formats.date_format(value, "DATE_FORMAT")


def moment(value: datetime | None) -> str:
    """'7 Dec 2026, 14:05' in the active language, in local time."""
    if value is None:
        return NO_DATE
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return formats.date_format(value, "DATETIME_FORMAT")

"""The two helpers every app's services write with.

STYLE.md: every write records who did it (django-simple-history's
`_history_user`) after `full_clean()`, and services that depend on "now"
take `now=None`. Defined once here, at the bottom of the dependency chain.
"""

from datetime import datetime

from django.db import models
from django.utils import timezone


def now_or(now: datetime | None = None) -> datetime:
    """The injected time, or the real one."""
    return now or timezone.now()


def save_with_author(obj: models.Model, acting_user, **kwargs) -> None:
    """full_clean() then save(), recording the author in the history row."""
    obj.full_clean()
    obj._history_user = acting_user
    obj.save(**kwargs)

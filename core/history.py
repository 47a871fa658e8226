"""The one way the project declares django-simple-history on a model."""

from django.db import models
from simple_history.models import HistoricalRecords


def house_history(**kwargs) -> HistoricalRecords:
    """HistoricalRecords with a big-integer history_id.

    History tables grow faster than their base tables (one row per change);
    a 32-bit id runs out on a table of a few million clients edited often.
    """
    kwargs.setdefault("history_id_field", models.BigAutoField())
    return HistoricalRecords(**kwargs)

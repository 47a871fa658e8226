"""Writes of the kernel: the access log."""

from django.db import models

from core.models import AccessLogEntry


def access_log_record(
    *,
    acting_user,
    action: str,
    target: models.Model | type[models.Model] | str,
    object_id: str | int | None = None,
    count: int | None = None,
    path: str = "",
    outcome: str = "",
) -> AccessLogEntry:
    """Record who accessed what. Takes the object, never its field values.

    `target` is a model instance, a model class or an "app_label.model"
    label; only the label and the primary key are stored.
    """
    if isinstance(target, str):
        label = target
    else:
        label = target._meta.label_lower
        if object_id is None and isinstance(target, models.Model):
            object_id = target.pk
    user = acting_user if getattr(acting_user, "is_authenticated", False) else None
    return AccessLogEntry.objects.create(
        user=user,
        action=action,
        object_type=label,
        object_id="" if object_id is None else str(object_id),
        count=count,
        path=path[:300],
        outcome=outcome[:60],
    )

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.display import moment


class AccessLogEntry(models.Model):
    """Who looked at or took out what: never the values themselves.

    Append-only: application code only inserts (core.services.
    access_log_record); the admin is read-only for everyone, and on
    PostgreSQL a trigger refuses UPDATE and DELETE outside the retention
    job (privacy.ledger_guard).

    The table keeps the name it had when the model lived in privacy
    (privacy_accesslogentry, docs/decisions/0018): its trigger and rows
    stayed where they were.
    """

    class Action(models.TextChoices):
        VIEW = "view", _("Opened a record")
        VIEW_HEALTH = "view_health", _("Saw health data (allergies)")
        VIEW_PAYMENT = "view_payment", _("Saw payment details")
        HISTORY = "history", _("Opened a record's history")
        EXPORT = "export", _("Exported")
        DOWNLOAD = "download", _("Downloaded a document")
        DENIED = "denied", _("Was refused (out of scope or no permission)")
        API_CALL = "api_call", _("Website API call")

    at = models.DateTimeField(auto_now_add=True, db_index=True, verbose_name=_("when"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("user"),
    )
    action = models.CharField(
        max_length=20, choices=Action.choices, verbose_name=_("action")
    )
    # "app_label.model" and the primary key: what was touched, not its data.
    object_type = models.CharField(max_length=100, verbose_name=_("object type"))
    object_id = models.CharField(max_length=64, blank=True, verbose_name=_("object ID"))
    # For exports: how many records left.
    count = models.PositiveIntegerField(null=True, blank=True, verbose_name=_("count"))
    path = models.CharField(max_length=300, blank=True, verbose_name=_("path"))
    # Website API calls (decision 0075): the status code and a short
    # reason code, never the body.
    outcome = models.CharField(max_length=60, blank=True, verbose_name=_("outcome"))

    class Meta:
        db_table = "privacy_accesslogentry"
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id", "-at"]),
            models.Index(fields=["user", "-at"]),
        ]
        permissions = [("view_access_log", "Can read the access log")]

    def __str__(self):
        return f"{moment(self.at)} {self.user_id} {self.action} {self.object_type}"

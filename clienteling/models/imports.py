"""An import file on its way: checked by one job, written by another.

The row holds no personal data: who uploaded it, what it holds, the
counts, and its two jobs (core.Job). The file itself waits in
clienteling.import_uploads until it is written or abandoned; the check's
preview and problems are the validation job's result file.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class StagedImport(models.Model):
    class What(models.TextChoices):
        CLIENTS = "clients", _("Clients")
        WEB_EVENTS = "web_events", _("Website activity")

    what = models.CharField(
        max_length=20, choices=What.choices, verbose_name=_("contents")
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(verbose_name=_("uploaded at"))
    # The server's own name of the upload (clienteling.import_uploads);
    # blank once the file is deleted (written, abandoned or refused).
    file_id = models.CharField(max_length=32, blank=True, verbose_name=_("file ID"))
    # The check's outcome (validation job).
    rows = models.PositiveIntegerField(null=True, blank=True, verbose_name=_("rows"))
    problem_count = models.PositiveIntegerField(
        null=True, blank=True, verbose_name=_("problem count")
    )
    # The write's outcome (apply job): set in the same transaction as the
    # rows it counts, so a repeated attempt finds it and writes nothing.
    created = models.PositiveIntegerField(
        null=True, blank=True, verbose_name=_("created clients")
    )
    already_known = models.PositiveIntegerField(
        null=True, blank=True, verbose_name=_("already known")
    )
    # Web events the clients' cookie choices did not allow (decision 0076).
    not_allowed = models.PositiveIntegerField(
        null=True, blank=True, verbose_name=_("not stored (cookie choices)")
    )
    applied_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("applied at")
    )
    validation_job = models.OneToOneField(
        "core.Job",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("validation job"),
    )
    apply_job = models.OneToOneField(
        "core.Job",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("apply job"),
    )

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self):
        what = "Client" if self.what == self.What.CLIENTS else "Website activity"
        return f"{what} import {self.pk}"

    @property
    def can_confirm(self) -> bool:
        job = self.validation_job
        return (
            job is not None
            and job.status == job.Status.DONE
            and self.problem_count == 0
            and bool(self.file_id)
            and self.apply_job_id is None
        )

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

    what = models.CharField(max_length=20, choices=What.choices)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField()
    # The server's own name of the upload (clienteling.import_uploads);
    # blank once the file is deleted (written, abandoned or refused).
    file_id = models.CharField(max_length=32, blank=True)
    # The check's outcome (validation job).
    rows = models.PositiveIntegerField(null=True, blank=True)
    problem_count = models.PositiveIntegerField(null=True, blank=True)
    # The write's outcome (apply job): set in the same transaction as the
    # rows it counts, so a repeated attempt finds it and writes nothing.
    created = models.PositiveIntegerField(null=True, blank=True)
    already_known = models.PositiveIntegerField(null=True, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    validation_job = models.OneToOneField(
        "core.Job",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    apply_job = models.OneToOneField(
        "core.Job",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("import")

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

"""Data-subject requests, the edits made under them, and report jobs.

The status lifecycle and the legal clock live in privacy.requests (the
services); these models hold fields and constraints only.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.free_text import LONG_TEXT_MAX_LENGTH, FreeTextModel
from core.history import house_history


class DataSubjectRequest(FreeTextModel):
    """A request from a person exercising a GDPR right (Art. 15 to 22)."""

    class Kind(models.TextChoices):
        ACCESS = "access", _("Access (Art. 15)")
        RECTIFICATION = "rectification", _("Rectification (Art. 16)")
        ERASURE = "erasure", _("Erasure (Art. 17)")
        RESTRICTION = "restriction", _("Restriction (Art. 18)")
        OBJECTION = "objection", _("Objection (Art. 21)")
        PORTABILITY = "portability", _("Portability (Art. 20)")
        CONSENT_WITHDRAWAL = "consent_withdrawal", _("Consent withdrawal (Art. 7(3))")

    class Channel(models.TextChoices):
        EMAIL = "email", pgettext_lazy("contact channel", "Email")
        POST = "post", pgettext_lazy("contact channel", "Post")
        PHONE = "phone", _("Phone")
        IN_PERSON = "in_person", _("In person (boutique)")
        WEBSITE = "website", _("Website form")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received, identity to verify")
        IN_PROGRESS = "in_progress", _("Identity verified, in progress")
        COMPLETED = "completed", _("Completed")
        REFUSED = "refused", pgettext_lazy("request status", "Refused")
        WITHDRAWN = "withdrawn", _("Withdrawn by the person")

    class IdentityMethod(models.TextChoices):
        ID_DOCUMENT = "id_document", _("Identity document seen in person")
        KNOWN_EMAIL = "known_email", _("Reply from the email address on file")
        KNOWN_PHONE = "known_phone", _("Call-back to the phone number on file")
        SIGNED_LETTER = "signed_letter", _("Signed letter with a copy of an ID")

    # The client record the request is answered on (reports, erasure): the
    # first record linked to it. Empty until staff find the person's
    # records, and for good when the house holds nothing (decision 0054).
    client = models.ForeignKey(
        "clienteling.Client",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("client"),
    )
    # Every client record staff found to be this person's (zero, one or
    # several: duplicates not merged yet).
    clients = models.ManyToManyField(
        "clienteling.Client",
        blank=True,
        related_name="+",
        verbose_name=_("client records"),
    )
    # The person as they gave themselves: who asks may be nobody on file.
    person_name = models.CharField(_("name as given"), max_length=200, blank=True)
    person_email = models.EmailField(_("email as given"), blank=True)
    person_phone = models.CharField(_("phone as given"), max_length=40, blank=True)
    person_address = models.CharField(
        _("postal address as given"), max_length=300, blank=True
    )
    nothing_held_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("nothing held, answered at")
    )
    # The language the person writes in (letters, decision 0055); empty:
    # the linked client's preferred language, else English.
    language = models.CharField(_("language of the person"), max_length=10, blank=True)
    # Proof of identity the person sent (a scan of an ID, a signed letter):
    # in private storage under a random name, deleted when the request
    # closes (privacy.requests.request_attach_evidence, decision 0054).
    identity_evidence_name = models.CharField(
        max_length=80, blank=True, verbose_name=_("identity evidence file")
    )
    identity_evidence_type = models.CharField(
        max_length=40, blank=True, verbose_name=_("identity evidence type")
    )
    identity_evidence_deleted_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("identity evidence deleted at")
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, verbose_name=_("kind"))
    channel = models.CharField(
        max_length=20, choices=Channel.choices, verbose_name=_("channel")
    )
    received_on = models.DateField(verbose_name=_("received on"))
    details = models.TextField(
        blank=True,
        max_length=LONG_TEXT_MAX_LENGTH,
        help_text=_("What the person asks for, in their words."),
        verbose_name=_("details"),
    )
    status = models.CharField(
        max_length=20,
        choices=Status.choices,
        default=Status.RECEIVED,
        verbose_name=_("status"),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assignee"),
    )
    due_on = models.DateField(
        help_text=_("One calendar month from receipt."), verbose_name=_("due on")
    )
    extended_due_on = models.DateField(
        null=True, blank=True, verbose_name=_("extended due on")
    )
    extension_reason = models.TextField(
        blank=True, max_length=LONG_TEXT_MAX_LENGTH, verbose_name=_("extension reason")
    )
    extended_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("extended at")
    )
    identity_verified_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("identity verified at")
    )
    identity_verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("identity verified by"),
    )
    identity_method = models.CharField(
        max_length=20,
        choices=IdentityMethod.choices,
        blank=True,
        verbose_name=_("identity method"),
    )
    identity_note = models.CharField(
        max_length=300, blank=True, verbose_name=_("identity note")
    )
    restriction = models.ForeignKey(
        "consents.Restriction",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("restriction"),
    )
    outcome = models.TextField(
        blank=True, max_length=LONG_TEXT_MAX_LENGTH, verbose_name=_("outcome")
    )
    closed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("closed at"))
    flagged_d7_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("warned 7 days before at")
    )
    flagged_d1_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("warned 1 day before at")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    history = house_history()

    class Meta:
        verbose_name = _("data-subject request")
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["status", "due_on"])]
        permissions = [
            ("view_register", "Can read the register of processing"),
            ("build_subject_access_report", "Can build a subject-access report"),
        ]
        constraints = [
            models.CheckConstraint(
                name="dsr_extension_has_reason",
                condition=Q(extended_due_on__isnull=True) | ~Q(extension_reason=""),
                violation_error_message=_("An extension records its reason."),
            ),
            models.CheckConstraint(
                name="dsr_verified_has_method",
                condition=Q(identity_verified_at__isnull=True) | ~Q(identity_method=""),
                violation_error_message=_("An identity check records its method."),
            ),
        ]
        verbose_name_plural = _("data-subject requests")

    def __str__(self):
        if self.pk is None:
            return _("New request: %(kind)s") % {"kind": self.get_kind_display()}
        return f"DSR-{self.pk} {self.get_kind_display()}"

    @property
    def effective_due_on(self):
        return self.extended_due_on or self.due_on

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.RECEIVED, self.Status.IN_PROGRESS)


class RequestLetter(FreeTextModel):
    """A letter sent to the person about their request (decision 0055):
    what was sent, in which language, to which address, by whom. The PDF
    is rendered again from these fields on demand."""

    class Kind(models.TextChoices):
        ACKNOWLEDGEMENT = "acknowledgement", _("Acknowledgement of receipt")
        IDENTITY = "identity", _("Request for proof of identity")
        EXTENSION = "extension", _("Extension of the deadline")
        REFUSAL = "refusal", _("Refusal")
        COMPLETION = "completion", _("Completion")
        NOTHING_HELD = "nothing_held", _("We hold nothing about you")

    request = models.ForeignKey(
        DataSubjectRequest,
        on_delete=models.CASCADE,
        related_name="letters",
        verbose_name=_("request"),
    )
    kind = models.CharField(
        max_length=20, choices=Kind.choices, verbose_name=_("letter")
    )
    language = models.CharField(max_length=10, verbose_name=_("written in"))
    requested_language = models.CharField(
        max_length=10, verbose_name=_("language asked for")
    )
    sent_to = models.EmailField(blank=True, verbose_name=_("sent to"))
    subject = models.CharField(max_length=200, verbose_name=_("subject"))
    body = models.TextField(max_length=LONG_TEXT_MAX_LENGTH, verbose_name=_("text"))
    sent_at = models.DateTimeField(verbose_name=_("sent at"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent by"),
    )

    class Meta:
        verbose_name = _("letter to the person")
        verbose_name_plural = _("letters to the person")
        ordering = ["sent_at", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.language})"


class RequestEdit(models.Model):
    """A history row written by an edit made under a rectification request."""

    request = models.ForeignKey(
        DataSubjectRequest,
        on_delete=models.CASCADE,
        related_name="edits",
        verbose_name=_("request"),
    )
    object_type = models.CharField(
        max_length=100, verbose_name=_("object type")
    )  # "app_label.model"
    object_id = models.CharField(max_length=64, verbose_name=_("object ID"))
    history_id = models.BigIntegerField(verbose_name=_("history ID"))
    history_type = models.CharField(
        max_length=1, verbose_name=_("history type")
    )  # +, ~ or -
    edited_at = models.DateTimeField(verbose_name=_("edited at"))
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("edited by"),
    )

    class Meta:
        ordering = ["edited_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["object_type", "history_id"], name="history_row_linked_once"
            )
        ]
        verbose_name = _("request edit")
        verbose_name_plural = _("request edits")

    def __str__(self):
        return f"{self.object_type} #{self.object_id} ({self.history_type})"


class SubjectAccessReport(models.Model):
    """One subject-access (or portability) report of a request.

    The build is a core.Job (`job`): its status, progress, attempts and
    the zip (the job's result file, deleted after REPORT_DOWNLOAD_DAYS)
    are read from there. This row keeps the domain outcome: the review of
    staff notes naming other clients, and why the file was removed.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for a worker")
        RUNNING = "running", pgettext_lazy("access report status", "Building")
        DONE = "done", pgettext_lazy("access report status", "Ready")
        FAILED = "failed", pgettext_lazy("access report status", "Failed")
        CANCELLED = "cancelled", _("Stopped")
        EXPIRED = "expired", _("Expired (file deleted)")

    request = models.ForeignKey(
        DataSubjectRequest,
        on_delete=models.PROTECT,
        related_name="reports",
        verbose_name=_("request"),
    )
    job = models.OneToOneField(
        "core.Job",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("job"),
    )
    # Where staff free text may name another client: model, id, field and
    # the other client's id; never the text itself.
    review_flags = models.JSONField(
        default=list, blank=True, verbose_name=_("review flags")
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("reviewed at")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    created_at = models.DateTimeField(verbose_name=_("created at"))
    # The zip was deleted (expired, or the client was erased), and why.
    file_deleted_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("file deleted at")
    )
    file_deleted_reason = models.CharField(
        max_length=300, blank=True, verbose_name=_("file deleted reason")
    )

    class Meta:
        verbose_name = _("subject-access report")
        ordering = ["-created_at", "-id"]
        verbose_name_plural = _("subject-access reports")

    def __str__(self):
        return _("Report %(number)s for %(request)s") % {
            "number": self.pk,
            "request": self.request,
        }

    # --- Read from the job row ----------------------------------------------

    @property
    def status(self) -> str:
        if self.file_deleted_at is not None:
            return self.Status.EXPIRED
        if self.job is None:
            return self.Status.QUEUED
        return self.Status(self.job.status)

    @property
    def status_label(self) -> str:
        return self.Status(self.status).label

    def get_status_display(self) -> str:
        return self.status_label

    @property
    def is_unfinished(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def progress_done(self) -> int:
        return self.job.progress_done if self.job else 0

    @property
    def progress_total(self) -> int:
        return self.job.progress_total if self.job else 0

    @property
    def step(self) -> str:
        return self.job.progress_label if self.job else ""

    @property
    def percent(self) -> int:
        percent = self.job.percent if self.job else None
        return percent or 0

    @property
    def error(self) -> str:
        """Why the file is gone, or why the build failed (staff words)."""
        if self.file_deleted_reason:
            return self.file_deleted_reason
        return self.job.error if self.job else ""

    @property
    def file_name(self) -> str:
        """The zip, relative to core.jobs.files.root(); empty until built."""
        return self.job.result_file if self.job else ""

    @property
    def size(self) -> int | None:
        return self.job.result_size if self.job else None

    @property
    def sha256(self) -> str:
        return self.job.result_sha256 if self.job else ""

    @property
    def started_at(self):
        return self.job.started_at if self.job else None

    @property
    def finished_at(self):
        return self.job.finished_at if self.job else None

    @property
    def expires_at(self):
        return self.job.result_expires_at if self.job else None

    @property
    def needs_review(self) -> bool:
        return bool(self.review_flags) and self.reviewed_at is None

    @property
    def review_places(self) -> list[dict]:
        """The review flags in staff words: the kind of record, its number,
        the field's name (never a model label or a column name)."""
        from django.apps import apps

        places = []
        for flag in self.review_flags:
            try:
                meta = apps.get_model(flag["model"])._meta
                what = str(meta.verbose_name)
                field = str(meta.get_field(flag["field"]).verbose_name)
            except (LookupError, ValueError):
                what, field = "record", "a note"
            places.append({**flag, "what": what, "field_name": field})
        return places

"""The personal-data breach register (GDPR Art. 33 and 34).

Append-only: a breach is recorded once with the facts known then; what is
learnt or decided later is a new row (an assessment, a notification, an
alert), never an edit. Services write (privacy.breaches), the admin shows.
The affected clients are ids only (BreachClient): the register counts and
finds them without copying their data.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.free_text import LONG_TEXT_MAX_LENGTH, FreeTextModel


class Breach(FreeTextModel):
    class Nature(models.TextChoices):
        CONFIDENTIALITY = (
            "confidentiality",
            _("Confidentiality (data disclosed or accessed without authorisation)"),
        )
        INTEGRITY = "integrity", _("Integrity (data altered without authorisation)")
        AVAILABILITY = "availability", _("Availability (data lost or destroyed)")

    title = models.CharField(_("title"), max_length=200)
    occurred_at = models.DateTimeField(_("occurred at"))
    aware_at = models.DateTimeField(
        _("the house became aware at"),
        help_text=_("The 72-hour clock of Art. 33 runs from this moment."),
    )
    nature = models.CharField(_("nature"), max_length=20, choices=Nature.choices)
    description = models.TextField(_("what happened"), max_length=LONG_TEXT_MAX_LENGTH)
    # Data categories (core.classification.Category values) and kinds of
    # people concerned (Breach.PEOPLE), chosen from lists.
    data_categories = models.JSONField(_("categories of data"), default=list)
    people_categories = models.JSONField(_("categories of people"), default=list)
    approx_people = models.PositiveIntegerField(_("approximate number of people"))
    approx_records = models.PositiveIntegerField(_("approximate number of records"))
    consequences = models.TextField(
        _("likely consequences"), max_length=LONG_TEXT_MAX_LENGTH
    )
    measures_taken = models.TextField(
        _("measures taken"), max_length=LONG_TEXT_MAX_LENGTH
    )
    measures_proposed = models.TextField(
        _("measures proposed"), max_length=LONG_TEXT_MAX_LENGTH, blank=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"))
    # How the affected clients were found (boutique code, dates, category,
    # ids: the query, not the people) and how many it found.
    client_query = models.JSONField(
        _("how the clients were found"), default=dict, blank=True
    )
    clients_found = models.PositiveIntegerField(_("clients found"), default=0)

    PEOPLE = [
        ("clients", _("Clients")),
        ("prospects", _("Prospects")),
        ("staff", _("Staff")),
    ]

    class Meta:
        ordering = ["-aware_at", "-id"]
        verbose_name = _("personal-data breach")
        verbose_name_plural = _("personal-data breaches")
        constraints = [
            models.CheckConstraint(
                name="breach_aware_not_before_occurrence",
                condition=Q(aware_at__gte=F("occurred_at")),
            )
        ]

    def __str__(self):
        return _("Breach #%(pk)s: %(title)s") % {"pk": self.pk, "title": self.title}


class BreachClient(models.Model):
    """One affected client: the id, nothing copied."""

    breach = models.ForeignKey(
        Breach, on_delete=models.PROTECT, related_name="+", verbose_name=_("breach")
    )
    client = models.ForeignKey(
        "clienteling.Client",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("client"),
    )

    class Meta:
        verbose_name = _("client affected by a breach")
        verbose_name_plural = _("clients affected by a breach")
        constraints = [
            models.UniqueConstraint(
                fields=["breach", "client"], name="breach_client_once"
            )
        ]

    def __str__(self):
        return f"{self.breach_id}: {self.client_id}"


class BreachAssessment(FreeTextModel):
    """A risk assessment; the latest one decides (Art. 33(1), 34(1))."""

    class Risk(models.TextChoices):
        UNLIKELY = "unlikely", _("Unlikely to result in a risk to people")
        RISK = "risk", _("A risk to people's rights and freedoms")
        HIGH = "high", _("A high risk to people's rights and freedoms")

    breach = models.ForeignKey(
        Breach,
        on_delete=models.PROTECT,
        related_name="assessments",
        verbose_name=_("breach"),
    )
    risk = models.CharField(_("risk"), max_length=10, choices=Risk.choices)
    reasoning = models.TextField(_("reasoning"), max_length=LONG_TEXT_MAX_LENGTH)
    notify_authority = models.BooleanField(_("notify the CNIL"))
    notify_people = models.BooleanField(_("notify the people affected"))
    # Why people are not told despite a high risk (Art. 34(3)), or why the
    # authority is not (the risk is unlikely).
    reasons_not_notified = models.TextField(
        _("reasons for not notifying"), max_length=LONG_TEXT_MAX_LENGTH, blank=True
    )
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("assessed by"),
    )
    assessed_at = models.DateTimeField(_("assessed at"))

    class Meta:
        ordering = ["-assessed_at", "-id"]
        verbose_name = _("breach risk assessment")
        verbose_name_plural = _("breach risk assessments")


class BreachNotification(FreeTextModel):
    """A notification made: to the CNIL, or to the people affected."""

    class To(models.TextChoices):
        AUTHORITY = "authority", _("The CNIL (supervisory authority)")
        PEOPLE = "people", _("The people affected")

    breach = models.ForeignKey(
        Breach,
        on_delete=models.PROTECT,
        related_name="notifications",
        verbose_name=_("breach"),
    )
    to = models.CharField(_("to"), max_length=10, choices=To.choices)
    notified_at = models.DateTimeField(_("notified at"))
    reference = models.CharField(
        _("reference"),
        max_length=100,
        blank=True,
        help_text=_("The CNIL's notification number, or how people were told."),
    )
    delay_reason = models.TextField(
        _("reason for the delay"),
        max_length=LONG_TEXT_MAX_LENGTH,
        blank=True,
        help_text=_("Required for a notification to the CNIL after 72 hours."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        ordering = ["notified_at", "id"]
        verbose_name = _("breach notification")
        verbose_name_plural = _("breach notifications")


class BreachAlert(models.Model):
    """An alert sent to compliance as the 72-hour clock runs (once each)."""

    breach = models.ForeignKey(
        Breach,
        on_delete=models.PROTECT,
        related_name="alerts",
        verbose_name=_("breach"),
    )
    hours = models.PositiveSmallIntegerField(_("hours since awareness"))
    sent_at = models.DateTimeField(_("sent at"))

    class Meta:
        ordering = ["sent_at"]
        verbose_name = _("breach alert")
        verbose_name_plural = _("breach alerts")
        constraints = [
            models.UniqueConstraint(
                fields=["breach", "hours"], name="breach_alert_once"
            )
        ]

    def __str__(self):
        return _("%(hours)s-hour alert") % {"hours": self.hours}


class BreachLetter(models.Model):
    """The letter to one affected client, emailed by the breach-letters job
    (privacy.breaches, decision 0097): ids and outcome only, never the
    address or the text. A failed letter is tried again by the job's next
    attempt; a sent one never again."""

    class Outcome(models.TextChoices):
        SENT = "sent", _("Emailed")
        FAILED = "failed", _("Failed")

    breach = models.ForeignKey(
        Breach,
        on_delete=models.PROTECT,
        related_name="letters",
        verbose_name=_("breach"),
    )
    client = models.ForeignKey(
        "clienteling.Client",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("client"),
    )
    job = models.ForeignKey(
        "core.Job",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("job"),
    )
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    detail = models.CharField(_("detail"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("breach letter")
        verbose_name_plural = _("breach letters")
        constraints = [
            models.UniqueConstraint(
                fields=["breach", "client"], name="breach_letter_once"
            )
        ]

    def __str__(self):
        return f"{self.breach_id}: {self.client_id} {self.outcome}"

"""Segments: saved client lists defined by criteria (issue 15).

A segment holds criteria, never clients: its members are computed when it
is read (segments.selectors), so a client who objects, is restricted or
put on the suppression list leaves every segment at once.
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clienteling.models import ContactPreference
from clienteling.models.clients import LANGUAGES
from core.free_text import FreeTextModel

EUROS = {"max_digits": 12, "decimal_places": 2}
DAYS = {"null": True, "blank": True, "validators": [MinValueValidator(1)]}


class Segment(FreeTextModel):
    """Criteria over the clients of `boutiques`; every criterion set must
    hold (AND). Shared segments are seen by the staff of those boutiques."""

    name = models.CharField(_("name"), max_length=100)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        verbose_name=_("created by"),
    )
    boutiques = models.ManyToManyField(
        "clienteling.Boutique",
        related_name="+",
        verbose_name=_("boutiques"),
        help_text=_("The clients of these boutiques are considered."),
    )
    shared = models.BooleanField(
        _("shared with the boutiques' staff"),
        default=False,
        help_text=_(
            "Off: only you (and compliance) see it. On: everyone working in "
            "its boutiques sees and may use it."
        ),
    )
    # --- Criteria (blank: not a criterion) ---
    adviser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("adviser"),
        help_text=_("Clients whose main or second adviser this is."),
    )
    preferred_collection = models.ForeignKey(
        "clienteling.Collection",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("interested in the collection"),
    )
    preferred_channel = models.CharField(
        _("prefers the channel"),
        max_length=20,
        choices=ContactPreference.Channel.choices,
        blank=True,
    )
    purchase_collection = models.ForeignKey(
        "clienteling.Collection",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("bought from the collection"),
    )
    purchase_category = models.CharField(
        _("bought a piece of the category"), max_length=20, blank=True
    )
    purchase_metal = models.CharField(
        _("bought a piece in the metal"), max_length=20, blank=True
    )
    purchase_min_eur = models.DecimalField(
        _("purchase of at least (EUR)"),
        **EUROS,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    purchase_max_eur = models.DecimalField(
        _("purchase of at most (EUR)"),
        **EUROS,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    purchased_from = models.DateField(_("purchase on or after"), null=True, blank=True)
    purchased_to = models.DateField(_("purchase on or before"), null=True, blank=True)
    lifetime_value_min_eur = models.DecimalField(
        _("lifetime value of at least (EUR)"),
        **EUROS,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    lifetime_value_max_eur = models.DecimalField(
        _("lifetime value of at most (EUR)"),
        **EUROS,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    contacted_within_days = models.PositiveIntegerField(
        _("contacted in the last (days)"), **DAYS
    )
    not_contacted_for_days = models.PositiveIntegerField(
        _("not contacted for (days)"), **DAYS
    )
    bought_within_days = models.PositiveIntegerField(
        _("bought in the last (days)"), **DAYS
    )
    not_bought_for_days = models.PositiveIntegerField(
        _("no purchase for (days)"), **DAYS
    )
    important_date_within_days = models.PositiveIntegerField(
        _("an important date in the next (days)"), **DAYS
    )
    language = models.CharField(
        _("language"), max_length=5, choices=LANGUAGES, blank=True
    )
    eligible_purpose = models.ForeignKey(
        "consents.Purpose",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("may be contacted for"),
    )
    eligible_channel = models.CharField(
        _("on the channel"),
        max_length=20,
        choices=ContactPreference.Channel.choices,
        blank=True,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("segment")
        verbose_name_plural = _("segments")
        ordering = ["name", "id"]
        permissions = [
            (
                "run_segment_campaign",
                "Can create a follow-up campaign from a segment",
            ),
            ("view_boutique_dashboard", "Can see the boutique dashboard"),
            ("view_adviser_dashboard", "Can see their own dashboard"),
            ("view_compliance_dashboard", "Can see the compliance dashboard"),
        ]
        constraints = [
            models.CheckConstraint(
                name="segment_purchase_amounts_in_order",
                condition=Q(purchase_min_eur__isnull=True)
                | Q(purchase_max_eur__isnull=True)
                | Q(purchase_min_eur__lte=models.F("purchase_max_eur")),
                violation_error_message=_(
                    "The smallest purchase is above the largest."
                ),
            ),
            models.CheckConstraint(
                name="segment_purchase_dates_in_order",
                condition=Q(purchased_from__isnull=True)
                | Q(purchased_to__isnull=True)
                | Q(purchased_from__lte=models.F("purchased_to")),
                violation_error_message=_("The purchase dates are reversed."),
            ),
        ]

    def __str__(self):
        return self.name


class Campaign(FreeTextModel):
    """A follow-up campaign: one follow-up per member of a segment, each
    assigned to the client's adviser, written by a core.jobs job."""

    segment = models.ForeignKey(
        Segment,
        on_delete=models.PROTECT,
        related_name="campaigns",
        verbose_name=_("segment"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    due_date = models.DateField(_("due date"))
    note = models.CharField(_("note for the advisers"), max_length=200)
    job = models.OneToOneField(
        "core.Job",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("background task"),
    )
    created_count = models.PositiveIntegerField(_("follow-ups created"), default=0)
    # {reason: count}, consents.selectors.Reason's sentences.
    excluded_by_reason = models.JSONField(
        _("clients left out, by reason"), default=dict, blank=True
    )
    created_at = models.DateTimeField(_("created"))

    class Meta:
        verbose_name = _("follow-up campaign")
        verbose_name_plural = _("follow-up campaigns")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return _("Campaign of %(segment)s") % {"segment": self.segment}


class SalesFact(models.Model):
    """Sales of one day, boutique, adviser and currency: the daily facts the
    dashboards read for every day before today (decision 0067). Rebuilt
    whole by the nightly job (facts.sales_facts_rebuild); never edited."""

    day = models.DateField(_("day"))
    boutique = models.ForeignKey(
        "clienteling.Boutique",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("boutique"),
    )
    adviser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("adviser"),
    )
    currency = models.CharField(_("currency"), max_length=3)
    orders = models.PositiveIntegerField(_("orders"))
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)
    amount_eur = models.DecimalField(
        _("amount in euros"), max_digits=18, decimal_places=4
    )
    built_at = models.DateTimeField(_("built at"))

    class Meta:
        verbose_name = _("daily sales fact")
        verbose_name_plural = _("daily sales facts")
        indexes = [models.Index(fields=["boutique", "day"])]

    def __str__(self):
        return f"{self.day} {self.boutique_id} {self.currency}"


class ContactFact(models.Model):
    """Contacts of one day (occurred_at in TIME_ZONE), client's home
    boutique, member of staff, channel and outcome: the daily facts the
    contact figures read for every day before the last rebuild (decision
    0088). Rebuilt whole with the sales facts; never edited."""

    day = models.DateField(_("day"))
    boutique = models.ForeignKey(
        "clienteling.Boutique",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("boutique"),
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("staff"),
    )
    channel = models.CharField(_("channel"), max_length=20)
    outcome = models.CharField(_("outcome"), max_length=30, blank=True)
    contacts = models.PositiveIntegerField(_("contacts"))
    built_at = models.DateTimeField(_("built at"))

    class Meta:
        verbose_name = _("daily contact fact")
        verbose_name_plural = _("daily contact facts")
        indexes = [models.Index(fields=["boutique", "day"])]

    def __str__(self):
        return f"{self.day} {self.boutique_id} {self.channel}"


class ClientSnapshot(models.Model):
    """A count over every client of a boutique (or the whole house), taken
    by the nightly rebuild for the figures whose live query would read
    every client (decision 0111): live clients, new clients per day of
    creation, lapsing clients, current consents per purpose and channel,
    and the retention forecast per rule. The dashboards read them on the
    day they were taken, and the live query otherwise."""

    class Kind(models.TextChoices):
        CLIENTS = "clients", _("live clients")
        NEW_CLIENTS = "new_clients", _("new clients")
        LAPSING = "lapsing", _("lapsing clients")
        CONSENTS = "consents", _("current consents")
        RETENTION_DUE = "retention_due", _("clients due for erasure")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    boutique = models.ForeignKey(
        "clienteling.Boutique",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("boutique"),
    )
    # New clients: the day they were created (in TIME_ZONE).
    day = models.DateField(_("day"), null=True, blank=True)
    # Consents: the purpose and the channel the consent was given on.
    purpose = models.ForeignKey(
        "consents.Purpose",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("purpose"),
    )
    channel = models.CharField(_("channel"), max_length=30, blank=True)
    # Retention forecast: the rule and the days ahead.
    rule_code = models.CharField(_("retention rule"), max_length=60, blank=True)
    within_days = models.PositiveSmallIntegerField(
        _("within days"), null=True, blank=True
    )
    clients = models.PositiveIntegerField(_("clients"))
    built_at = models.DateTimeField(_("built at"))

    class Meta:
        verbose_name = _("client snapshot")
        verbose_name_plural = _("client snapshots")
        indexes = [models.Index(fields=["kind", "boutique"])]

    def __str__(self):
        return f"{self.kind} {self.boutique_id} {self.clients}"


class FactsRebuild(models.Model):
    """One nightly rebuild of the facts: when, and how many rows. The
    dashboards read "figures as of" from the latest."""

    built_at = models.DateTimeField(_("built at"))
    facts_written = models.PositiveIntegerField(_("facts written"))

    class Meta:
        verbose_name = _("facts rebuild")
        verbose_name_plural = _("facts rebuilds")
        ordering = ["-built_at"]

    def __str__(self):
        return str(self.built_at)

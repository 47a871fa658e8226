"""The append-only ledger, paper-form submissions, soft opt-in,
restrictions and the suppression list.

The ledger (ConsentDecision) and the paper-form submissions are evidence:
application code only inserts them. save() refuses an update, delete()
refuses, their querysets refuse update() and delete(), and on PostgreSQL a
trigger refuses UPDATE and DELETE unless the transaction runs in erasure
mode (consents.ledger.erasure_mode()).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from consents.models.purposes import FormTemplateVersion, Purpose, PurposeWording
from consents.querysets import (
    AppendOnlyQuerySet,
    ConsentDecisionQuerySet,
    RestrictionQuerySet,
)
from core.display import day
from core.free_text import FreeTextModel
from core.history import house_history


class LedgerIsAppendOnly(Exception):
    """Raised when application code tries to change or delete evidence."""


class Channel(models.TextChoices):
    """How a decision reached the house."""

    PAPER_FORM = "paper_form", _("Paper form")
    WEBSITE = "website", _("Website")
    CLIENTELING_TOOL = "clienteling_tool", _("Clienteling tool")
    PHONE = "phone", _("Phone")
    EMAIL = "email", pgettext_lazy("contact channel", "Email")
    IN_PERSON = "in_person", _("In person")
    # The client's own links in an outreach message (consents.unsubscribe):
    # no member of staff records these.
    UNSUBSCRIBE_LINK = "unsubscribe_link", _("Unsubscribe link")
    PREFERENCE_PAGE = "preference_page", _("Preference page")


class AppendOnly(models.Model):
    """Evidence rows: inserted once, never changed by application code."""

    # A merge cannot re-point evidence: consents.services.ledger_merge
    # copies the duplicate's decisions onto the surviving record instead.
    merge_policy = "keep"

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise LedgerIsAppendOnly(
                f"{self._meta.verbose_name} rows are evidence and cannot be changed."
            )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise LedgerIsAppendOnly(
            f"{self._meta.verbose_name} rows are evidence and cannot be deleted."
        )


class PaperFormSubmission(AppendOnly):
    """A signed paper form keyed in by staff, with its scan.

    Field values are not copied here: they went to the client record; the
    scan is the evidence of what was signed. `fields_completed` lists the
    keys that were filled in.
    """

    client = models.ForeignKey(
        "clienteling.Client",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("client"),
    )
    version = models.ForeignKey(
        FormTemplateVersion,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("version"),
    )
    # The language of the wordings the client read and signed (en, fr).
    language = models.CharField(max_length=5, blank=True, verbose_name=_("language"))
    requested_services = models.JSONField(
        default=list, verbose_name=_("requested services")
    )
    fields_completed = models.JSONField(
        default=list, verbose_name=_("fields completed")
    )
    signed_on = models.DateField(verbose_name=_("signed on"))
    boutique = models.ForeignKey(
        "clienteling.Boutique",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("boutique"),
    )
    scan_name = models.CharField(
        max_length=80, unique=True, verbose_name=_("scan name")
    )
    scan_content_type = models.CharField(
        max_length=30, verbose_name=_("scan content type")
    )
    scan_size = models.PositiveIntegerField(verbose_name=_("scan size"))
    scan_sha256 = models.CharField(max_length=64, verbose_name=_("scan SHA-256"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(verbose_name=_("recorded at"))

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-recorded_at", "-id"]
        verbose_name = _("paper-form submission")
        indexes = [models.Index(fields=["client", "recorded_at"])]
        verbose_name_plural = _("paper-form submissions")

    def __str__(self):
        return f"{self.version} signed on {day(self.signed_on)}"


class ConsentConversation(AppendOnly):
    """A phone call or an email in which a client gave or withdrew
    consent, keyed in by customer service: the evidence of the ledger rows
    that point at it (ConsentDecision.conversation).

    A call keeps its reference in the telephony system (the call id); an
    email keeps a copy of the message (.eml, .msg, .pdf or .txt, checked
    by content) in private storage under a random name, with its size and
    SHA-256, like a paper form's scan (decision 0072).
    """

    class Medium(models.TextChoices):
        PHONE = "phone", _("Phone")
        EMAIL = "email", pgettext_lazy("contact channel", "Email")

    client = models.ForeignKey(
        "clienteling.Client",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("client"),
    )
    channel = models.CharField(
        max_length=10, choices=Medium.choices, verbose_name=_("channel")
    )
    # The call id of the telephony system; for an email, its message id or
    # ticket number, optional (the copy is the evidence).
    reference = models.CharField(
        max_length=100, blank=True, verbose_name=_("reference")
    )
    copy_name = models.CharField(
        max_length=80, blank=True, verbose_name=_("email copy file name")
    )
    copy_content_type = models.CharField(
        max_length=60, blank=True, verbose_name=_("email copy content type")
    )
    copy_size = models.PositiveIntegerField(
        null=True, blank=True, verbose_name=_("email copy size")
    )
    copy_sha256 = models.CharField(
        max_length=64, blank=True, verbose_name=_("email copy SHA-256")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(verbose_name=_("recorded at"))

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["client", "recorded_at"])]
        verbose_name = _("consent by phone or email")
        verbose_name_plural = _("consents by phone or email")

    def __str__(self):
        if self.channel == self.Medium.PHONE:
            return _("Phone call %(reference)s on %(day)s") % {
                "reference": self.reference,
                "day": day(self.recorded_at),
            }
        return _("Email on %(day)s") % {"day": day(self.recorded_at)}


class ConsentDecision(AppendOnly):
    """One decision of a client about a purpose: the ledger.

    The current state per client and purpose is the latest decision
    (selectors.current_decisions); nothing else stores it.
    """

    class Decision(models.TextChoices):
        GRANT = "grant", _("Granted")
        WITHDRAW = "withdraw", _("Withdrawn")
        OBJECT = "object", _("Objected")

    client = models.ForeignKey(
        "clienteling.Client",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("client"),
    )
    purpose = models.ForeignKey(
        Purpose, on_delete=models.PROTECT, related_name="+", verbose_name=_("purpose")
    )
    decision = models.CharField(
        max_length=10, choices=Decision.choices, verbose_name=_("decision")
    )
    channel = models.CharField(
        max_length=20, choices=Channel.choices, verbose_name=_("channel")
    )
    wording = models.ForeignKey(
        PurposeWording,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The exact wording shown when the consent was given."),
        verbose_name=_("wording"),
    )
    # The language the decision was given in: the wording's, set by
    # consents.services.consent_record (blank when no wording was shown).
    language = models.CharField(max_length=5, blank=True, verbose_name=_("language"))
    submission = models.ForeignKey(
        PaperFormSubmission,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name=_("submission"),
    )
    conversation = models.ForeignKey(
        ConsentConversation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name=_("phone call or email"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    decided_at = models.DateTimeField(verbose_name=_("decided at"))
    ip_address = models.GenericIPAddressField(
        null=True, blank=True, verbose_name=_("IP address")
    )
    user_agent = models.CharField(
        max_length=500, blank=True, verbose_name=_("user agent")
    )

    objects = ConsentDecisionQuerySet.as_manager()

    class Meta:
        ordering = ["-decided_at", "-id"]
        verbose_name = _("consent decision")
        permissions = [("build_outreach_list", "Can build an outreach list")]
        indexes = [
            models.Index(
                fields=["client", "purpose", "decided_at", "id"],
                name="consent_latest_per_purpose",
            ),
            models.Index(fields=["purpose", "decided_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                name="consent_grant_names_its_wording",
                condition=~Q(decision="grant") | Q(wording__isnull=False),
                violation_error_message=(
                    _("A consent names the exact wording the client was shown.")
                ),
            ),
            models.CheckConstraint(
                name="consent_web_keeps_ip",
                condition=~Q(channel="website") | Q(ip_address__isnull=False),
                violation_error_message=_("A website decision keeps the IP address."),
            ),
        ]
        verbose_name_plural = _("consent decisions")

    def __str__(self):
        when = day(self.decided_at)
        # The purpose's name: staff read this in titles and breadcrumbs.
        return f"{self.get_decision_display()}: {self.purpose} ({when})"

    def clean(self):
        if (
            self.wording_id
            and self.purpose_id
            and self.wording.purpose_id != self.purpose_id
        ):
            raise ValidationError(
                {"wording": _("This wording is for another purpose.")}
            )


class SoftOptIn(models.Model):
    """An existing customer who may be emailed about similar products.

    Set on a sale announced by the orders app (core.hooks ->
    consents.services.sale_recorded -> soft_opt_in_record), which also
    confirms the opt-out was offered at collection. Every message sent
    under it carries an opt-out; a current objection or withdrawal in the
    ledger wins, whatever its date.
    """

    client = models.OneToOneField(
        "clienteling.Client",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("client"),
    )
    first_sale_at = models.DateTimeField(verbose_name=_("first sale at"))
    last_sale_at = models.DateTimeField(verbose_name=_("last sale at"))
    sale_reference = models.CharField(max_length=50, verbose_name=_("sale reference"))
    opt_out_offered = models.BooleanField(
        default=False, verbose_name=_("opt-out offered")
    )

    history = house_history()

    class Meta:
        verbose_name = _("soft opt-in")
        constraints = [
            models.CheckConstraint(
                name="soft_opt_in_offered_opt_out",
                condition=Q(opt_out_offered=True),
                violation_error_message=(
                    _(
                        "Soft opt-in requires the opt-out to have been offered at "
                        "collection."
                    )
                ),
            )
        ]
        verbose_name_plural = _("soft opt-ins")

    def __str__(self):
        return f"Soft opt-in since {day(self.first_sale_at)}"


class Restriction(FreeTextModel):
    """A restriction of processing (GDPR Art. 18): no outreach meanwhile.

    Started and lifted by the privacy app's data-subject requests.
    """

    client = models.ForeignKey(
        "clienteling.Client",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("client"),
    )
    reason = models.CharField(max_length=200, verbose_name=_("reason"))
    started_at = models.DateTimeField(verbose_name=_("started at"))
    lifted_at = models.DateTimeField(null=True, blank=True, verbose_name=_("lifted at"))

    # Restriction.objects.in_force(at): the one definition of "in force".
    objects = RestrictionQuerySet.as_manager()
    history = house_history()

    class Meta:
        indexes = [models.Index(fields=["client", "lifted_at"])]
        verbose_name = _("restriction")
        verbose_name_plural = _("restrictions")

    def __str__(self):
        return self.reason


class SuppressionEntry(models.Model):
    """A keyed hash of an email or phone that must never be marketed to.

    No link to the client: the entry outlives erasure and re-import, and
    holds no readable personal data (HMAC-SHA256 with SUPPRESSION_HASH_KEY).
    """

    class Kind(models.TextChoices):
        EMAIL = "email", pgettext_lazy("contact channel", "Email")
        PHONE = "phone", _("Phone")

    kind = models.CharField(max_length=10, choices=Kind.choices, verbose_name=_("kind"))
    digest = models.CharField(max_length=64, verbose_name=_("digest"))
    added_at = models.DateTimeField(verbose_name=_("added at"))
    reason = models.CharField(max_length=100, verbose_name=_("reason"))
    # Set when a later explicit consent with its evidence lifted the entry
    # (SuppressionEvent says who, when and which consent row); cleared when
    # the address is suppressed again. Eligibility ignores lifted entries.
    lifted_at = models.DateTimeField(null=True, blank=True, verbose_name=_("lifted at"))

    class Meta:
        verbose_name = _("suppression-list entry")
        verbose_name_plural = _("suppression list")
        constraints = [
            models.UniqueConstraint(fields=["kind", "digest"], name="suppressed_once")
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.digest[:12]}…"


class SuppressionEvent(models.Model):
    """What happened to a suppression entry: added (again) or lifted.

    A lift names the consent row whose explicit evidence lifted it and who
    recorded that consent; an addition by a bounce file names the import.
    Nothing lifts an entry without one of these rows (decision 0073).
    """

    class Action(models.TextChoices):
        ADDED = "added", _("Added")
        LIFTED = "lifted", _("Lifted")

    entry = models.ForeignKey(
        SuppressionEntry,
        on_delete=models.CASCADE,
        related_name="events",
        verbose_name=_("entry"),
    )
    action = models.CharField(
        max_length=10, choices=Action.choices, verbose_name=_("action")
    )
    at = models.DateTimeField(verbose_name=_("when"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    reason = models.CharField(max_length=100, verbose_name=_("reason"))
    decision = models.ForeignKey(
        ConsentDecision,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("consent decision"),
    )
    bounce_import = models.ForeignKey(
        "consents.BounceImport",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("bounce and complaint file"),
    )

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["entry", "at"])]
        verbose_name = _("suppression-list event")
        verbose_name_plural = _("suppression-list events")
        constraints = [
            models.CheckConstraint(
                name="suppression_lift_names_its_consent",
                condition=~Q(action="lifted") | Q(decision__isnull=False),
                violation_error_message=_(
                    "A lifted suppression names the consent that lifted it."
                ),
            )
        ]

    def __str__(self):
        return f"{self.get_action_display()} ({day(self.at)})"

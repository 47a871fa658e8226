"""Recipients (processors, sub-processors, the group, partners, event
organisers, the payment provider) and transfers out of the EEA, for the
register of processing (Art. 28, 30(1)(d)-(e), 44-49). Edited by
compliance; nothing here is about a client."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from core.free_text import FreeTextModel

# The EEA: the EU's 27 and Iceland, Liechtenstein, Norway.
EEA = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "HU",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
        "IS",
        "LI",
        "NO",
    ]
)
# Adequacy decisions of the European Commission (Art. 45), by country.
ADEQUACY = {
    "GB": _("Commission Implementing Decision (EU) 2021/1772 (United Kingdom)"),
    "CH": _("Commission Decision 2000/518/EC (Switzerland)"),
    "JP": _("Commission Implementing Decision (EU) 2019/419 (Japan)"),
    "KR": _("Commission Implementing Decision (EU) 2022/254 (Republic of Korea)"),
    "CA": _("Commission Decision 2002/2/EC (Canada, commercial organisations)"),
    "US": _(
        "EU-US Data Privacy Framework, Decision (EU) 2023/1795 (certified "
        "organisations only)"
    ),
}


class Recipient(FreeTextModel):
    class Kind(models.TextChoices):
        PROCESSOR = "processor", _("Processor (Art. 28)")
        SUB_PROCESSOR = "sub_processor", _("Sub-processor")
        GROUP = "group", _("Group entity")
        PARTNER = "partner", _("Partner (department store)")
        EVENT_ORGANISER = "event_organiser", _("Event organiser")
        PAYMENT_PROVIDER = "payment_provider", _("Payment provider")

    # Kinds that act on the house's behalf: an Art. 28 agreement is required.
    PROCESSING_KINDS = (Kind.PROCESSOR, Kind.SUB_PROCESSOR, Kind.GROUP)

    name = models.CharField(_("name"), max_length=150, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    service = models.CharField(_("what they do with the data"), max_length=300)
    country = CountryField(_("country"))
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sub_processors",
        verbose_name=_("processor it works for"),
        help_text=_("For a sub-processor: the processor that engaged it."),
    )
    agreement_reference = models.CharField(
        _("agreement reference"), max_length=100, blank=True
    )
    agreement_signed_on = models.DateField(
        _("agreement signed on"), null=True, blank=True
    )
    agreement_ends_on = models.DateField(_("agreement ends on"), null=True, blank=True)
    contact_email = models.EmailField(
        _("contact email"),
        blank=True,
        help_text=_(
            "Where the house writes to this recipient: the Art. 19 notices "
            "(corrections, erasures) to an event organiser are emailed here."
        ),
    )
    contact_language = models.CharField(
        _("language of the contact"),
        max_length=2,
        blank=True,
        choices=[("fr", _("French")), ("en", _("English"))],
        help_text=_(
            "The language of its emails. Blank: French for France, Belgium, "
            "Luxembourg and Monaco, English elsewhere."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("recipient or processor")
        verbose_name_plural = _("recipients and processors")

    def __str__(self):
        return self.name

    @property
    def language(self) -> str:
        """The language to write to this recipient in (French or English)."""
        if self.contact_language:
            return self.contact_language
        return "fr" if str(self.country) in ("FR", "BE", "LU", "MC") else "en"

    def clean(self):
        errors = {}
        if self.kind in self.PROCESSING_KINDS:
            if not self.agreement_reference:
                errors["agreement_reference"] = _(
                    "A processor needs its Art. 28 agreement's reference."
                )
            if not self.agreement_signed_on:
                errors["agreement_signed_on"] = _(
                    "A processor needs the date its Art. 28 agreement was signed."
                )
        if self.kind == self.Kind.SUB_PROCESSOR and not self.parent_id:
            errors["parent"] = _("Name the processor this sub-processor works for.")
        if (
            self.agreement_signed_on
            and self.agreement_ends_on
            and self.agreement_ends_on < self.agreement_signed_on
        ):
            errors["agreement_ends_on"] = _("The agreement ends before it was signed.")
        if errors:
            raise ValidationError(errors)


class Transfer(FreeTextModel):
    """A transfer of personal data to a country outside the EEA."""

    class Mechanism(models.TextChoices):
        ADEQUACY = "adequacy", _("Adequacy decision (Art. 45)")
        SCCS = "sccs", _("Standard contractual clauses (Art. 46(2)(c))")
        BCRS = "bcrs", _("Binding corporate rules (Art. 47)")
        DEROGATION = "derogation", _("Derogation for a specific situation (Art. 49)")
        NONE = "none", _("None")

    recipient = models.ForeignKey(
        Recipient,
        on_delete=models.PROTECT,
        related_name="transfers",
        verbose_name=_("recipient"),
    )
    country = CountryField(_("destination country"))
    purpose = models.CharField(_("what is transferred and why"), max_length=300)
    mechanism = models.CharField(
        _("mechanism"), max_length=12, choices=Mechanism.choices
    )
    mechanism_reference = models.CharField(
        _("mechanism reference"),
        max_length=200,
        blank=True,
        help_text=_("The adequacy decision, or the SCCs' or BCRs' reference."),
    )
    tia_reference = models.CharField(
        _("transfer impact assessment"),
        max_length=100,
        blank=True,
        help_text=_("Reference of the transfer impact assessment (SCCs, BCRs)."),
    )

    class Meta:
        ordering = ["country", "recipient__name"]
        verbose_name = _("transfer outside the EEA")
        verbose_name_plural = _("transfers outside the EEA")

    def __str__(self):
        return f"{self.recipient} → {self.country.name}"

    def clean(self):
        errors = {}
        code = str(self.country)
        if code in EEA:
            errors["country"] = _(
                "%(country)s is in the EEA: this is not a transfer."
            ) % {"country": self.country.name}
        elif self.mechanism in ("", self.Mechanism.NONE):
            errors["mechanism"] = _(
                "A transfer to %(country)s, outside the EEA, needs a mechanism "
                "(adequacy, SCCs, BCRs or an Art. 49 derogation): it is refused "
                "without one."
            ) % {"country": self.country.name}
        elif self.mechanism == self.Mechanism.ADEQUACY and code not in ADEQUACY:
            errors["mechanism"] = _(
                "The Commission has no adequacy decision for %(country)s."
            ) % {"country": self.country.name}
        elif (
            self.mechanism in (self.Mechanism.SCCS, self.Mechanism.BCRS)
            and not self.tia_reference
        ):
            errors["tia_reference"] = _(
                "SCCs and BCRs need a transfer impact assessment's reference."
            )
        if errors:
            raise ValidationError(errors)

"""The purpose registry and the form templates: reference data from code.

Rows come from consents.registry (sync_registry, run by migrations and
seed_demo); a published form version is never rewritten.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from consents import registry
from core.free_text import LONG_TEXT_MAX_LENGTH, FreeTextModel


class Purpose(FreeTextModel):
    """A purpose of the privacy notice; rows come from consents.registry."""

    class LegalBasis(models.TextChoices):
        CONSENT = registry.CONSENT, _("Consent")
        CONTRACT = registry.CONTRACT, _("Contract")
        LEGITIMATE_INTEREST = registry.LEGITIMATE_INTEREST, _("Legitimate interest")
        LEGAL_OBLIGATION = registry.LEGAL_OBLIGATION, _("Legal obligation")

    code = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(max_length=LONG_TEXT_MAX_LENGTH)
    legal_basis = models.CharField(max_length=30, choices=LegalBasis.choices)
    data_categories = models.JSONField(default=list)
    recipients = models.JSONField(default=list)
    retention = models.CharField(max_length=300)
    can_object = models.BooleanField(default=False)
    direct_marketing = models.BooleanField(default=False)
    soft_opt_in = models.BooleanField(
        default=False,
        help_text=_("Existing customers may be emailed without prior consent."),
    )
    special_category = models.BooleanField(
        default=False, help_text=_("GDPR Art. 9 data: explicit consent only.")
    )
    balancing_interest = models.TextField(
        _("legitimate interest pursued"), blank=True, max_length=LONG_TEXT_MAX_LENGTH
    )
    balancing_necessity = models.TextField(
        _("why the processing is necessary"),
        blank=True,
        max_length=LONG_TEXT_MAX_LENGTH,
    )
    balancing_rights = models.TextField(
        _("why it does not override the client's rights"),
        blank=True,
        max_length=LONG_TEXT_MAX_LENGTH,
    )
    display_order = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["display_order", "code"]
        constraints = [
            models.CheckConstraint(
                name="purpose_legitimate_interest_has_balancing_test",
                condition=~Q(legal_basis=registry.LEGITIMATE_INTEREST)
                | (
                    ~Q(balancing_interest="")
                    & ~Q(balancing_necessity="")
                    & ~Q(balancing_rights="")
                ),
                violation_error_message=(
                    _(
                        "A purpose based on legitimate interest "
                        "carries its balancing test."
                    )
                ),
            )
        ]

    def __str__(self):
        return self.name

    @property
    def needs_consent(self) -> bool:
        return self.legal_basis == registry.CONSENT


class FormTemplate(FreeTextModel):
    class Kind(models.TextChoices):
        PAPER = "paper", _("Paper form")
        WEBSITE = "website", _("Website form")
        CLIENTELING_TOOL = "clienteling_tool", _("Clienteling-tool form")

    code = models.SlugField(max_length=50, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=200)

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return self.title


class FormTemplateVersion(models.Model):
    """A published version of a form; never changed once created."""

    template = models.ForeignKey(
        FormTemplate, on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField()
    services = models.ManyToManyField(
        Purpose,
        related_name="+",
        help_text=_("The services a client can ask for on this form."),
    )
    published_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["template", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["template", "number"], name="form_version_once"
            )
        ]

    def __str__(self):
        return f"{self.template.title}, version {self.number}"


class FormField(FreeTextModel):
    """A field of a form version, mandatory for some requested services."""

    version = models.ForeignKey(
        FormTemplateVersion, on_delete=models.PROTECT, related_name="fields"
    )
    key = models.SlugField(max_length=50)
    label = models.CharField(max_length=100)
    data_category = models.CharField(
        max_length=30, choices=[(c, c) for c in registry.DATA_CATEGORIES]
    )
    mandatory_for = models.ManyToManyField(Purpose, blank=True, related_name="+")
    display_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["version", "display_order"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="form_field_once")
        ]

    def __str__(self):
        return self.label


class PurposeWording(FreeTextModel):
    """The exact consent sentence a form version shows for a purpose, in
    one language (decision 0030: the version is the legal content, each
    language a rendering of it)."""

    version = models.ForeignKey(
        FormTemplateVersion, on_delete=models.PROTECT, related_name="wordings"
    )
    purpose = models.ForeignKey(Purpose, on_delete=models.PROTECT, related_name="+")
    language = models.CharField(
        max_length=5,
        default="en",
        help_text="Language code of the sentence, e.g. en, fr.",
    )
    text = models.TextField(max_length=LONG_TEXT_MAX_LENGTH)

    class Meta:
        ordering = ["version", "purpose__display_order", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "purpose", "language"],
                name="purpose_wording_once_per_language",
            )
        ]

    def __str__(self):
        return f"{self.version}: {self.purpose.name} ({self.language})"

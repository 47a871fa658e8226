"""The purpose registry and the form templates: reference data from code.

Rows come from consents.registry (sync_registry, run by migrations and
seed_demo); a published form version is never rewritten.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from consents import registry
from consents.documents import purpose_name, purpose_text
from core.free_text import LONG_TEXT_MAX_LENGTH, FreeTextModel


class Purpose(FreeTextModel):
    """A purpose of the privacy notice; rows come from consents.registry."""

    class LegalBasis(models.TextChoices):
        CONSENT = registry.CONSENT, _("Consent")
        CONTRACT = registry.CONTRACT, _("Contract")
        LEGITIMATE_INTEREST = registry.LEGITIMATE_INTEREST, _("Legitimate interest")
        LEGAL_OBLIGATION = registry.LEGAL_OBLIGATION, _("Legal obligation")

    code = models.SlugField(max_length=50, unique=True, verbose_name=_("code"))
    name = models.CharField(max_length=200, verbose_name=_("name"))
    description = models.TextField(
        max_length=LONG_TEXT_MAX_LENGTH, verbose_name=_("description")
    )
    legal_basis = models.CharField(
        max_length=30, choices=LegalBasis.choices, verbose_name=_("legal basis")
    )
    data_categories = models.JSONField(default=list, verbose_name=_("data categories"))
    recipients = models.JSONField(default=list, verbose_name=_("recipients"))
    retention = models.CharField(max_length=300, verbose_name=_("retention"))
    can_object = models.BooleanField(default=False, verbose_name=_("can object"))
    direct_marketing = models.BooleanField(
        default=False, verbose_name=_("direct marketing")
    )
    soft_opt_in = models.BooleanField(
        default=False,
        help_text=_("Existing customers may be emailed without prior consent."),
        verbose_name=_("soft opt-in"),
    )
    special_category = models.BooleanField(
        default=False,
        help_text=_("GDPR Art. 9 data: explicit consent only."),
        verbose_name=_("special category"),
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
    display_order = models.PositiveIntegerField(
        default=0, verbose_name=_("display order")
    )
    is_active = models.BooleanField(default=True, verbose_name=_("active"))

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
        verbose_name = _("purpose")
        verbose_name_plural = _("purposes")

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name in the active language (`name` is the English of the
        registry; decision 0037)."""
        return purpose_name(self.code, self.name)

    @property
    def display_description(self) -> str:
        """The description in the active language, as display_name."""
        return purpose_text(self.code, "description", self.description)

    @property
    def needs_consent(self) -> bool:
        return self.legal_basis == registry.CONSENT


class FormTemplate(FreeTextModel):
    class Kind(models.TextChoices):
        PAPER = "paper", _("Paper form")
        WEBSITE = "website", _("Website form")
        CLIENTELING_TOOL = "clienteling_tool", _("Clienteling-tool form")

    code = models.SlugField(max_length=50, unique=True, verbose_name=_("code"))
    kind = models.CharField(max_length=20, choices=Kind.choices, verbose_name=_("kind"))
    title = models.CharField(max_length=200, verbose_name=_("title"))

    class Meta:
        ordering = ["code"]
        verbose_name = _("form template")
        verbose_name_plural = _("form templates")

    def __str__(self):
        return self.title


class FormTemplateVersion(models.Model):
    """A published version of a form; never changed once created."""

    template = models.ForeignKey(
        FormTemplate,
        on_delete=models.PROTECT,
        related_name="versions",
        verbose_name=_("template"),
    )
    number = models.PositiveIntegerField(verbose_name=_("number"))
    services = models.ManyToManyField(
        Purpose,
        related_name="+",
        help_text=_("The services a client can ask for on this form."),
        verbose_name=_("services"),
    )
    published_at = models.DateTimeField(
        auto_now_add=True, verbose_name=_("published at")
    )

    class Meta:
        ordering = ["template", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["template", "number"], name="form_version_once"
            )
        ]
        verbose_name = _("form template version")
        verbose_name_plural = _("form template versions")

    def __str__(self):
        return f"{self.template.title}, version {self.number}"


class FormField(FreeTextModel):
    """A field of a form version, mandatory for some requested services."""

    version = models.ForeignKey(
        FormTemplateVersion,
        on_delete=models.PROTECT,
        related_name="fields",
        verbose_name=_("version"),
    )
    key = models.SlugField(max_length=50, verbose_name=_("key"))
    label = models.CharField(max_length=100, verbose_name=_("label"))
    data_category = models.CharField(
        max_length=30,
        choices=[(c, c) for c in registry.DATA_CATEGORIES],
        verbose_name=_("data category"),
    )
    mandatory_for = models.ManyToManyField(
        Purpose, blank=True, related_name="+", verbose_name=_("mandatory for")
    )
    display_order = models.PositiveIntegerField(
        default=0, verbose_name=_("display order")
    )

    class Meta:
        ordering = ["version", "display_order"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="form_field_once")
        ]
        verbose_name = _("form field")
        verbose_name_plural = _("form fields")

    def __str__(self):
        return self.label


class PurposeWording(FreeTextModel):
    """The exact consent sentence a form version shows for a purpose, in
    one language (decision 0030: the version is the legal content, each
    language a rendering of it)."""

    version = models.ForeignKey(
        FormTemplateVersion,
        on_delete=models.PROTECT,
        related_name="wordings",
        verbose_name=_("version"),
    )
    purpose = models.ForeignKey(
        Purpose, on_delete=models.PROTECT, related_name="+", verbose_name=_("purpose")
    )
    language = models.CharField(
        max_length=5,
        default="en",
        help_text="Language code of the sentence, e.g. en, fr.",
        verbose_name=_("language"),
    )
    text = models.TextField(max_length=LONG_TEXT_MAX_LENGTH, verbose_name=_("text"))

    class Meta:
        ordering = ["version", "purpose__display_order", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "purpose", "language"],
                name="purpose_wording_once_per_language",
            )
        ]
        verbose_name = _("purpose wording")
        verbose_name_plural = _("purpose wordings")

    def __str__(self):
        return f"{self.version}: {self.purpose.display_name} ({self.language})"

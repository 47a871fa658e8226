"""Data protection impact assessments (GDPR Art. 35), one per purpose of
the registry that needs one: the allergy data (special category) and the
profiling purposes. Linked from the register; a review date passing
raises a review for compliance (privacy.dpias)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.free_text import LONG_TEXT_MAX_LENGTH, FreeTextModel


class Dpia(FreeTextModel):
    class Residual(models.TextChoices):
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium: accepted with the measures")
        HIGH = "high", _("High: prior consultation of the CNIL (Art. 36)")

    purpose_code = models.CharField(
        _("purpose"), max_length=50, unique=True, help_text=_("The purpose assessed.")
    )
    processing = models.TextField(_("the processing"), max_length=LONG_TEXT_MAX_LENGTH)
    necessity = models.TextField(
        _("necessity and proportionality"), max_length=LONG_TEXT_MAX_LENGTH
    )
    risks = models.TextField(_("risks to people"), max_length=LONG_TEXT_MAX_LENGTH)
    measures = models.TextField(
        _("measures against the risks"), max_length=LONG_TEXT_MAX_LENGTH
    )
    residual_risk = models.CharField(
        _("residual risk"), max_length=10, choices=Residual.choices
    )
    dpo_opinion = models.TextField(
        _("the DPO's opinion"), max_length=LONG_TEXT_MAX_LENGTH
    )
    review_on = models.DateField(
        _("review date"),
        help_text=_("A review is raised for compliance when this date comes."),
    )
    # When the review was raised for the current review date (reset when
    # the date moves).
    review_raised_at = models.DateTimeField(
        _("review raised at"), null=True, blank=True, editable=False
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("updated by"),
    )

    class Meta:
        ordering = ["review_on"]
        verbose_name = _("impact assessment (DPIA)")
        verbose_name_plural = _("impact assessments (DPIAs)")

    def __str__(self):
        from consents import registry

        spec = next((p for p in registry.PURPOSES if p.code == self.purpose_code), None)
        return _("DPIA: %(purpose)s") % {
            "purpose": spec.name if spec else self.purpose_code
        }

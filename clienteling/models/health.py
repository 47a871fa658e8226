from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.fields import EncryptedTextField
from core.free_text import SHORT_TEXT_MAX_LENGTH, FreeTextModel
from core.history import house_history


class MetalAllergy(FreeTextModel):
    """A metal the client reacts to: health data (GDPR Art. 9).

    Kept only under explicit consent (the consents app installs the gate,
    see core.hooks). Its history is deleted with it
    (cascade_delete_history), so a withdrawal leaves no copy behind.
    Visible only with the view_metalallergy permission.
    """

    class Metal(models.TextChoices):
        NICKEL = "nickel", _("Nickel")
        COBALT = "cobalt", _("Cobalt")
        PALLADIUM = "palladium", _("Palladium")
        COPPER = "copper", _("Copper (rose and red gold alloys)")
        WHITE_GOLD = "white_gold", _("White gold alloys")
        YELLOW_GOLD = "yellow_gold", _("Yellow gold alloys")
        SILVER = "silver", _("Silver")
        PLATINUM = "platinum", _("Platinum")
        TITANIUM = "titanium", _("Titanium")
        RHODIUM = "rhodium", _("Rhodium plating")

    class Severity(models.TextChoices):
        MILD = "mild", _("Mild (irritation)")
        MODERATE = "moderate", _("Moderate")
        SEVERE = "severe", _("Severe")

    client = models.ForeignKey(
        "clienteling.Client",
        on_delete=models.CASCADE,
        related_name="allergies",
        verbose_name=_("client"),
    )
    # Metal, severity and notes are encrypted at rest, in the history table
    # too (same field class): a database dump or a read-only SQL session
    # shows no one's allergies. Fernet is not deterministic, so the
    # database cannot filter or enforce uniqueness on them: reads are by
    # client, compared in Python (orders.selectors.allergy_conflicts), and
    # "one row per metal" is checked by validate_constraints below (see
    # docs/decisions/0009-allergy-metal-and-severity-encrypted.md).
    metal = EncryptedTextField(choices=Metal.choices, verbose_name=_("metal"))
    severity = EncryptedTextField(
        choices=Severity.choices, default=Severity.MILD, verbose_name=_("severity")
    )
    notes = EncryptedTextField(
        blank=True, max_length=SHORT_TEXT_MAX_LENGTH, verbose_name=_("notes")
    )
    recorded_at = models.DateTimeField(auto_now_add=True, verbose_name=_("recorded at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    history = house_history(cascade_delete_history=True)

    class Meta:
        verbose_name = _("metal allergy")
        verbose_name_plural = _("metal allergies")

    def __str__(self):
        return self.get_metal_display()

    def validate_constraints(self, exclude=None):
        """One row per metal for a client, compared after decryption.

        Called by full_clean() (every service save, admin forms) and by a
        merge before it moves a row; callers that write concurrently lock
        the client row first (clienteling.services.allergy_record).
        """
        super().validate_constraints(exclude=exclude)
        if exclude and "metal" in exclude:
            return
        if self.client_id is None or not self.metal:
            return
        others = MetalAllergy.objects.filter(client_id=self.client_id).exclude(
            pk=self.pk
        )
        if self.metal in set(others.values_list("metal", flat=True)):
            raise ValidationError(
                {"metal": _("This allergy is already recorded.")},
                code="unique",
            )

from django.conf import settings
from django.db import models

from clienteling.fields import EncryptedTextField
from clienteling.free_text import SHORT_TEXT_MAX_LENGTH, FreeTextModel
from clienteling.history import house_history


class MetalAllergy(FreeTextModel):
    """A metal the client reacts to: health data (GDPR Art. 9).

    Kept only under explicit consent (the consents app installs the gate,
    see clienteling.hooks). Its history is deleted with it
    (cascade_delete_history), so a withdrawal leaves no copy behind.
    Visible only with the view_metalallergy permission.
    """

    class Metal(models.TextChoices):
        NICKEL = "nickel", "Nickel"
        COBALT = "cobalt", "Cobalt"
        PALLADIUM = "palladium", "Palladium"
        COPPER = "copper", "Copper (rose and red gold alloys)"
        WHITE_GOLD = "white_gold", "White gold alloys"
        YELLOW_GOLD = "yellow_gold", "Yellow gold alloys"
        SILVER = "silver", "Silver"
        PLATINUM = "platinum", "Platinum"
        TITANIUM = "titanium", "Titanium"
        RHODIUM = "rhodium", "Rhodium plating"

    class Severity(models.TextChoices):
        MILD = "mild", "Mild (irritation)"
        MODERATE = "moderate", "Moderate"
        SEVERE = "severe", "Severe"

    client = models.ForeignKey(
        "clienteling.Client", on_delete=models.CASCADE, related_name="allergies"
    )
    metal = models.CharField(max_length=20, choices=Metal.choices)
    severity = models.CharField(
        max_length=10, choices=Severity.choices, default=Severity.MILD
    )
    # Encrypted at rest, in the history table too (same field class).
    notes = EncryptedTextField(blank=True, max_length=SHORT_TEXT_MAX_LENGTH)
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    history = house_history(cascade_delete_history=True)

    class Meta:
        verbose_name = "metal allergy"
        verbose_name_plural = "metal allergies"
        constraints = [
            models.UniqueConstraint(
                fields=["client", "metal"],
                name="client_allergy_once",
                violation_error_message="This allergy is already recorded.",
            )
        ]

    def __str__(self):
        return self.get_metal_display()

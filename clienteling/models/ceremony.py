from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from clienteling import ring_sizes
from core.display import day
from core.free_text import FreeTextModel
from core.history import house_history


class RingSize(FreeTextModel):
    """A measured ring size (part of the "selling ceremony")."""

    class Finger(models.TextChoices):
        LEFT_RING = "left_ring", _("Left ring finger")
        RIGHT_RING = "right_ring", _("Right ring finger")
        LEFT_MIDDLE = "left_middle", _("Left middle finger")
        RIGHT_MIDDLE = "right_middle", _("Right middle finger")
        LEFT_INDEX = "left_index", _("Left index")
        RIGHT_INDEX = "right_index", _("Right index")
        LEFT_LITTLE = "left_little", _("Left little finger")
        RIGHT_LITTLE = "right_little", _("Right little finger")
        LEFT_THUMB = "left_thumb", _("Left thumb")
        RIGHT_THUMB = "right_thumb", _("Right thumb")

    client = models.ForeignKey(
        "clienteling.Client",
        on_delete=models.CASCADE,
        related_name="ring_sizes",
        verbose_name=_("client"),
    )
    finger = models.CharField(
        max_length=20, choices=Finger.choices, verbose_name=_("finger")
    )
    system = models.CharField(
        max_length=2,
        choices=[(s.value, s.value) for s in ring_sizes.SizingSystem],
        default=ring_sizes.SizingSystem.EU.value,
        verbose_name=_("sizing system"),
    )
    size = models.CharField(
        max_length=6,
        help_text=_("As measured, e.g. 52, 6.5, N½."),
        verbose_name=_("size"),
    )
    circumference_mm = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        editable=False,
        verbose_name=_("circumference (mm)"),
    )
    measured_at = models.DateField(verbose_name=_("measured at"))
    measured_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("measured by"),
    )

    history = house_history()

    class Meta:
        ordering = ["finger", "-measured_at"]
        verbose_name = _("ring size")
        verbose_name_plural = _("ring sizes")

    def __str__(self):
        return f"{self.get_finger_display()}: {self.system} {self.size}"

    def save(self, *args, **kwargs):
        if self.circumference_mm is None:
            self.clean()
        super().save(*args, **kwargs)

    def clean(self):
        try:
            mm = ring_sizes.circumference_mm(self.system, self.size)
        except ring_sizes.RingSizeError as exc:
            raise ValidationError({"size": str(exc)}) from None
        self.circumference_mm = ring_sizes.as_decimal_mm(mm)

    @property
    def conversions(self) -> dict[str, str]:
        return ring_sizes.convert(self.system, self.size)


class ImportantDate(FreeTextModel):
    """A date that matters to the client; recurring ones feed follow-ups."""

    class Kind(models.TextChoices):
        WEDDING = "wedding", _("Wedding")
        ENGAGEMENT = "engagement", _("Engagement")
        BIRTHDAY = "birthday", _("Birthday (someone close)")
        ANNIVERSARY = "anniversary", _("Anniversary")
        OTHER = "other", _("Other")

    client = models.ForeignKey(
        "clienteling.Client",
        on_delete=models.CASCADE,
        related_name="important_dates",
        verbose_name=_("client"),
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, verbose_name=_("kind"))
    date = models.DateField(verbose_name=_("date"))
    label = models.CharField(max_length=100, blank=True, verbose_name=_("label"))
    recurring = models.BooleanField(
        default=True,
        help_text=_("Remembered every year (an anniversary)."),
        verbose_name=_("recurring"),
    )

    history = house_history()

    class Meta:
        ordering = ["date"]
        indexes = [models.Index(fields=["kind", "date"])]
        verbose_name = _("important date")
        verbose_name_plural = _("important dates")

    def __str__(self):
        return f"{self.get_kind_display()} {day(self.date)}"

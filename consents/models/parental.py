"""A parent's consent for a client under the age of digital consent.

GDPR Art. 8 and the French law (Loi Informatique et Libertés, art. 45):
under 15, a consent to an information-society service (the house's
emails, texts, website account) is lawful only with the consent of a
person holding parental responsibility. The row records who gave it, in
what capacity, who recorded it and when; the evidence (a signed form, a
scanned letter) is a file in private storage, like the paper forms' scans
(consents.parental).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.free_text import FreeTextModel


class ParentalConsent(FreeTextModel):
    class Relation(models.TextChoices):
        MOTHER = "mother", _("Mother")
        FATHER = "father", _("Father")
        GUARDIAN = "guardian", _("Legal guardian")

    client = models.ForeignKey(
        "clienteling.Client",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("client"),
    )
    parent_name = models.CharField(max_length=200, verbose_name=_("parent's name"))
    relation = models.CharField(
        max_length=20, choices=Relation.choices, verbose_name=_("relation")
    )
    given_on = models.DateField(verbose_name=_("given on"))
    evidence_name = models.CharField(
        max_length=80, verbose_name=_("evidence file name")
    )
    evidence_content_type = models.CharField(
        max_length=30, verbose_name=_("evidence content type")
    )
    evidence_size = models.PositiveIntegerField(verbose_name=_("evidence size"))
    evidence_sha256 = models.CharField(
        max_length=64, verbose_name=_("evidence SHA-256")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(verbose_name=_("recorded at"))

    class Meta:
        ordering = ["-recorded_at", "-id"]
        verbose_name = _("parental consent")
        verbose_name_plural = _("parental consents")
        indexes = [models.Index(fields=["client", "recorded_at"])]

    def __str__(self):
        return f"{self.parent_name} ({self.get_relation_display()})"

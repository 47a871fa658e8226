from django.db import models
from django.utils.translation import gettext_lazy as _

from core.free_text import FreeTextModel
from core.history import house_history


class WebEvent(FreeTextModel):
    """An imported website activity event."""

    class Kind(models.TextChoices):
        PRODUCT_VIEW = "product_view", _("Product page viewed")
        ACCOUNT_CREATED = "account_created", _("Account created")
        LOGIN = "login", _("Logged in")
        SELECTION_ADDED = "selection_added", _("Added to Selection")
        SELECTION_REMOVED = "selection_removed", _("Removed from Selection")
        CONTACT_FORM = "contact_form", _("Contact-us form sent")

    client = models.ForeignKey(
        "clienteling.Client",
        on_delete=models.CASCADE,
        related_name="web_events",
        verbose_name=_("client"),
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, verbose_name=_("kind"))
    product_reference = models.CharField(
        max_length=40, blank=True, verbose_name=_("product reference")
    )
    occurred_at = models.DateTimeField(verbose_name=_("occurred at"))
    # The id the website gave the event: a re-import does not duplicate it.
    external_id = models.CharField(
        max_length=64, unique=True, verbose_name=_("external ID")
    )

    history = house_history()

    class Meta:
        ordering = ["-occurred_at"]
        indexes = [models.Index(fields=["client", "-occurred_at"])]
        verbose_name = _("web event")
        verbose_name_plural = _("web events")

    def __str__(self):
        return f"{self.get_kind_display()} {self.product_reference}".strip()


class SelectionItem(FreeTextModel):
    """A product in the client's website "Selection" (wish list).

    Products live in the orders app; the catalogue reference is kept here so
    clienteling depends on nothing above it.
    """

    client = models.ForeignKey(
        "clienteling.Client",
        on_delete=models.CASCADE,
        related_name="selection",
        verbose_name=_("client"),
    )
    product_reference = models.CharField(
        max_length=40, verbose_name=_("product reference")
    )
    product_name = models.CharField(max_length=200, verbose_name=_("product name"))
    added_at = models.DateTimeField(verbose_name=_("added at"))

    history = house_history()

    class Meta:
        verbose_name = _("selection item")
        ordering = ["-added_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "product_reference"], name="selection_item_once"
            )
        ]
        verbose_name_plural = _("selection items")

    def __str__(self):
        return self.product_name

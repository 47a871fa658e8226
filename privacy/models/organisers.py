"""Guest lists handed to event organisers: which guests' data went to which
organiser, and when (decision 0106). Ids, the event, the organiser and the
categories only: no name or address is copied here; the list itself is
built from the client records when it is downloaded."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.display import day


class GuestListDisclosure(models.Model):
    """One guest list of a house event given to its organiser."""

    class Category(models.TextChoices):
        NAMES = "names", _("Names")
        EMAIL = "email", _("Email address")
        ANSWER = "answer", _("Answer to the invitation")

    event = models.ForeignKey(
        "clienteling.HouseEvent",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("event"),
    )
    organiser = models.ForeignKey(
        "privacy.Recipient",
        on_delete=models.PROTECT,
        related_name="guest_lists",
        verbose_name=_("organiser"),
    )
    categories = models.JSONField(_("data given"), default=list)
    disclosed_at = models.DateTimeField(_("given at"))
    disclosed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("given by"),
    )
    guest_count = models.PositiveIntegerField(_("guests"))

    class Meta:
        ordering = ["-disclosed_at", "-id"]
        verbose_name = _("guest list given to an organiser")
        verbose_name_plural = _("guest lists given to organisers")

    def __str__(self):
        return f"{self.event} → {self.organiser} ({day(self.disclosed_at)})"

    def category_labels(self) -> list[str]:
        labels = dict(self.Category.choices)
        return [str(labels[c]) for c in self.categories if c in labels]


class OrganiserDisclosure(models.Model):
    """One guest of a guest list: this client's data went to this organiser.
    Its id is the guest reference the list carries (`G<id>`), by which the
    Art. 19 notices name the guest to the organiser."""

    guest_list = models.ForeignKey(
        GuestListDisclosure,
        on_delete=models.PROTECT,
        related_name="guests",
        verbose_name=_("guest list"),
    )
    organiser = models.ForeignKey(
        "privacy.Recipient",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organiser"),
    )
    client = models.ForeignKey(
        "clienteling.Client",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("client"),
    )
    disclosed_at = models.DateTimeField(_("given at"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["guest_list", "client"], name="organiser_disclosure_once"
            )
        ]
        indexes = [models.Index(fields=["client", "organiser"])]
        verbose_name = _("disclosure to an event organiser")
        verbose_name_plural = _("disclosures to event organisers")

    def __str__(self):
        return f"client {self.client_id} -> {self.organiser_id}"

    @property
    def guest_ref(self) -> str:
        return f"G{self.pk}"

"""Four-eyes approvals: an action one compliance officer asks for and a
second one approves (docs/decisions/0059).

A real retention run started by a person and a change to a retention rule
wait here until another officer approves them on a page that names what
they will do; the erasure's own row (ErasureJob) carries its requester and
approver the same way. Nothing here holds a client's data: the proposed
rule values and the counts shown when the request was made.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.free_text import FreeTextModel


class Approval(FreeTextModel):
    class Kind(models.TextChoices):
        RETENTION_RUN = "retention_run", _("Real retention run")
        RULE_CHANGE = "rule_change", _("Change to a retention rule")
        CLIENT_EXPORT = "client_export", _("Large client-list export")

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting a second officer")
        # An export approved and not yet downloaded by its requester.
        APPROVED = "approved", _("Approved, not yet used")
        EXECUTED = "executed", _("Approved and carried out")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn by the requester")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    # A rule change: the rule and the values proposed ({"field": value}).
    rule = models.ForeignKey(
        "privacy.RetentionRule",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="approvals",
        verbose_name=_("retention rule"),
    )
    changes = models.JSONField(_("proposed changes"), default=dict, blank=True)
    # A retention run: what the preview counted when it was requested
    # ({"clients": n}); the approval page counts again.
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    # A client-list export: the list's filters (a query string of filter
    # codes and ids, and the search box's words) and, in counts, how many
    # clients; the requester may export that list once, when approved.
    export_query = models.CharField(_("export filters"), max_length=500, blank=True)
    executed_at = models.DateTimeField(_("carried out at"), null=True, blank=True)
    retention_run = models.OneToOneField(
        "privacy.RetentionRun",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="approval",
        verbose_name=_("retention run"),
    )

    class Meta:
        ordering = ["-requested_at", "-id"]
        permissions = [("approve_approval", "Can approve another officer's request")]
        constraints = [
            models.CheckConstraint(
                name="approval_rule_change_names_its_rule",
                condition=~Q(kind="rule_change") | Q(rule__isnull=False),
            ),
            models.CheckConstraint(
                name="approval_decided_by_someone_else",
                condition=Q(decided_by__isnull=True)
                | ~Q(decided_by=models.F("requested_by")),
            ),
        ]
        verbose_name = _("four-eyes approval")
        verbose_name_plural = _("four-eyes approvals")

    def __str__(self):
        if self.kind == self.Kind.RULE_CHANGE and self.rule_id:
            return _("Change to “%(rule)s” (#%(pk)s)") % {
                "rule": self.rule,
                "pk": self.pk,
            }
        return _("%(kind)s (#%(pk)s)") % {
            "kind": self.get_kind_display(),
            "pk": self.pk,
        }

"""Four-eyes approvals in the admin: thin callers of privacy.approvals.

The list shows what waits for a second officer; an approval's page names
what approving will do (who a retention run erases, rule by rule; a rule's
old and new values) and asks to confirm; the requester sees it without
the button, and may withdraw it.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin_mixins import ReadOnlyAdminMixin
from core.confirmation import (
    Section,
    confirmation_page,
    is_confirmed,
    typed_confirmation_error,
)
from core.display import moment
from privacy import approvals, retention_preview
from privacy.admin.erasure import retention_steps_section
from privacy.models import Approval

APPROVE_PERMISSION = "privacy.approve_approval"


@admin.register(Approval)
class ApprovalAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "__str__",
        "status",
        "requested_by",
        "requested_at",
        "decided_by",
        "decided_at",
    ]
    list_filter = ["status", "kind"]
    list_select_related = ["requested_by", "decided_by", "rule"]
    actions = None

    def get_urls(self):
        return [
            path(
                "<path:object_id>/approve/",
                self.admin_site.admin_view(self.approve_view),
                name="privacy_approval_approve",
            ),
            path(
                "<path:object_id>/reject/",
                self.admin_site.admin_view(self.reject_view),
                name="privacy_approval_reject",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The request and what approving it would do; the approval itself
        is its own page (approve_view), one task per page."""
        if request.method == "POST":
            raise PermissionDenied
        return self.approve_view(request, object_id, review_only=True)

    def approve_view(self, request, object_id, review_only=False):
        if not self.has_view_permission(request):
            raise PermissionDenied
        approval = get_object_or_404(
            Approval.objects.select_related(
                "requested_by", "decided_by", "rule", "retention_run"
            ),
            pk=object_id,
        )
        preview = None
        if approval.kind == Approval.Kind.RETENTION_RUN:
            preview = retention_preview.retention_preview()
        error = ""
        if request.method == "POST":
            error = self._approve(request, approval, preview)
            if not error:
                return self._approved(request, approval)
        return self._page(request, approval, preview, error, review_only)

    def _approve(self, request, approval, preview) -> str:
        """Why the approval is refused, or "" once it is carried out."""
        if not request.user.has_perm(APPROVE_PERMISSION):
            raise PermissionDenied
        error = ""
        if preview is not None:
            # The count is read again: the phrase no longer matches if
            # clients became due since the page was shown.
            error = typed_confirmation_error(request, expected=preview.phrase)
        if not error and not is_confirmed(request):
            error = _("Use the button on this page to approve. Nothing was changed.")
        if error:
            return error
        try:
            approvals.approval_approve(acting_user=request.user, approval=approval)
        except ValidationError as exc:
            return " ".join(exc.messages)
        return ""

    def _approved(self, request, approval):
        approval.refresh_from_db()
        messages.success(
            request,
            _("%(approval)s approved and carried out.") % {"approval": approval},
        )
        if approval.kind == Approval.Kind.CLIENT_EXPORT:
            return redirect("admin:privacy_approval_changelist")
        if approval.retention_run_id:
            return redirect(
                "admin:privacy_retentionrun_report", approval.retention_run_id
            )
        return redirect("admin:privacy_retentionrule_change", approval.rule_id)

    def _page(self, request, approval, preview, error, review_only=False):
        changelist = reverse("admin:privacy_approval_changelist")
        pending = approval.status == Approval.Status.PENDING
        own = approval.requested_by_id == request.user.pk
        may_approve = pending and not own and request.user.has_perm(APPROVE_PERMISSION)
        sections, extra_template, extra, typed = self._what(
            request, approval, preview, pending
        )
        sections.append(self._status_section(approval, pending, own))
        return confirmation_page(
            request,
            admin_site=self.admin_site,
            title=str(approval),
            lead=self._lead(approval, preview, pending),
            sections=sections,
            action_label=_("Approve and carry out"),
            cancel_url=changelist,
            breadcrumbs=[(_("Four-eyes approvals"), changelist)],
            typed=typed,
            error=error,
            extra_template=extra_template,
            extra={
                **extra,
                "approval": approval,
                "can_withdraw_or_reject": pending
                and (own or request.user.has_perm(APPROVE_PERMISSION)),
                "own_request": own,
                "approve_url": reverse(
                    "admin:privacy_approval_approve", args=[approval.pk]
                )
                if review_only and may_approve
                else "",
            },
            can_act=may_approve and not review_only,
        )

    def _what(self, request, approval, preview, pending):
        if approval.kind == Approval.Kind.RULE_CHANGE:
            section = Section(
                heading=_("What changes in “%(rule)s”") % {"rule": approval.rule},
                lines=approvals.rule_change_lines(approval),
            )
            return [section], "privacy/approvals/decision.html", {}, ""
        if approval.kind == Approval.Kind.CLIENT_EXPORT:
            section = Section(
                heading=_("The list's filters"),
                lines=approvals.export_query_lines(approval),
            )
            return [section], "privacy/approvals/decision.html", {}, ""
        if not pending:
            return [], "privacy/approvals/decision.html", {}, ""
        return (
            [retention_steps_section(preview)],
            "privacy/approvals/run_clients.html",
            {
                "due_pages": retention_preview.due_clients_pages(
                    now=preview.now, page_number=request.GET.get("page", 1)
                )
            },
            preview.phrase,
        )

    def _lead(self, approval, preview, pending) -> str:
        if approval.kind == Approval.Kind.RETENTION_RUN and pending:
            erased = preview.clients_to_erase
            return ngettext(
                "Approving runs retention now: it erases %(erased)s client and "
                "deletes the other records below, for good. It cannot be undone.",
                "Approving runs retention now: it erases %(erased)s clients and "
                "deletes the other records below, for good. It cannot be undone.",
                erased,
            ) % {"erased": erased}
        if approval.kind == Approval.Kind.CLIENT_EXPORT and pending:
            clients = approval.counts.get("clients", 0)
            return ngettext(
                "Approving lets %(who)s export this list of %(count)s client "
                "once, within %(hours)s hours.",
                "Approving lets %(who)s export this list of %(count)s clients "
                "once, within %(hours)s hours.",
                clients,
            ) % {
                "who": approvals._name(approval.requested_by),
                "count": clients,
                "hours": approvals.EXPORT_APPROVAL_HOURS,
            }
        if approval.kind == Approval.Kind.RULE_CHANGE and pending:
            return _(
                "Approving changes the retention rule as below: the next "
                "retention run applies the new values."
            )
        return _("This request is %(status)s.") % {
            "status": approval.get_status_display().lower()
        }

    def _status_section(self, approval, pending, own) -> Section:
        lines = [
            _("Requested by %(who)s on %(when)s.")
            % {
                "who": approvals._name(approval.requested_by),
                "when": moment(approval.requested_at),
            }
        ]
        if approval.decided_at:
            lines.append(
                _("%(status)s on %(when)s%(by)s.")
                % {
                    "status": approval.get_status_display(),
                    "when": moment(approval.decided_at),
                    "by": (
                        _(" by %(who)s") % {"who": approvals._name(approval.decided_by)}
                        if approval.decided_by_id
                        else ""
                    ),
                }
            )
        note = ""
        if pending and own:
            note = _(
                "You requested this yourself: a second compliance officer must "
                "approve it. You may withdraw it."
            )
        return Section(heading=_("Who asked"), lines=lines, note=note)

    def reject_view(self, request, object_id):
        approval = get_object_or_404(Approval, pk=object_id)
        own = approval.requested_by_id == request.user.pk
        if not (own or request.user.has_perm(APPROVE_PERMISSION)):
            raise PermissionDenied
        if request.method != "POST":
            return redirect("admin:privacy_approval_change", approval.pk)
        try:
            approval = approvals.approval_reject(
                acting_user=request.user, approval=approval
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("%(approval)s: %(status)s.")
                % {
                    "approval": approval,
                    "status": approval.get_status_display().lower(),
                },
            )
        return redirect("admin:privacy_approval_change", approval.pk)

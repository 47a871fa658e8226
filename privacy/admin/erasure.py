"""Erasure and retention in the admin: thin callers of privacy.erasure.jobs and
privacy.retention. Compliance requests an erasure (add form, also opened
from the client page with the client filled in: privacy.panels), approves it
on a confirmation page naming the client and what is kept and why, follows
its progress and reads the receipt; retention rules are edited here and
runs (or dry runs) started, with their report by rule.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from clienteling.models import Client
from clienteling.scoping import ClientScopedMixin
from core.admin_mixins import ReadOnlyAdminMixin, adopt_saved
from core.confirmation import (
    TYPED_MISMATCH,
    Section,
    confirm_form_context,
    confirmation_page,
    is_confirmed,
    typed_confirmation_error,
    typed_confirmation_problem,
)
from privacy import approvals, receipts, retention, retention_preview
from privacy import requests as dsr
from privacy.erasure import jobs
from privacy.models import DataSubjectRequest, ErasureJob, RetentionRule, RetentionRun


def job_state(job) -> str:
    """The run's state from its job row, in staff words (" Running, 40 %.")."""
    if job is None:
        return ""
    state = job.get_status_display()
    if job.status == job.Status.RUNNING and job.percent is not None:
        state += f", {job.percent} %"
    if job.status == job.Status.FAILED and job.error:
        state += f": {job.error}"
    return f" {state.rstrip('.')}."


class ErasureRequestForm(forms.ModelForm):
    class Meta:
        model = ErasureJob
        fields = ["client", "request", "allow_partial"]

    partial_hint = _(
        "Tick this to erase everything the holds do not keep (a partial "
        "erasure), or request again once they end."
    )

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        if request is not None and "client" in self.fields:
            self.fields["client"].queryset = Client.objects.visible_to(request.user)
        if request is not None and "request" in self.fields:
            # The erasure requests in progress of the clients this user sees.
            self.fields["request"].queryset = DataSubjectRequest.objects.filter(
                kind=DataSubjectRequest.Kind.ERASURE,
                status=DataSubjectRequest.Status.IN_PROGRESS,
                client__in=Client.objects.visible_to(request.user),
            ).order_by("due_on", "id")
            self.fields["request"].empty_label = "None (no request)"

    def clean(self):
        data = super().clean()
        client = data.get("client")
        if client is not None and not self.errors:
            # The service's own checks, so the user gets the form back with
            # the reason; the service checks again on save.
            if data.get("request") is not None:
                try:
                    dsr.erasure_link_check(request=data["request"], client=client)
                except ValidationError as exc:
                    self.add_error("request", exc)
                    return data
            try:
                jobs.erasure_request_check(
                    client=client, allow_partial=data.get("allow_partial", False)
                )
            except ValidationError as exc:
                if any(e.code == "legal_hold" for e in exc.error_list):
                    self.add_error("allow_partial", self.partial_hint)
                raise ValidationError(exc.messages) from exc
        return data


@admin.register(ErasureJob)
class ErasureJobAdmin(ClientScopedMixin, admin.ModelAdmin):
    client_path = "client"
    form = ErasureRequestForm
    list_display = [
        "id",
        "client",
        "status",
        "request",
        "requested_at",
        "approved_at",
        "finished_at",
        "partial",
    ]
    list_select_related = ["client", "request"]
    list_filter = ["status", "partial"]
    search_fields = ["=request__id"]  # the number of its request, DSR-<n>
    raw_id_fields = ["client"]
    show_full_result_count = False
    actions = None

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)

        class WithRequest(form):
            def __init__(self, *args, **kw):
                super().__init__(*args, request=request, **kw)

        return WithRequest

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["client", "request", "allow_partial"]
        return [
            "client",
            "status",
            "outcome",
            "request",
            "allow_partial",
            "requested_by",
            "requested_at",
            "approved_by",
            "approved_at",
            "finished_at",
            "progress",
        ]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.get_fields(request, obj)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        job = jobs.erasure_request(
            acting_user=request.user,
            client=form.cleaned_data["client"],
            request=form.cleaned_data.get("request"),
            allow_partial=form.cleaned_data.get("allow_partial", False),
        )
        adopt_saved(obj, job)

    def response_add(self, request, obj, post_url_continue=None):
        return redirect("admin:privacy_erasurejob_approve", obj.pk)

    @admin.display(description=_("progress"))
    def progress(self, obj):
        steps = list(obj.steps.all())
        done = sum(1 for s in steps if s.done_at)
        return format_html(
            _('{} of {} steps done.{} <a href="{}">Receipt and progress</a>'),
            done,
            len(steps),
            job_state(obj.job) if obj.status in ErasureJob.UNFINISHED else "",
            reverse("admin:privacy_erasurejob_receipt", args=[obj.pk]),
        )

    def get_urls(self):
        return [
            path(
                "<path:object_id>/approve/",
                self.admin_site.admin_view(self.approve_view),
                name="privacy_erasurejob_approve",
            ),
            path(
                "<path:object_id>/receipt/",
                self.admin_site.admin_view(self.receipt_view),
                name="privacy_erasurejob_receipt",
            ),
            *super().get_urls(),
        ]

    def approve_view(self, request, object_id):
        self.in_scope_or_404(request, object_id)
        if not request.user.has_perm("privacy.approve_erasurejob"):
            raise PermissionDenied
        job = get_object_or_404(self.get_queryset(request), pk=object_id)
        # Typing the client number proves the approver read whom this erases.
        expected = job.client.client_number
        error = ""
        if request.method == "POST":
            error = typed_confirmation_error(request, expected=expected)
            if not is_confirmed(request) and not error:
                error = _(
                    "Use the button on this page to approve. Nothing was changed."
                )
        if request.method == "POST" and not error:
            try:
                jobs.erasure_approve(acting_user=request.user, job=job)
            except ValidationError as exc:
                error = " ".join(exc.messages)
            else:
                messages.success(
                    request,
                    (
                        _("Erasure #%(pk)s approved: it runs in the background.")
                        % {"pk": job.pk}
                    ),
                )
                return redirect("admin:privacy_erasurejob_receipt", job.pk)
        holds = jobs.erasure_holds(client=job.client)
        refused = bool(holds) and not job.allow_partial
        # Four eyes: the service refuses it too (privacy.approvals).
        own_request = job.requested_by_id == request.user.pk
        return TemplateResponse(
            request,
            "privacy/erasure/approve.html",
            {
                **self.admin_site.each_context(request),
                "title": (
                    _("Approve the erasure of %(client)s") % {"client": job.client}
                ),
                "opts": self.opts,
                "job": job,
                "holds": holds,
                "refused": refused,
                "preview": jobs.erasure_preview(job=job),
                "can_approve": job.status == ErasureJob.Status.REQUESTED,
                "own_request": own_request,
                "confirm": confirm_form_context(
                    action_label=_("Approve and erase"),
                    cancel_url=reverse("admin:privacy_erasurejob_changelist"),
                    typed=expected,
                    error=error,
                    can_act=job.status == ErasureJob.Status.REQUESTED
                    and not refused
                    and not own_request,
                ),
            },
        )

    def receipt_view(self, request, object_id):
        self.in_scope_or_404(request, object_id)
        if not self.has_view_permission(request):
            raise PermissionDenied
        job = get_object_or_404(self.get_queryset(request), pk=object_id)
        steps = list(job.steps.all())
        return TemplateResponse(
            request,
            "privacy/erasure/receipt.html",
            {
                **self.admin_site.each_context(request),
                "title": (_("Erasure #%(pk)s") % {"pk": job.pk}),
                "opts": self.opts,
                "job": job,
                "steps": receipts.step_lines(steps),
                "holds": receipts.hold_lines(job.holds),
                "retained": receipts.hold_lines((job.receipt or {}).get("retained")),
                "done": sum(1 for s in steps if s.done_at),
                # Progress, attempts and any failure: the run's job row.
                "run_job": job.job,
                "running": job.status in ErasureJob.UNFINISHED
                and job.job is not None
                and not job.job.is_finished,
            },
        )


def retention_steps_section(preview) -> Section:
    """Each rule's step and count, for the run's confirmation pages."""
    return Section(
        heading=_("What each rule does"),
        lines=[
            f"{step.rule.name}"
            + (f" (before {step.cutoff:%d/%m/%Y})" if step.cutoff else "")
            + f": {step.sentence}"
            + (
                (
                    _(" %(held)s of them are under a legal hold and kept.")
                    % {"held": step.held}
                )
                if step.held
                else ""
            )
            for step in preview.steps
        ],
    )


@admin.register(RetentionRule)
class RetentionRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "category", "period_days", "anchor", "is_active"]
    list_editable = []
    fields = [
        "code",
        "name",
        "category",
        "purpose",
        "period_days",
        "anchor",
        "source",
        "is_active",
        "updated_at",
        "updated_by",
    ]
    readonly_fields = ["code", "category", "anchor", "updated_at", "updated_by"]
    actions = None

    def has_add_permission(self, request):
        # A rule without code behind it would do nothing: rules come with
        # their handler (privacy.retention) and a migration.
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        # Four eyes: the change is proposed, and applied once a second
        # officer approves it (privacy.approvals); the rule stays as it is.
        values = {
            name: form.cleaned_data[name]
            for name in form.changed_data
            if name in approvals.RULE_FIELDS
        }
        self._asked = None
        if not values:
            return  # nothing to approve; the page says so
        self._asked = approvals.rule_change_request(
            acting_user=request.user,
            rule=RetentionRule.objects.get(pk=obj.pk),
            values=values,
        )

    def construct_change_message(self, request, form, formsets, add=False):
        """The admin log says what happened: a proposal, not a change."""
        if not form.changed_data:
            return super().construct_change_message(request, form, formsets, add)
        return _("Proposed for a second officer's approval: %(fields)s.") % {
            "fields": ", ".join(form.changed_data)
        }

    def response_change(self, request, obj):
        if self._asked is None:
            messages.info(request, _("Nothing changed: there is nothing to approve."))
            return redirect("admin:privacy_retentionrule_changelist")
        messages.success(
            request,
            _(
                "%(approval)s requested: the rule changes once a second "
                "compliance officer approves it."
            )
            % {"approval": self._asked},
        )
        return redirect("admin:privacy_approval_change", self._asked.pk)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)

        class ProposedChange(form):
            def clean(self):
                # Refused here, with the form kept, rather than in
                # save_model: no change, or one already waiting.
                cleaned = super().clean()
                values = {
                    name: cleaned.get(name)
                    for name in self.changed_data
                    if name in approvals.RULE_FIELDS
                }
                if self.instance.pk and not self.errors and values:
                    try:
                        approvals.rule_change_check(
                            rule=RetentionRule.objects.get(pk=self.instance.pk),
                            values=values,
                        )
                    except ValidationError as exc:
                        raise forms.ValidationError(exc.messages) from exc
                return cleaned

        return ProposedChange


@admin.register(RetentionRun)
class RetentionRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "id",
        "dry_run",
        "status",
        "now",
        "started_at",
        "finished_at",
        "progress",
    ]
    list_filter = ["dry_run", "status"]
    list_select_related = ["job"]

    @admin.display(description=_("progress"))
    def progress(self, obj):
        if obj.status == RetentionRun.Status.DONE:
            return "Complete."
        return job_state(obj.job).strip() or "—"

    actions = None
    change_list_template = "privacy/erasure/retention_run_changelist.html"

    def get_urls(self):
        return [
            path(
                "start/",
                self.admin_site.admin_view(self.start_view),
                name="privacy_retentionrun_start",
            ),
            path(
                "run/",
                self.admin_site.admin_view(self.run_view),
                name="privacy_retentionrun_run",
            ),
            path(
                "<path:object_id>/report/",
                self.admin_site.admin_view(self.report_view),
                name="privacy_retentionrun_report",
            ),
            *super().get_urls(),
        ]

    def start_view(self, request):
        """Start a dry run: it writes nothing but its report."""
        if not request.user.has_perm("privacy.run_retention"):
            raise PermissionDenied
        if request.method != "POST" or request.POST.get("dry_run") != "1":
            # A real run starts only from its confirmation page.
            return redirect("admin:privacy_retentionrun_run")
        run = retention.retention_run_start(acting_user=request.user, dry_run=True)
        messages.success(request, (_("%(run)s started.") % {"run": run}))
        return redirect("admin:privacy_retentionrun_report", run.pk)

    def run_view(self, request):
        """The confirmation page of a real run, and the run on its POST.

        The count is recomputed on the POST: if clients became due (or
        stopped being due) since the page was shown, the typed phrase no
        longer matches and the page shows the new list instead of running.
        """
        if not request.user.has_perm("privacy.run_retention"):
            raise PermissionDenied
        preview = retention_preview.retention_preview()
        error = ""
        if request.method == "POST":
            problem, error = typed_confirmation_problem(
                request, expected=preview.phrase
            )
            if not error and not is_confirmed(request):
                error = _(
                    "Use the button on this page to run retention. Nothing was changed."
                )
            if not error:
                # Four eyes: the run starts once another officer approves.
                try:
                    asked = approvals.retention_run_request(acting_user=request.user)
                except ValidationError as exc:
                    error = " ".join(exc.messages)
                else:
                    messages.success(
                        request,
                        _(
                            "%(approval)s requested: it starts once a second "
                            "compliance officer approves it."
                        )
                        % {"approval": asked},
                    )
                    return redirect("admin:privacy_approval_change", asked.pk)
            if problem == TYPED_MISMATCH:
                error += _(
                    " The list below is as of now: check it again before typing."
                )
        changelist = reverse("admin:privacy_retentionrun_changelist")
        erased = preview.clients_to_erase
        return confirmation_page(
            request,
            admin_site=self.admin_site,
            title=_("Run retention now"),
            lead=(
                ngettext(
                    "This erases %(erased)s client and deletes the other "
                    "records below, for good. It cannot be undone.",
                    "This erases %(erased)s clients and deletes the other "
                    "records below, for good. It cannot be undone.",
                    erased,
                )
                % {"erased": erased}
            ),
            sections=[retention_steps_section(preview)],
            action_label=_("Ask a second officer to approve this run"),
            cancel_url=changelist,
            breadcrumbs=[("Retention runs", changelist)],
            typed=preview.phrase,
            error=error,
            extra_template="privacy/erasure/retention_due_clients.html",
            extra={
                "due_pages": retention_preview.due_clients_pages(
                    now=preview.now, page_number=request.GET.get("page", 1)
                ),
            },
        )

    def report_view(self, request, object_id):
        if not self.has_view_permission(request):
            raise PermissionDenied
        run = get_object_or_404(
            RetentionRun.objects.select_related("job"), pk=object_id
        )
        lines = [
            (
                line,
                retention_preview.count_sentences(line.counts, dry_run=run.dry_run),
            )
            for line in retention.retention_report(run=run)
        ]
        return TemplateResponse(
            request,
            "privacy/erasure/retention_report.html",
            {
                **self.admin_site.each_context(request),
                "title": str(run),
                "opts": self.opts,
                "run": run,
                "lines": lines,
                # Progress and any failure: the run's job row.
                "run_job": run.job,
                "running": run.status == RetentionRun.Status.RUNNING
                and run.job is not None
                and not run.job.is_finished,
                # Who the dry run found, read again at its cut-offs: the run
                # itself stores counts only. A real run's clients are
                # tombstones by now, with no name to list.
                "due_pages": retention_preview.due_clients_pages(
                    now=run.now, page_number=request.GET.get("page", 1)
                )
                if run.dry_run
                else [],
            },
        )

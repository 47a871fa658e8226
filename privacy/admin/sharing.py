"""Admin of group and partner sharing: thin callers of privacy.sharing.

Batches and insight imports are records: nobody edits or deletes them.
Exports and imports run as core.jobs jobs (started here, sent to a worker
when the request commits); the batch list shows the latest export to each
recipient that is waiting, running or failed, from its job row.
"""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from clienteling.models import Boutique
from core import jobs
from core.admin_mixins import ReadOnlyAdminMixin
from core.display import moment
from core.models import Job
from privacy.models import InsightImport, Partner, SharingBatch
from privacy.sharing import exports, insights

# An insights file is read whole to be validated before anything is
# written; 50 MB is about 300,000 rows.
INSIGHTS_MAX_BYTES = 50 * 1024 * 1024


class PartnerForm(forms.ModelForm):
    class Meta:
        model = Partner
        fields = [
            "code",
            "name",
            "agreement_reference",
            "agreement_signed_on",
            "boutiques",
            "is_active",
        ]

    def clean_boutiques(self):
        boutiques = self.cleaned_data["boutiques"]
        exports.partner_boutiques_clean(boutiques)
        return boutiques


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    form = PartnerForm
    list_display = [
        "name",
        "code",
        "agreement_reference",
        "agreement_signed_on",
        "is_active",
    ]
    search_fields = ["name", "code", "agreement_reference"]
    filter_horizontal = ["boutiques"]
    actions = ["export_to_partner"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "boutiques":
            kwargs["queryset"] = Boutique.objects.filter(
                kind=Boutique.Kind.SHOP_IN_SHOP
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None):
        # Transfers point at the partner: deactivate instead.
        return False

    @admin.action(
        description=_("Export consenting clients to the selected partners"),
        permissions=["run_partner_export"],
    )
    def export_to_partner(self, request, queryset):
        started = 0
        for partner in queryset.filter(is_active=True):
            try:
                exports.partner_export_start(acting_user=request.user, partner=partner)
            except exports.SharingRefused as exc:
                self.message_user(request, exc.staff_message, messages.ERROR)
            except jobs.AlreadyQueued:
                self.message_user(
                    request,
                    (
                        _(
                            "An export to %(name)s is already under "
                            "way; follow it on the "
                            "Jobs page."
                        )
                        % {"name": partner.name}
                    ),
                    messages.WARNING,
                )
            else:
                started += 1
        if started:
            self.message_user(
                request,
                (
                    ngettext(
                        "%(started)s partner export started; follow it on the "
                        "Jobs page. Its transfer appears under Sharing batches when "
                        "written.",
                        "%(started)s partner exports started; follow them on the "
                        "Jobs page. Each transfer appears under Sharing batches when "
                        "written.",
                        started,
                    )
                    % {"started": started}
                ),
                messages.SUCCESS,
            )

    def has_run_partner_export_permission(self, request):
        return request.user.has_perm("privacy.run_partner_export")


class ReadOnlyRecordAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Transfer batches and received files: written by services only."""


@admin.register(SharingBatch)
class SharingBatchAdmin(ReadOnlyRecordAdmin):
    change_list_template = "privacy/sharing/batch_change_list.html"
    list_display = [
        "created_at",
        "kind",
        "partner",
        "created_by",
        "client_count",
        "row_count",
        "withdrawal_count",
        "rule_version",
        "key_id",
    ]
    list_filter = ["kind", "partner"]
    list_select_related = ["partner", "created_by"]
    show_full_result_count = False
    actions = None

    def get_urls(self):
        return [
            path(
                "group-export/",
                self.admin_site.admin_view(self.group_export_view),
                name="privacy_group_export",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_run_group_export": request.user.has_perm("privacy.run_group_export"),
            "group_export_url": reverse("admin:privacy_group_export"),
            "export_jobs": export_jobs_shown(),
            "jobs_url": reverse("admin:core_job_changelist"),
        }
        return super().changelist_view(request, extra_context)

    def group_export_view(self, request):
        return _group_export(request)


def export_jobs_shown() -> list[dict]:
    """The latest export to the group and to each active partner, when it
    is waiting, running or failed (a done one is the batch in the list)."""
    latest = [exports.last_export_job()]
    latest += [
        exports.last_export_job(partner=partner)
        for partner in Partner.objects.filter(is_active=True)
    ]
    return [
        {
            "label": job.label,
            "status": job.get_status_display(),
            "failed": job.status == Job.Status.FAILED,
            "percent": job.percent,
            "step": job.progress_label,
            "error": job.error,
            "started": moment(job.created_at),
        }
        for job in latest
        if job is not None and job.status not in (Job.Status.DONE, Job.Status.CANCELLED)
    ]


@require_POST
def _group_export(request):
    if not request.user.has_perm("privacy.run_group_export"):
        raise PermissionDenied
    try:
        with transaction.atomic():
            exports.group_export_start(acting_user=request.user)
    except exports.SharingRefused as exc:
        messages.error(request, exc.staff_message)
    except jobs.AlreadyQueued:
        messages.warning(
            request,
            _(
                "A cross-group export is already under way; its progress is "
                "shown above the list."
            ),
        )
    else:
        messages.success(
            request,
            _(
                "Cross-group export started; its progress is shown above the "
                "list, and the batch appears in this list when written."
            ),
        )
    return redirect("admin:privacy_sharingbatch_changelist")


class InsightImportForm(forms.Form):
    batch_id = forms.CharField(
        max_length=64, help_text=_("The group's identifier of this insights batch.")
    )
    file = forms.FileField(
        help_text=_("CSV with columns ") + ", ".join(insights.INSIGHT_COLUMNS) + "."
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > INSIGHTS_MAX_BYTES:
            raise ValidationError(
                _("The file is larger than %(limit)s MB.")
                % {"limit": INSIGHTS_MAX_BYTES // 1024 // 1024}
            )
        return upload


@admin.register(InsightImport)
class InsightImportAdmin(ReadOnlyRecordAdmin):
    list_display = [
        "imported_at",
        "batch_id",
        "imported_by",
        "rows_total",
        "rows_linked",
        "dropped_withdrawn",
        "dropped_unknown",
    ]
    list_select_related = ["imported_by"]
    actions = None

    def has_add_permission(self, request):
        return request.user.has_perm("privacy.add_insightimport")

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = InsightImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            batch_id = form.cleaned_data["batch_id"].strip()
            try:
                insights.insights_import_start(
                    acting_user=request.user,
                    batch_id=batch_id,
                    data=form.cleaned_data["file"].read(),
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(
                    request,
                    (
                        _(
                            "Batch %(batch_id)s checked and being "
                            "imported; follow it on the "
                            "Jobs page. It appears in this list with "
                            "its counts when linked."
                        )
                        % {"batch_id": batch_id}
                    ),
                )
                return redirect("admin:privacy_insightimport_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import insights from the group"),
            "form": form,
            "opts": self.opts,
            "max_mb": INSIGHTS_MAX_BYTES // 1024 // 1024,
            "demo": settings.SHARING_DEMO_KEYS,
        }
        return TemplateResponse(
            request, "privacy/sharing/insights_import.html", context
        )

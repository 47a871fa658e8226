"""Bounces and complaints from the email provider: the upload, its
preview and its confirmation, as the add page of BounceImport
(consents.bounces, decision 0074); the confirmed file is imported by a job
whose page follows it (decision 0120). Imported by consents.admin."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from clienteling import import_uploads
from consents import bounces
from consents.models import BounceImport
from core.admin_mixins import ReadOnlyAdminMixin
from core.models import Job


class BounceFileForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file from the email provider"),
        help_text=_(
            "Columns: email, kind (hard_bounce or complaint), date "
            "(YYYY-MM-DD), provider_reference. UTF-8, at most 5 MB."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )


@admin.register(BounceImport)
class BounceImportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "uploaded_at",
        "uploaded_by",
        "rows",
        "hard_bounces",
        "complaints",
        "unknown_addresses",
        "newly_suppressed",
        "withdrawals",
    ]
    list_select_related = ["uploaded_by"]
    actions = None

    def has_add_permission(self, request):
        return request.user.has_perm("consents.add_bounceimport")

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        token = request.POST.get("token", "")
        if request.method == "POST" and token:
            return self._confirm(request, token)
        form = BounceFileForm(request.POST or None, request.FILES or None)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import bounces and complaints"),
            "opts": self.opts,
            "form": form,
        }
        status = 200
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            data = upload.read(bounces.MAX_BYTES + 1)
            parsed = bounces.bounce_file_parse(data)
            if parsed.errors:
                context["line_errors"] = parsed.errors[: bounces.MAX_ERRORS_SHOWN]
                context["more_errors"] = max(
                    0, len(parsed.errors) - bounces.MAX_ERRORS_SHOWN
                )
                status = 400
            else:
                context["preview"] = bounces.bounce_file_preview(parsed)
                context["token"] = import_uploads.upload_store(
                    acting_user=request.user, data=data
                )
        elif request.method == "POST":
            status = 400
        return TemplateResponse(
            request, "consents/bounce_import.html", context, status=status
        )

    def _confirm(self, request, token: str):
        """Queue the import's job and go to its page; a second click finds
        the job the first one started."""
        try:
            job, started = bounces.bounces_import_start(
                acting_user=request.user, token=token
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect("admin:consents_bounceimport_add")
        if not started:
            messages.info(
                request,
                _("This file's import was already started: here is where it stands."),
            )
        return redirect("admin:consents_bounceimport_job", job.pk)

    def get_urls(self):
        own = [
            path(
                "job/<int:job_id>/",
                self.admin_site.admin_view(self.job_view),
                name="consents_bounceimport_job",
            ),
            path(
                "job/<int:job_id>/progress/",
                self.admin_site.admin_view(self.job_progress_view),
                name="consents_bounceimport_job_progress",
            ),
        ]
        return own + super().get_urls()

    def _own_job(self, request, job_id) -> Job:
        """The uploader's own import job; 404 for anyone else's."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        return get_object_or_404(
            Job.objects.filter(kind=bounces.IMPORT_KIND, owner=request.user),
            pk=job_id,
        )

    def job_view(self, request, job_id):
        """The import's progress, then its outcome."""
        job = self._own_job(request, job_id)
        record = bounces.bounces_import_job_result(job) if job.is_finished else None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import bounces and complaints"),
            "opts": self.opts,
            "job": job,
            "record": record,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "consents/bounce_import_job.html", context)

    def job_progress_view(self, request, job_id):
        """The job's progress for the page's script (no page data)."""
        job = self._own_job(request, job_id)
        return JsonResponse(
            {
                "finished": job.is_finished,
                "percent": job.percent,
                "label": job.progress_label or job.get_status_display(),
            }
        )

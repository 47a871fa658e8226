"""Bounces and complaints from the email provider: the upload, its
preview and its confirmation, as the add page of BounceImport
(consents.bounces, decision 0074). Imported by consents.admin."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from clienteling import import_uploads
from consents import bounces
from consents.models import BounceImport
from core.admin_mixins import ReadOnlyAdminMixin


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
        try:
            data = import_uploads.upload_take(acting_user=request.user, token=token)
            record = bounces.bounces_import(acting_user=request.user, data=data)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect("admin:consents_bounceimport_add")
        messages.success(
            request,
            _(
                "Bounces and complaints imported: %(rows)s rows, %(suppressed)s "
                "addresses newly suppressed (%(unknown)s of no client on file), "
                "%(withdrawals)s consents withdrawn after complaints."
            )
            % {
                "rows": record.rows,
                "suppressed": record.newly_suppressed,
                "unknown": record.unknown_addresses,
                "withdrawals": record.withdrawals,
            },
        )
        return redirect("admin:consents_bounceimport_changelist")

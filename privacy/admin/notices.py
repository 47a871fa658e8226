"""Art. 19 notices and the accountability file in the admin: thin callers
of privacy.notices and privacy.accountability."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clienteling.scoping import ClientScopedMixin
from privacy import accountability
from privacy.models import RecipientNotice
from privacy.notices import recipient_name

PERMISSION = "privacy.view_accountability"


class AccessLogForm(forms.Form):
    client_number = forms.CharField(
        label=_("Client number"), required=False, max_length=40
    )
    username = forms.CharField(label=_("Staff user"), required=False, max_length=150)
    start = forms.DateField(
        label=_("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            data["query"] = accountability.access_log_query(
                client_number=data.get("client_number", ""),
                username=data.get("username", ""),
                start=data["start"],
                end=data["end"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    self.add_error(field, error)
        return data


@admin.register(RecipientNotice)
class RecipientNoticeAdmin(ClientScopedMixin, admin.ModelAdmin):
    # A notice names a client: scoped like the client's other records
    # (compliance sees every boutique); read-only, so no edit gate.
    client_path = "client"
    blocked_by_edit_gates = False
    list_display = (
        "recipient_label",
        "kind",
        "how",
        "queued_at",
        "sent_at",
        "outcome",
        "detail",
    )
    list_filter = ("outcome", "kind", "how")
    list_select_related = ()
    show_full_result_count = False
    date_hierarchy = "queued_at"

    @admin.display(description=_("recipient"), ordering="recipient")
    def recipient_label(self, obj):
        return recipient_name(obj.recipient)

    # Written by the services only (append-only record of what was sent).
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "accountability/",
                wrap(self.accountability_view),
                name="privacy_accountability",
            ),
            path(
                "accountability/zip/",
                wrap(self.accountability_zip_view),
                name="privacy_accountability_zip",
            ),
            path(
                "accountability/pdf/",
                wrap(self.accountability_pdf_view),
                name="privacy_accountability_pdf",
            ),
            path(
                "accountability/access-log/",
                wrap(self.access_log_view),
                name="privacy_access_log_export",
            ),
            *super().get_urls(),
        ]

    def _require(self, request):
        if not request.user.has_perm(PERMISSION):
            raise PermissionDenied

    def _page(self, request, form, status=200):
        return TemplateResponse(
            request,
            "privacy/accountability/file.html",
            {
                **self.admin_site.each_context(request),
                **accountability.page_context(),
                "title": _("Accountability file"),
                "form": form,
            },
            status=status,
        )

    def accountability_view(self, request):
        self._require(request)
        today = timezone.localdate()
        form = AccessLogForm(initial={"start": today.replace(day=1), "end": today})
        return self._page(request, form)

    def accountability_zip_view(self, request):
        self._require(request)
        data = accountability.accountability_zip(acting_user=request.user)
        response = HttpResponse(data, content_type="application/zip")
        response["Content-Disposition"] = (
            'attachment; filename="accountability-file.zip"'
        )
        return response

    def accountability_pdf_view(self, request):
        self._require(request)
        data = accountability.accountability_pdf(acting_user=request.user)
        response = HttpResponse(data, content_type="application/pdf")
        response["Content-Disposition"] = (
            'attachment; filename="accountability-file.pdf"'
        )
        return response

    def access_log_view(self, request):
        self._require(request)
        form = AccessLogForm(request.GET)
        if not form.is_valid():
            return self._page(request, form, status=400)
        query = form.cleaned_data["query"]
        filters = request.GET.urlencode()
        try:
            data = accountability.access_log_csv(
                acting_user=request.user, query=query, filters=filters
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.warning(request, message)
            return self._page(request, form, status=409)
        response = HttpResponse(data, content_type="text/csv")
        response["Content-Disposition"] = 'attachment; filename="access-log.csv"'
        return response

"""A parent's consent for a minor (decisions 0084, 0098): the add and
change forms, with the evidence file uploaded like a paper form's scan and
checked by `consents.parental` (the form shows every error at once, the
service writes). Imported by consents.admin; reached from the client page
of a minor ("Record the parent's consent")."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from clienteling.scoping import ClientScopedMixin
from consents import parental
from consents.forms import IsoDateInput
from consents.models import ParentalConsent
from core import downloads, hooks
from core.admin_mixins import adopt_saved
from core.paginators import EstimatedCountPaginator

ADD_FIELDS = ["client", "parent_name", "relation", "given_on", "evidence"]
CHANGE_FIELDS = [
    "client",
    "parent_name",
    "relation",
    "given_on",
    "evidence_link",
    "evidence",
    "recorded_by",
    "recorded_at",
]


class ParentalConsentForm(forms.ModelForm):
    evidence = forms.FileField(
        label=_("Evidence: the parent's signed consent"),
        required=False,
        help_text=_(
            "A PDF, JPEG or PNG scan (checked by its content), kept in private "
            "storage and deleted if the client's data is erased."
        ),
    )

    class Meta:
        model = ParentalConsent
        fields = ["client", "parent_name", "relation", "given_on"]
        # Year-month-day on the add and the change page alike: a day shown
        # 07/12/2026 could be read back as the 12th of July.
        widgets = {"given_on": IsoDateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["evidence"].help_text = _(
                "Leave empty to keep the current file; a new file replaces it "
                "(the old one is deleted)."
            )

    def clean(self):
        cleaned = super().clean()
        changing = self.instance.pk is not None
        client = self.instance.client if changing else cleaned.get("client")
        if not changing and "client" in self.errors:
            client = None
        errors = parental.parental_consent_errors(
            client=client,
            parent_name=cleaned.get("parent_name", ""),
            relation=cleaned.get("relation", ""),
            given_on=cleaned.get("given_on"),
            evidence=cleaned.get("evidence"),
            evidence_required=not changing,
        )
        for field, messages in errors.items():
            if field in self.errors:
                continue  # the field's own error says it already
            target = field if field in self.fields else None
            for message in messages if isinstance(messages, list) else [messages]:
                self.add_error(target, message)
        return cleaned


PARENTAL_CONSENT_EVIDENCE = downloads.register(
    downloads.Download(
        key="parental-consent-evidence",
        label=_("Evidence of a parent's consent (a minor's client page)"),
        sites=("consents.admin_parental.ParentalConsentAdmin.evidence_view",),
        spreadsheet=False,
        not_spreadsheet_because=(
            "the file as it was uploaded, served inline; its content was "
            "checked at upload to be a PDF, JPEG or PNG, as a paper form's scan"
        ),
    )
)


@admin.register(ParentalConsent)
class ParentalConsentAdmin(ClientScopedMixin, admin.ModelAdmin):
    form = ParentalConsentForm
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    list_display = [
        "client",
        "parent_name",
        "relation",
        "given_on",
        "recorded_by",
        "recorded_at",
    ]
    list_select_related = ["client", "recorded_by"]
    list_filter = ["relation"]
    raw_id_fields = ["client"]
    actions = None

    def get_fields(self, request, obj=None):
        return CHANGE_FIELDS if obj is not None else ADD_FIELDS

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["client", "evidence_link", "recorded_by", "recorded_at"]

    def has_delete_permission(self, request, obj=None):
        # Evidence of a lawful consent: erasure removes it with the client.
        return False

    @admin.display(description=_("evidence file"))
    def evidence_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:consents_parental_evidence", args=[obj.pk]),
            _("Open the parent's signed consent"),
        )

    def save_model(self, request, obj, form, change):
        evidence = form.cleaned_data.get("evidence")
        if change:
            saved = parental.parental_consent_change(
                acting_user=request.user,
                consent=obj,
                parent_name=obj.parent_name,
                relation=obj.relation,
                given_on=obj.given_on,
                evidence=evidence,
            )
        else:
            saved = parental.parental_consent_record(
                acting_user=request.user,
                client=obj.client,
                parent_name=obj.parent_name,
                relation=obj.relation,
                given_on=obj.given_on,
                evidence=evidence,
            )
        adopt_saved(obj, saved)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/evidence/",
                wrap(self.evidence_view),
                name="consents_parental_evidence",
            ),
            *super().get_urls(),
        ]

    def evidence_view(self, request, pk: int):
        if not self.has_view_permission(request):
            raise PermissionDenied
        row = self.get_queryset(request).filter(pk=pk).first()
        if row is None:
            self.refuse(request, pk)
        file = parental.evidence_path(row.evidence_name)
        if not row.evidence_name or not file.is_file():
            raise Http404("The evidence file is missing.")
        hooks.record_access(
            user=request.user, action="download", target=row, path=request.path
        )
        response = FileResponse(file.open("rb"), content_type=row.evidence_content_type)
        response["Content-Disposition"] = f'inline; filename="parental-{row.pk}"'
        response["Cache-Control"] = "private, no-store"
        return response

"""Admin of data-subject requests, their reports, the compliance dashboard
and the register of processing. Thin: parse, check, call one service.
"""

from datetime import timedelta

from django import forms
from django.conf import settings
from django.conf.locale import LANG_INFO
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, Q
from django.db.models.functions import Coalesce, TruncDate
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import get_language_info, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from clienteling.exceptions import StoredFileGone
from clienteling.scoping import ClientScopedMixin
from consents.documents.languages import language_choices
from core import downloads
from core.admin_mixins import adopt_saved
from core.display import day, moment
from core.free_text import LONG_TEXT_MAX_LENGTH
from core.locking import OptimisticLockAdminMixin
from core.models import AccessLogEntry
from core.services import access_log_record
from privacy import letters, register, reports
from privacy import requests as dsr
from privacy.models import (
    DataSubjectRequest,
    ErasureJob,
    RequestEdit,
    RequestLetter,
    SubjectAccessReport,
)

Status = DataSubjectRequest.Status

IDENTITY_EVIDENCE = downloads.register(
    downloads.Download(
        key="request-identity-evidence",
        label=_("Identity evidence of a data-subject request (request page)"),
        sites=("privacy.admin.requests.DataSubjectRequestAdmin.evidence_file_view",),
        spreadsheet=False,
        not_spreadsheet_because=(
            "the scan as the person sent it, its content checked at upload "
            "to be a PDF, JPEG or PNG (decision 0054)"
        ),
    )
)
REQUEST_LETTER_PDF = downloads.register(
    downloads.Download(
        key="request-letter-pdf",
        label=_("A letter sent about a data-subject request, as PDF"),
        sites=("privacy.admin.requests.DataSubjectRequestAdmin.letter_pdf_view",),
        spreadsheet=False,
        not_spreadsheet_because="a PDF rendered by WeasyPrint (decision 0055)",
    )
)


class RequestForm(forms.ModelForm):
    class Meta:
        model = DataSubjectRequest
        fields = [
            "person_name",
            "person_email",
            "person_phone",
            "person_address",
            "language",
            "client",
            "kind",
            "channel",
            "received_on",
            "details",
            "assignee",
        ]
        widgets = {
            "language": forms.Select(
                choices=[("", _("as the client record says (else English)"))]
                + language_choices()
            )
        }
        help_texts = {
            "client": _(
                "Leave empty when you do not know yet: the request's page finds "
                "the person's records by email, phone and name."
            ),
        }

    def clean(self):
        data = super().clean()
        if self.instance.pk is None and not data.get("client"):
            if not (data.get("person_name") or "").strip():
                self.add_error(
                    "person_name",
                    _(
                        "Give the person's name as they gave it, or choose "
                        "their client record."
                    ),
                )
            elif not any(
                (data.get(f) or "").strip()
                for f in ("person_email", "person_phone", "person_address")
            ):
                self.add_error(
                    "person_email",
                    _(
                        "Give at least one way to answer the person: an email "
                        "address, a phone number or a postal address."
                    ),
                )
        return data

    def clean_received_on(self):
        received = self.cleaned_data["received_on"]
        if received and received > timezone.localdate():
            raise ValidationError(_("A request cannot be received in the future."))
        return received

    def _post_clean(self):
        # due_on is computed by the service from received_on.
        if self.instance.pk is None and self.cleaned_data.get("received_on"):
            self.instance.due_on = dsr.due_date_for(self.cleaned_data["received_on"])
        super()._post_clean()


class VerifyForm(forms.Form):
    method = forms.ChoiceField(choices=DataSubjectRequest.IdentityMethod.choices)
    note = forms.CharField(max_length=300, required=False)


class ExtendForm(forms.Form):
    months = forms.TypedChoiceField(choices=[(1, "1"), (2, "2")], coerce=int)
    reason = forms.CharField(widget=forms.Textarea, max_length=LONG_TEXT_MAX_LENGTH)


class CloseForm(forms.Form):
    status = forms.ChoiceField(
        choices=[
            (Status.COMPLETED, _("Completed")),
            (Status.REFUSED, pgettext_lazy("request status", "Refused")),
            (Status.WITHDRAWN, _("Withdrawn by the person")),
        ]
    )
    outcome = forms.CharField(
        widget=forms.Textarea, required=False, max_length=LONG_TEXT_MAX_LENGTH
    )


class RestrictForm(forms.Form):
    reason = forms.CharField(max_length=200)


class LinkForm(forms.Form):
    """The person's records among the candidates shown (ids checked)."""

    clients = forms.TypedMultipleChoiceField(coerce=int, required=False)

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["clients"].choices = [
            (c.client.pk, c.client.client_number) for c in candidates
        ]


class EvidenceForm(forms.Form):
    evidence = forms.FileField(
        label=_("Proof of identity"),
        help_text=_(
            "A PDF, JPEG or PNG scan. Kept in private storage until the "
            "request closes, then deleted."
        ),
    )


class LetterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Letter"), choices=RequestLetter.Kind.choices)


class EmptyForm(forms.Form):
    pass


class EditInline(admin.TabularInline):
    model = RequestEdit
    extra = 0
    can_delete = False
    fields = ["object_type", "object_id", "history_type", "edited_at", "edited_by"]
    readonly_fields = fields
    verbose_name_plural = _("edits made under this request (history rows)")

    def has_add_permission(self, request, obj=None):
        return False


class ReportInline(admin.TabularInline):
    model = SubjectAccessReport
    extra = 0
    can_delete = False
    fields = ["report_link", "state", "created_at", "ready_until", "review"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("job")

    @admin.display(description=_("status"))
    def state(self, obj):
        """The build's state and progress, from its job row."""
        if obj.is_unfinished:
            percent = f" ({obj.percent}%)" if obj.percent else ""
            step = f": {obj.step}" if obj.step else ""
            return f"{obj.status_label}{step}{percent}"
        if obj.status == SubjectAccessReport.Status.FAILED and obj.error:
            return f"{obj.status_label}: {obj.error}"
        return obj.status_label

    @admin.display(description=_("ready until"))
    def ready_until(self, obj):
        if obj.status != SubjectAccessReport.Status.DONE or not obj.expires_at:
            return "—"
        return moment(obj.expires_at)

    @admin.display(description=_("report"))
    def report_link(self, obj):
        return format_html(
            _('<a href="{}">Report {}</a>'),
            reverse("admin:privacy_report", args=[obj.pk]),
            obj.pk,
        )

    @admin.display(description=_("staff notes to review"))
    def review(self, obj):
        if not obj.review_flags:
            return "—"
        return "reviewed" if obj.reviewed_at else f"{len(obj.review_flags)} to review"


class ErasureInline(admin.TabularInline):
    """The erasures answering an erasure request: the request is completed
    only once one of them is done (privacy.requests.request_close)."""

    model = ErasureJob
    fk_name = "request"
    extra = 0
    can_delete = False
    fields = ["erasure_link", "status", "partial", "outcome"]
    readonly_fields = fields
    verbose_name_plural = _("erasures answering this request")

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("erasure"))
    def erasure_link(self, obj):
        return format_html(
            _('<a href="{}">Erasure #{}</a>'),
            reverse("admin:privacy_erasurejob_receipt", args=[obj.pk]),
            obj.pk,
        )


def _due_cell(request, today):
    left = dsr.days_left(request, today=today)
    css = "dsr-overdue" if left < 0 else "dsr-soon" if left <= dsr.SOON_DAYS else ""
    return format_html(
        _('<span class="{}">{} ({} d)</span>'),
        css,
        day(request.effective_due_on),
        left,
    )


class LegalClockFilter(admin.SimpleListFilter):
    """Requests by the legal clock (the compliance dashboard's "on time"
    figure): closed on or before their deadline (the extended date when
    extended) or after it; open and overdue, with 7 days or fewer left,
    or with more."""

    title = _("legal clock")
    parameter_name = "clock"

    def lookups(self, request, model_admin):
        return [
            ("closed_on_time", _("Closed on time")),
            ("closed_late", _("Closed late")),
            ("overdue", _("Open, overdue")),
            ("due_soon", _("Open, 7 days or fewer left")),
            ("due_later", _("Open, more than 7 days left")),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value not in {key for key, _unused in self.lookup_choices}:
            return queryset
        queryset = queryset.annotate(
            clock_deadline=Coalesce("extended_due_on", "due_on")
        )
        if value.startswith("closed_"):
            closed = queryset.filter(closed_at__isnull=False).annotate(
                clock_closed_on=TruncDate("closed_at")
            )
            on_time = Q(clock_closed_on__lte=F("clock_deadline"))
            if value == "closed_on_time":
                return closed.filter(on_time)
            return closed.exclude(on_time)
        today = timezone.localdate()
        open_now = queryset.filter(
            status__in=[
                DataSubjectRequest.Status.RECEIVED,
                DataSubjectRequest.Status.IN_PROGRESS,
            ]
        )
        if value == "overdue":
            return open_now.filter(clock_deadline__lt=today)
        if value == "due_soon":
            return open_now.filter(
                clock_deadline__gte=today,
                clock_deadline__lte=today + timedelta(days=7),
            )
        return open_now.filter(clock_deadline__gt=today + timedelta(days=7))


@admin.register(DataSubjectRequest)
class DataSubjectRequestAdmin(
    OptimisticLockAdminMixin, ClientScopedMixin, admin.ModelAdmin
):
    client_path = "client"
    blocked_by_edit_gates = False  # it manages the restriction itself
    form = RequestForm
    change_form_template = "privacy/requests/change_form.html"
    list_display = ["__str__", "person", "kind", "status", "received_on", "due"]
    list_select_related = ["client", "assignee"]
    list_filter = ["status", "kind", LegalClockFilter]
    raw_id_fields = ["client"]
    search_fields = ["client__client_number", "person_name", "person_email"]
    show_full_result_count = False
    inlines = [EditInline, ReportInline]
    actions = None

    def get_inlines(self, request, obj):
        # An erasure request shows the erasures answering it.
        if obj is not None and obj.kind == DataSubjectRequest.Kind.ERASURE:
            return [*self.inlines, ErasureInline]
        return self.inlines

    def get_queryset(self, request):
        # Scoped by the client record; a request no record is linked to yet
        # (someone not on file, decision 0054) shows to everyone who may
        # read requests: it holds only what the person gave.
        scoped = super().get_queryset(request)
        base = super(ClientScopedMixin, self).get_queryset(request)
        return scoped | base.filter(client__isnull=True)

    @admin.display(description=_("person"), ordering="person_name")
    def person(self, obj):
        if obj.client_id:
            return str(obj.client)
        return obj.person_name or "—"

    @admin.display(description=_("due"), ordering="due_on")
    def due(self, obj):
        return _due_cell(obj, timezone.localdate())

    def get_fields(self, request, obj=None):
        if obj is None:
            return RequestForm.Meta.fields
        return [
            "person_name",
            "person_email",
            "person_phone",
            "person_address",
            "identity_evidence",
            "person_language",
            "client",
            "linked_records",
            "kind",
            "channel",
            "received_on",
            "details",
            "status",
            "due_on",
            "extended_due_on",
            "extension_reason",
            "identity_verified_at",
            "identity_verified_by",
            "identity_method",
            "identity_note",
            "restriction",
            "outcome",
            "closed_at",
            "assignee",
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [f for f in self.get_fields(request, obj) if f != "assignee"]

    @admin.display(description=_("language of the person"))
    def person_language(self, obj):
        language = letters.language_of(obj)
        name = (
            get_language_info(language.requested)["name_translated"]
            if (
                language.requested in dict(settings.LANGUAGES)
                or language.requested in LANG_INFO
            )
            else language.requested
        )
        if language.is_fallback:
            return _("%(name)s (letters in English)") % {"name": name}
        return name

    @admin.display(description=_("proof of identity"))
    def identity_evidence(self, obj):
        if obj.identity_evidence_name:
            return format_html(
                '<a href="{}">{}</a>',
                reverse("admin:privacy_request_evidence_file", args=[obj.pk]),
                _("Open (kept until the request closes)"),
            )
        if obj.identity_evidence_deleted_at:
            return _("Deleted when the request closed, on %(date)s") % {
                "date": day(obj.identity_evidence_deleted_at)
            }
        return _("none")

    @admin.display(description=_("client records linked"))
    def linked_records(self, obj):
        numbers = [str(c) for c in obj.clients.all()]
        return ", ".join(numbers) if numbers else _("none yet")

    def has_delete_permission(self, request, obj=None):
        return False  # a request is evidence of how the house answered

    def save_model(self, request, obj, form, change):
        if change:
            dsr.request_assign(
                acting_user=request.user, request=obj, assignee=obj.assignee
            )
            return
        created = dsr.request_open(
            acting_user=request.user,
            client=obj.client,
            person_name=obj.person_name,
            person_email=obj.person_email,
            person_phone=obj.person_phone,
            person_address=obj.person_address,
            language=obj.language,
            kind=obj.kind,
            channel=obj.channel,
            received_on=obj.received_on,
            details=obj.details,
            assignee=obj.assignee,
        )
        adopt_saved(obj, created)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("dashboard/", wrap(self.dashboard_view), name="privacy_dashboard"),
            path("register/", wrap(self.register_view), name="privacy_register"),
            path(
                "register/html/",
                wrap(self.register_html_view),
                name="privacy_register_html",
            ),
            path(
                "register/csv/",
                wrap(self.register_csv_view),
                name="privacy_register_csv",
            ),
            path(
                "<path:object_id>/evidence/",
                wrap(self.evidence_view),
                name="privacy_request_evidence",
            ),
            path(
                "<path:object_id>/evidence/file/",
                wrap(self.evidence_file_view),
                name="privacy_request_evidence_file",
            ),
            path(
                "<path:object_id>/letter/<int:letter_id>/pdf/",
                wrap(self.letter_pdf_view),
                name="privacy_request_letter_pdf",
            ),
            path(
                "<path:object_id>/find/",
                wrap(self.find_view),
                name="privacy_request_find",
            ),
            path(
                "<path:object_id>/action/<slug:action>/",
                wrap(self.action_view),
                name="privacy_request_action",
            ),
            path(
                "report/<int:report_id>/", wrap(self.report_view), name="privacy_report"
            ),
            path(
                "report/<int:report_id>/download/",
                wrap(self.report_download_view),
                name="privacy_report_download",
            ),
            *super().get_urls(),
        ]

    # --- Pages -------------------------------------------------------------

    def _require(self, request, permission):
        if not request.user.has_perm(permission):
            raise PermissionDenied

    def dashboard_view(self, request):
        self._require(request, "privacy.view_datasubjectrequest")
        today = timezone.localdate()
        return TemplateResponse(
            request,
            "privacy/requests/dashboard.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Data-subject requests: the legal clock"),
                "rows": dsr.compliance_dashboard(user=request.user, today=today),
                "today": today,
            },
        )

    def register_view(self, request):
        self._require(request, "privacy.view_register")
        return TemplateResponse(
            request,
            "privacy/register/register.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Register of processing activities"),
                **register.register_context(),
            },
        )

    def register_html_view(self, request):
        self._require(request, "privacy.view_register")
        response = TemplateResponse(
            request,
            "privacy/register/register.html",
            {**register.register_context(), "standalone": True},
        )
        response["Content-Disposition"] = 'attachment; filename="register.html"'
        return response

    def register_csv_view(self, request):
        self._require(request, "privacy.view_register")
        response = HttpResponse(register.register_csv(), content_type="text/csv")
        response["Content-Disposition"] = 'attachment; filename="register.csv"'
        return response

    ACTIONS = {
        # Each action's form, the permission it needs, and its title.
        "verify": (
            VerifyForm,
            "privacy.change_datasubjectrequest",
            _("Verify identity"),
        ),
        "extend": (
            ExtendForm,
            "privacy.change_datasubjectrequest",
            _("Extend deadline"),
        ),
        "close": (CloseForm, "privacy.change_datasubjectrequest", _("Close request")),
        "restrict": (
            RestrictForm,
            "privacy.change_datasubjectrequest",
            _("Restrict processing"),
        ),
        "lift": (EmptyForm, "privacy.change_datasubjectrequest", _("Lift restriction")),
        "link-edits": (
            EmptyForm,
            "privacy.change_datasubjectrequest",
            _("Link the edits made under this request"),
        ),
        "report": (
            EmptyForm,
            "privacy.build_subject_access_report",
            _("Build the report"),
        ),
        "letter": (
            LetterForm,
            "privacy.change_datasubjectrequest",
            _("Send a letter"),
        ),
        "nothing-held": (
            EmptyForm,
            "privacy.change_datasubjectrequest",
            _("Answer that we hold nothing"),
        ),
    }

    def evidence_view(self, request, object_id):
        """Attach the person's proof of identity (replaces an earlier one)."""
        self.in_scope_or_404(request, object_id)
        self._require(request, "privacy.change_datasubjectrequest")
        obj = self.get_queryset(request).get(pk=object_id)
        form = EvidenceForm(
            request.POST if request.method == "POST" else None,
            request.FILES if request.method == "POST" else None,
        )
        if request.method == "POST" and form.is_valid():
            try:
                dsr.request_attach_evidence(
                    acting_user=request.user,
                    request=obj,
                    upload=form.cleaned_data["evidence"],
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error("evidence", message)
            else:
                messages.success(request, _("The proof of identity is attached."))
                return redirect("admin:privacy_datasubjectrequest_change", obj.pk)
        return TemplateResponse(
            request,
            "privacy/requests/evidence.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Proof of identity: %(request)s") % {"request": obj},
                "form": form,
                "obj": obj,
                "opts": self.opts,
            },
        )

    def evidence_file_view(self, request, object_id):
        """The proof of identity, while the request is open; logged."""
        self.in_scope_or_404(request, object_id)
        self._require(request, "privacy.change_datasubjectrequest")
        obj = self.get_queryset(request).get(pk=object_id)
        path = dsr.evidence_path(obj)
        if path is None or not path.is_file():
            raise Http404("No proof of identity is kept for this request.")
        access_log_record(
            acting_user=request.user,
            action=AccessLogEntry.Action.DOWNLOAD,
            target=obj,
            path=request.path,
        )
        response = FileResponse(
            path.open("rb"), content_type=obj.identity_evidence_type
        )
        response["Content-Disposition"] = (
            f'inline; filename="identity-{obj.pk}{path.suffix}"'
        )
        response["Cache-Control"] = "private, no-store"
        return response

    def letter_pdf_view(self, request, object_id, letter_id):
        """A letter sent, as its PDF (rendered again from what was sent)."""
        self.in_scope_or_404(request, object_id)
        self._require(request, "privacy.view_datasubjectrequest")
        letter = RequestLetter.objects.filter(
            pk=letter_id, request_id=object_id
        ).first()
        if letter is None:
            raise Http404("No such letter.")
        response = HttpResponse(
            letters.letter_pdf(letter), content_type="application/pdf"
        )
        response["Content-Disposition"] = (
            f'inline; filename="letter-{letter.request_id}-{letter.kind}.pdf"'
        )
        response["Cache-Control"] = "private, no-store"
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra = dict(extra_context or {})
        extra["letters_sent"] = RequestLetter.objects.filter(
            request_id=object_id
        ).select_related("sent_by")
        return super().change_view(request, object_id, form_url, extra)

    def find_view(self, request, object_id):
        """The person's records: candidates found by the email, phone and
        name they gave, with the contact details on file; the checked ones
        are linked to the request."""
        self.in_scope_or_404(request, object_id)
        self._require(request, "privacy.change_datasubjectrequest")
        obj = self.get_queryset(request).get(pk=object_id)
        found = dsr.request_candidates(acting_user=request.user, request=obj)
        candidates = found["candidates"]
        form = LinkForm(
            request.POST if request.method == "POST" else None,
            candidates=candidates,
        )
        if request.method == "POST" and form.is_valid():
            chosen = {c.client.pk: c.client for c in candidates}
            try:
                dsr.request_link_clients(
                    acting_user=request.user,
                    request=obj,
                    clients=[chosen[pk] for pk in form.cleaned_data["clients"]],
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, _("The person's records are linked."))
                return redirect("admin:privacy_datasubjectrequest_change", obj.pk)
        return TemplateResponse(
            request,
            "privacy/requests/find.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Find the person's records: %(request)s") % {"request": obj},
                "form": form,
                "obj": obj,
                "opts": self.opts,
                "candidates": candidates,
                "hidden": found["hidden"],
            },
        )

    def _call(self, request, obj, action, data):
        user = request.user
        if action == "verify":
            dsr.request_verify_identity(
                acting_user=user, request=obj, method=data["method"], note=data["note"]
            )
        elif action == "extend":
            dsr.request_extend(
                acting_user=user,
                request=obj,
                months=data["months"],
                reason=data["reason"],
            )
        elif action == "close":
            dsr.request_close(
                acting_user=user,
                request=obj,
                status=data["status"],
                outcome=data["outcome"],
            )
        elif action == "restrict":
            dsr.request_restrict(acting_user=user, request=obj, reason=data["reason"])
        elif action == "lift":
            dsr.request_lift_restriction(acting_user=user, request=obj)
        elif action == "link-edits":
            edits = dsr.rectification_link_edits(acting_user=user, request=obj)
            messages.success(
                request,
                (
                    _("%(count)s edit(s) linked to this request.")
                    % {"count": len(edits)}
                ),
            )
        elif action == "letter":
            letter = letters.letter_send(
                acting_user=user, request=obj, kind=data["kind"]
            )
            if letter.sent_to:
                messages.success(
                    request,
                    _("Sent to %(email)s, with the letter as a PDF.")
                    % {"email": letter.sent_to},
                )
            else:
                messages.warning(
                    request,
                    _(
                        "No email address for this person: print the letter's "
                        "PDF from the request's page and post it."
                    ),
                )
            return redirect("admin:privacy_datasubjectrequest_change", obj.pk)
        elif action == "nothing-held":
            dsr.request_nothing_held(acting_user=user, request=obj)
        elif action == "report":
            report = reports.report_request(acting_user=user, request=obj)
            return redirect("admin:privacy_report", report.pk)
        return None

    def action_view(self, request, object_id, action):
        self.in_scope_or_404(request, object_id)
        if action not in self.ACTIONS:
            raise Http404("No such action.")
        form_class, permission, title = self.ACTIONS[action]
        self._require(request, permission)
        obj = self.get_queryset(request).get(pk=object_id)
        form = form_class(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                response = self._call(request, obj, action, form.cleaned_data)
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                if response is not None:
                    return response
                messages.success(request, (_("%(title)s: done.") % {"title": title}))
                return redirect("admin:privacy_datasubjectrequest_change", obj.pk)
        return TemplateResponse(
            request,
            "privacy/requests/action.html",
            {
                **self.admin_site.each_context(request),
                "title": _("%(action)s: %(request)s")
                % {"action": title, "request": obj},
                "form": form,
                "obj": obj,
                "action": action,
                "letter_language": (
                    letters.language_of(obj) if action == "letter" else None
                ),
                "letter_to": letters.recipient_of(obj) if action == "letter" else "",
                "opts": self.opts,
            },
        )

    def _report_or_404(self, request, report_id):
        report = (
            SubjectAccessReport.objects.filter(request__in=self.get_queryset(request))
            .select_related("request", "job")
            .filter(pk=report_id)
            .first()
        )
        if report is None:
            self.refuse(request, report_id)
        return report

    def report_view(self, request, report_id):
        report = self._report_or_404(request, report_id)
        self._require(request, "privacy.build_subject_access_report")
        if request.method == "POST" and "release" in request.POST:
            try:
                reports.report_review_release(acting_user=request.user, report=report)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            return redirect("admin:privacy_report", report.pk)
        if request.method == "POST" and "retry" in request.POST:
            try:
                reports.report_retry(acting_user=request.user, report=report)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("The report is being built again."))
            return redirect("admin:privacy_report", report.pk)
        return TemplateResponse(
            request,
            "privacy/requests/report_job.html",
            {
                **self.admin_site.each_context(request),
                "title": (
                    _("Report %(pk)s for %(request)s")
                    % {"pk": report.pk, "request": report.request}
                ),
                "report": report,
                "opts": self.opts,
                "running": report.is_unfinished,
            },
        )

    def report_download_view(self, request, report_id):
        report = self._report_or_404(request, report_id)
        self._require(request, "privacy.build_subject_access_report")
        try:
            file = reports.report_open_for_download(
                acting_user=request.user, report=report, path=request.path
            )
        except StoredFileGone as exc:
            raise Http404(" ".join(exc.messages)) from None
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("admin:privacy_report", report.pk)
        response = FileResponse(file.open("rb"), content_type="application/zip")
        response["Content-Disposition"] = (
            f'attachment; filename="subject-access-{report.request.pk}.zip"'
        )
        response["Cache-Control"] = "private, no-store"
        return response

from django.contrib import admin
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from clienteling.scoping import ClientScopedMixin
from consents import views
from consents.documents.languages import COMPLETE, NATIVE_NAMES
from consents.models import (
    ConsentConversation,
    ConsentDecision,
    FormTemplate,
    FormTemplateVersion,
    OutreachList,
    PaperFormSubmission,
    Purpose,
    Restriction,
    SoftOptIn,
    SuppressionEntry,
)
from consents.selectors import sees_special_categories
from core.admin_mixins import ReadOnlyAdminMixin
from core.display import day
from core.paginators import EstimatedCountPaginator


class ViewOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """No add, change, delete or actions, whoever asks (superusers too).

    Purposes and form versions come from code (consents.registry); ledger
    rows and submissions are evidence, written only by the services.
    """

    actions = None


class ClientScopedAdmin(ClientScopedMixin, ViewOnlyAdmin):
    # Large tables: PostgreSQL's estimate for unfiltered lists.
    paginator = EstimatedCountPaginator
    """Rows about clients the user may see (clienteling.scoping), and no others."""

    show_full_result_count = False


@admin.register(Purpose)
class PurposeAdmin(ViewOnlyAdmin):
    list_display = [
        "name",
        "legal_basis",
        "can_object",
        "direct_marketing",
        "is_active",
    ]
    list_filter = ["legal_basis", "direct_marketing", "special_category"]
    fieldsets = [
        (None, {"fields": ["code", "name", "description", "legal_basis"]}),
        (
            _("Data and recipients"),
            {"fields": ["categories", "recipient_list", "retention"]},
        ),
        (
            "Rights",
            {
                "fields": [
                    "can_object",
                    "direct_marketing",
                    "soft_opt_in",
                    "special_category",
                ]
            },
        ),
        (
            "Balancing test (legitimate interest)",
            {
                "fields": [
                    "balancing_interest",
                    "balancing_necessity",
                    "balancing_rights",
                ]
            },
        ),
    ]
    readonly_fields = ["categories", "recipient_list"]

    @admin.display(description=_("data categories"))
    def categories(self, obj):
        return ", ".join(obj.data_categories)

    @admin.display(description=_("recipients"))
    def recipient_list(self, obj):
        return "; ".join(obj.recipients)


@admin.register(FormTemplate)
class FormTemplateAdmin(ViewOnlyAdmin):
    list_display = ["title", "code", "kind"]


@admin.register(FormTemplateVersion)
class FormTemplateVersionAdmin(ViewOnlyAdmin):
    list_display = ["__str__", "published_at", "printable"]
    list_select_related = ["template"]
    fields = ["template", "number", "published_at", "field_list", "wording_list"]
    readonly_fields = ["field_list", "wording_list", "published_at"]

    @admin.display(description=_("printable blank form"))
    def printable(self, obj):
        return format_html_join(
            " · ",
            '{}: <a href="{}?language={}">HTML</a> <a href="{}?language={}">PDF</a>',
            (
                (
                    NATIVE_NAMES[code],
                    reverse("admin:consents_print_form", args=[obj.pk]),
                    code,
                    reverse("admin:consents_print_form_pdf", args=[obj.pk]),
                    code,
                )
                for code in COMPLETE
            ),
        )

    @admin.display(description=_("fields (* = compulsory for a service)"))
    def field_list(self, obj):
        return format_html_join(
            "",
            "<div>{}{} <small>({}; {})</small></div>",
            (
                (
                    f.label,
                    "*" if f.mandatory_for.exists() else "",
                    f.data_category,
                    ", ".join(p.code for p in f.mandatory_for.all()) or "optional",
                )
                for f in obj.fields.all()
            ),
        )

    @admin.display(description=_("consent wording"))
    def wording_list(self, obj):
        return format_html_join(
            "",
            "<p><strong>{}</strong> ({}): {}</p>",
            (
                (
                    w.purpose.display_name,
                    NATIVE_NAMES.get(w.language, w.language),
                    w.text,
                )
                for w in obj.wordings.select_related("purpose")
            ),
        )


class PurposeFilter(admin.RelatedFieldListFilter):
    """Purposes to filter by, without special categories for most staff."""

    def field_choices(self, field, request, model_admin):
        purposes = Purpose.objects.order_by("display_order")
        if not sees_special_categories(request.user):
            purposes = purposes.exclude(special_category=True)
        return [(p.pk, str(p)) for p in purposes]


@admin.register(ConsentDecision)
class ConsentDecisionAdmin(ClientScopedAdmin):
    list_display = [
        "decided_at",
        "client",
        "purpose",
        "decision",
        "channel",
        "recorded_by",
    ]
    list_filter = ["decision", "channel", ("purpose", PurposeFilter)]
    list_select_related = ["client", "purpose", "recorded_by"]
    search_fields = ["client__client_number"]
    date_hierarchy = None
    raw_id_fields = ["client"]
    readonly_fields = ["evidence"]

    @admin.display(description=_("evidence"))
    def evidence(self, obj):
        """The signed form or the call/email behind the row, linked."""
        if obj.submission_id:
            return format_html(
                '<a href="{}">{}</a>',
                reverse("admin:consents_scan", args=[obj.submission_id]),
                _("Signed form (scan or signature)"),
            )
        if obj.conversation_id:
            return format_html(
                '<a href="{}">{}</a>',
                reverse(
                    "admin:consents_consentconversation_change",
                    args=[obj.conversation_id],
                ),
                obj.conversation,
            )
        return "—"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if not sees_special_categories(request.user):
            # Who consented to allergy-aware service is health data.
            queryset = queryset.exclude(purpose__special_category=True)
        return queryset

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "client/<int:client_id>/",
                wrap(views.client_consents),
                name="consents_client",
            ),
            path(
                "client/<int:client_id>/withdraw/",
                wrap(views.withdraw),
                name="consents_withdraw",
            ),
            path(
                "client/<int:client_id>/object/",
                wrap(views.object_consent),
                name="consents_object",
            ),
            path("outreach/", wrap(views.outreach), name="consents_outreach"),
            path(
                "outreach/<int:pk>/download/",
                wrap(views.outreach_download),
                name="consents_outreach_download",
            ),
            path(
                "outreach/<int:pk>/campaign/",
                wrap(views.campaign_send),
                name="consents_outreach_campaign",
            ),
            path(
                "outreach/campaign-count/<int:job_id>/progress/",
                wrap(views.campaign_count_progress),
                name="consents_campaign_count_progress",
            ),
            path("capture/", wrap(views.capture), name="consents_capture_new"),
            path(
                "capture/<int:client_id>/",
                wrap(views.capture),
                name="consents_capture_client",
            ),
            path(
                "tablet/<int:client_id>/",
                wrap(views.tablet_capture),
                name="consents_tablet_capture",
            ),
            path(
                "conversation/<int:client_id>/",
                wrap(views.conversation_consent),
                name="consents_conversation",
            ),
            path(
                "email-copy/<int:pk>/",
                wrap(views.email_copy),
                name="consents_email_copy",
            ),
            path("scan/<int:pk>/", wrap(views.scan), name="consents_scan"),
            path(
                "form/<int:pk>/print/",
                wrap(views.print_form),
                name="consents_print_form",
            ),
            path(
                "form/<int:pk>/print.pdf",
                wrap(views.print_form_pdf),
                name="consents_print_form_pdf",
            ),
            path("notice/print/", wrap(views.notice), name="consents_notice"),
            path(
                "notice/print.pdf", wrap(views.notice_pdf), name="consents_notice_pdf"
            ),
            *super().get_urls(),
        ]


@admin.register(PaperFormSubmission)
class PaperFormSubmissionAdmin(ClientScopedAdmin):
    list_display = ["recorded_at", "client", "version", "signed_on", "boutique"]
    list_select_related = ["client", "version__template", "boutique"]
    readonly_fields = ["scan_link"]

    @admin.display(description=_("scan"))
    def scan_link(self, obj):
        return format_html(
            _('<a href="{}">Open the signed scan</a>'),
            reverse("admin:consents_scan", args=[obj.pk]),
        )


@admin.register(SoftOptIn)
class SoftOptInAdmin(ClientScopedAdmin):
    list_display = ["client", "first_sale_at", "last_sale_at", "sale_reference"]
    list_select_related = ["client"]


@admin.register(Restriction)
class RestrictionAdmin(ClientScopedAdmin):
    list_display = ["client", "reason", "started_at", "lifted_at"]
    list_select_related = ["client"]


class LiftedFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("in_force", _("In force")), ("lifted", _("Lifted"))]

    def queryset(self, request, queryset):
        if self.value() == "in_force":
            return queryset.filter(lifted_at__isnull=True)
        if self.value() == "lifted":
            return queryset.filter(lifted_at__isnull=False)
        return queryset


@admin.register(SuppressionEntry)
class SuppressionEntryAdmin(ViewOnlyAdmin):
    list_display = ["kind", "short_digest", "added_at", "reason", "lifted_at"]
    list_filter = ["kind", LiftedFilter]
    show_full_result_count = False
    readonly_fields = ["events_list"]

    @admin.display(description=_("digest"))
    def short_digest(self, obj):
        return f"{obj.digest[:16]}…"

    @admin.display(description=_("what happened"))
    def events_list(self, obj):
        """Each addition and lift: when, who, why, and the consent row
        that lifted it (decision 0073)."""
        events = obj.events.select_related(
            "by", "decision__purpose", "decision__client"
        ).order_by("at", "pk")
        if not events:
            return _("Added %(day)s (%(reason)s); nothing since.") % {
                "day": day(obj.added_at),
                "reason": obj.reason,
            }
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li>{}</li>",
                ((self._event_line(event),) for event in events),
            ),
        )

    def _event_line(self, event):
        who = event.by or _("the system")
        if event.action == event.Action.LIFTED and event.decision_id:
            link = reverse(
                "admin:consents_consentdecision_change", args=[event.decision_id]
            )
            return format_html(
                _("{day}: lifted by {who}, because of {decision} ({reason})"),
                day=day(event.at),
                who=who,
                decision=format_html('<a href="{}">{}</a>', link, event.decision),
                reason=event.reason,
            )
        return format_html(
            _("{day}: added by {who} ({reason})"),
            day=day(event.at),
            who=who,
            reason=event.reason,
        )


@admin.register(ConsentConversation)
class ConsentConversationAdmin(ClientScopedAdmin):
    list_display = ["recorded_at", "client", "channel", "reference", "recorded_by"]
    list_filter = ["channel"]
    list_select_related = ["client", "recorded_by"]
    readonly_fields = ["email_copy_link"]

    @admin.display(description=_("copy of the email"))
    def email_copy_link(self, obj):
        if not obj.copy_name:
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:consents_email_copy", args=[obj.pk]),
            _("Download the copy of the email"),
        )


@admin.register(OutreachList)
class OutreachListAdmin(ViewOnlyAdmin):
    """Who asked for which list, and what it held: compliance's view.

    Staff see their own lists on the outreach page; this list shows the
    lists a user may open (OutreachList.objects.visible_to), all of them
    for compliance.
    """

    list_display = [
        "created_at",
        "requested_by",
        "purpose",
        "channel",
        "boutique",
        "status_shown",
        "eligible_count",
        "excluded_count",
        "expires_at",
        "download",
    ]
    list_filter = ["job__status", "channel", "purpose"]
    list_select_related = ["requested_by", "purpose", "boutique", "job"]
    show_full_result_count = False
    fields = [
        "requested_by",
        "purpose",
        "channel",
        "boutique",
        "whole_house",
        "scope_boutique_ids",
        "status_shown",
        "progress",
        "eligible_count",
        "soft_opt_in_count",
        "excluded_count",
        "exclusions",
        "error",
        "created_at",
        "started_at",
        "finished_at",
        "expires_at",
        "size",
        "download",
    ]
    readonly_fields = [
        "status_shown",
        "progress",
        "excluded_count",
        "exclusions",
        "error",
        "started_at",
        "finished_at",
        "expires_at",
        "size",
        "download",
    ]

    @admin.display(description=_("status"))
    def status_shown(self, obj):
        return obj.get_status_display()

    @admin.display(description=_("progress"))
    def progress(self, obj):
        """From the list's job row: clients checked, of how many."""
        if not obj.progress_total:
            return obj.progress_label or "—"
        return f"{obj.progress_done} of {obj.progress_total} clients ({obj.percent}%)"

    def get_queryset(self, request):
        return super().get_queryset(request) & OutreachList.objects.visible_to(
            request.user
        )

    @admin.display(description=_("excluded, by reason"))
    def exclusions(self, obj):
        return format_html_join(
            "",
            "<div>{}: {}</div>",
            obj.excluded_by_reason_shown,
        )

    @admin.display(description=_("CSV"))
    def download(self, obj):
        if obj.status != OutreachList.Status.DONE:
            return "—"
        return format_html(
            _('<a href="{}">Download</a>'),
            reverse("admin:consents_outreach_download", args=[obj.pk]),
        )


# The bounce and complaint files (their upload is the add page), and the
# website intake API's pages (website clients and their keys).
from consents import admin_bounces, admin_parental  # noqa: E402, F401
from consents.api import admin as _website_api_admin  # noqa: E402, F401

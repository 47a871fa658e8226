import logging
from contextvars import ContextVar
from datetime import timedelta
from urllib.parse import parse_qsl

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Exists, OuterRef, prefetch_related_objects
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from import_export.admin import ImportExportMixin
from simple_history.admin import SimpleHistoryAdmin

from clienteling import search, selectors, services, staged_imports
from clienteling.appointments_admin import AppointmentAdmin
from clienteling.forms import (
    AddressFormSet,
    AllergyFormSet,
    ClientAdminForm,
    ContactLogForm,
    EmailFormSet,
    ImportConfirmForm,
    ImportUploadForm,
    InvitationAdminForm,
    PhoneFormSet,
)
from clienteling.health_mentions import (
    HEALTH_MENTION_MESSAGE,
    HEALTH_MENTION_NO_ACCESS_MESSAGE,
    mentions_health,
)
from clienteling.models import (
    Appointment,
    Boutique,
    Client,
    ClientAddress,
    ClientEmail,
    ClientPhone,
    Collection,
    ContactEvent,
    ContactPreference,
    DuplicateFlag,
    FollowUp,
    HouseEvent,
    ImportantDate,
    Interest,
    Invitation,
    MetalAllergy,
    RingSize,
    SocialIdentifier,
    StagedImport,
    User,
)
from clienteling.querysets import anniversaries_within
from clienteling.resources import ClientResource, CsvFormat
from clienteling.scoping import (
    ClientScopedMixin,
    ScopedChoicesMixin,
    sees_every_boutique,
    visible_boutiques,
)
from core import hooks
from core.admin_mixins import adopt_saved
from core.classification import sees_health_data
from core.confirmation import Section, confirmation_page, is_confirmed
from core.locking import OptimisticLockAdminMixin
from core.models import Job
from core.money import money
from core.paginators import EstimatedCountPaginator

logger = logging.getLogger(__name__)

# --- Scoping --------------------------------------------------------------------


# The user a page is being rendered for (see ClientAdmin.get_fieldsets).
_viewer: ContextVar = ContextVar("clienteling_admin_viewer")


class ClientScopedAdmin(
    OptimisticLockAdminMixin, ClientScopedMixin, SimpleHistoryAdmin
):
    """Client data with django-simple-history, scoped to the user's clients;
    a change form saved over a newer version is refused (core.locking)."""


class ClientInline(admin.TabularInline):
    extra = 0
    show_change_link = False


class EmailInline(ClientInline):
    model = ClientEmail
    formset = EmailFormSet
    fields = ["address", "is_primary"]


class PhoneInline(ClientInline):
    model = ClientPhone
    formset = PhoneFormSet
    fields = ["kind", "number", "is_primary"]


class AddressInline(admin.StackedInline):
    model = ClientAddress
    formset = AddressFormSet
    extra = 0
    fields = [
        ("line1", "line2"),
        ("postal_code", "city"),
        ("region", "country"),
        "is_primary",
    ]


class SocialInline(ClientInline):
    model = SocialIdentifier
    fields = ["network", "handle"]


class PreferenceInline(ClientInline):
    model = ContactPreference
    fields = ["channel", "time_window"]
    verbose_name_plural = _("preferred contact channels")


class InterestInline(ClientInline):
    model = Interest
    fields = ["collection"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("collection")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "collection":
            # One query for the choices of every row, not one per row.
            cache = request.__dict__.setdefault("_ecrin_collection_choices", {})
            if "choices" not in cache:
                cache["choices"] = list(field.choices)
            field.choices = cache["choices"]
        return field


class RingSizeInline(ClientInline):
    model = RingSize
    fields = ["finger", "system", "size", "measured_at", "conversions"]
    readonly_fields = ["conversions"]

    @admin.display(description=_("In every system"))
    def conversions(self, obj):
        if not obj.pk:
            return "—"
        return " · ".join(f"{k} {v}" for k, v in obj.conversions.items())


class ImportantDateInline(ClientInline):
    model = ImportantDate
    fields = ["kind", "date", "label", "recurring"]


class AllergyInline(ClientInline):
    """Health data: shown only to holders of clienteling.view_metalallergy."""

    model = MetalAllergy
    formset = AllergyFormSet
    fields = ["metal", "severity", "notes"]
    verbose_name_plural = _("metal allergies (health data, explicit consent only)")


# --- Filters -----------------------------------------------------------------------


class MineFilter(admin.SimpleListFilter):
    title = _("adviser")
    parameter_name = "mine"

    def lookups(self, request, model_admin):
        return [("1", "My clients")]

    def queryset(self, request, queryset):
        if self.value() == "1":
            return queryset.advised_by(request.user)
        return queryset


class RecordFilter(admin.SimpleListFilter):
    """Live clients by default; merged records and erased tombstones on
    request, so their pages stay one click away."""

    title = _("record")
    parameter_name = "record"
    views = {
        "merged": (_("Merged into another record"), "merged"),
        "erased": ("Erased", "erased"),
        "all": ("All records", "all"),
    }

    def lookups(self, request, model_admin):
        return [(key, label) for key, (label, _unused) in self.views.items()]

    def queryset(self, request, queryset):
        view = self.views.get(self.value())
        if view is None:
            # Anything else, absent or unknown, is the default view.
            return queryset.live()
        return getattr(queryset, view[1])()

    def choices(self, changelist):
        current = self.value() if self.value() in self.views else None
        yield {
            "selected": current is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": "Active clients",
        }
        for key, label in self.lookup_choices:
            yield {
                "selected": current == key,
                "query_string": changelist.get_query_string({self.parameter_name: key}),
                "display": label,
            }


class UpcomingDateFilter(admin.SimpleListFilter):
    title = _("upcoming date")
    parameter_name = "upcoming"
    horizons = {"7": 7, "30": 30}

    def lookups(self, request, model_admin):
        return [("7", _("In the next 7 days")), ("30", _("In the next 30 days"))]

    def queryset(self, request, queryset):
        days = self.horizons.get(self.value())
        if not days:
            return queryset
        dates = ImportantDate.objects.filter(
            anniversaries_within("date", timezone.localdate(), days),
            client=OuterRef("pk"),
            recurring=True,
        )
        return queryset.filter(Exists(dates))


class HomeBoutiqueFilter(admin.SimpleListFilter):
    """Only the boutiques whose clients the user can see."""

    title = _("home boutique")
    parameter_name = "boutique"

    def lookups(self, request, model_admin):
        return [(str(b.pk), b.name) for b in visible_boutiques(request.user)]

    def queryset(self, request, queryset):
        # Only a value this filter offered; anything else is ignored.
        if self.value() in {key for key, _unused in self.lookup_choices}:
            return queryset.filter(home_boutique_id=self.value())
        return queryset


class ClientHomeBoutiqueFilter(admin.SimpleListFilter):
    """A list of the clients' records (contacts, follow-ups) by the
    client's home boutique: the boutique a dashboard figure counts by.
    Only the boutiques whose clients the user can see."""

    title = _("client's home boutique")
    parameter_name = "home_boutique"

    def lookups(self, request, model_admin):
        return [(str(b.pk), b.name) for b in visible_boutiques(request.user)]

    def queryset(self, request, queryset):
        if self.value() in {key for key, _unused in self.lookup_choices}:
            return queryset.filter(client__home_boutique_id=self.value())
        return queryset


# --- Clients -----------------------------------------------------------------------

UPLOAD_AGAIN = _("This import cannot be confirmed. Upload the file again.")
# Clients offered under the header's search box while typing.
SUGGESTIONS = 8


# The client list's sort: the column clicked, then the name and id in the
# same direction, so one index serves each column both ways (the indexes
# client_name_order, client_last_contact_order, client_value_order and
# their boutique twins).
NAME_KEY = ["last_name", "first_name", "id"]
SORT_KEYS = {"last_name": NAME_KEY}
for _column in ("last_contact_at", "lifetime_value"):
    SORT_KEYS[_column] = [_column, *NAME_KEY]


def client_sort_key(ordering: list) -> list:
    """The changelist's ordering, made index-shaped: the first column
    decides, the rest follows in its direction (decision 0041). A column
    no index serves (asked for in the URL: Django's admin does not check
    sortable_by there) gives the name order."""
    first = str(ordering[0]) if ordering else ""
    descending = first.startswith("-")
    column = first.lstrip("-")
    if column not in SORT_KEYS:
        return list(NAME_KEY)
    sign = "-" if descending else ""
    return [sign + field for field in SORT_KEYS[column]]


@admin.register(Client)
class ClientAdmin(ImportExportMixin, ClientScopedAdmin):
    client_path = ""
    form = ClientAdminForm
    resource_classes = [ClientResource]
    list_display = [
        "client_number",
        "last_name",
        "first_name",
        "home_boutique",
        "primary_adviser",
        "last_contact_at",
        "lifetime_value",
    ]
    list_display_links = ["client_number", "last_name"]
    # Nullable foreign keys are not joined by default: one query per row.
    list_select_related = ["home_boutique", "primary_adviser"]
    list_filter = [
        RecordFilter,
        MineFilter,
        HomeBoutiqueFilter,
        "preferred_language",
        UpcomingDateFilter,
    ]
    search_fields = ["client_number", "last_name", "first_name"]
    search_help_text = _(
        "Name (accents optional), client number, part of an email, a phone "
        "number or its last digits."
    )
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    list_per_page = 50
    # The admin's list page with the rows built once per column
    # (clienteling.templatetags.client_list, decision 0115); import-export
    # keeps it as the base of its own list page (ie_base_change_list_template).
    change_list_template = "admin/clienteling/client/change_list.html"

    def get_list_filter(self, request):
        # And the filters the apps above register (a current consent, due
        # for erasure): core.hooks.register_client_list_filter.
        return [*super().get_list_filter(request), *hooks.client_list_filters()]

    ordering = ["last_name", "first_name", "id"]
    # Each sortable column is served by an index, unscoped and within a
    # boutique, in both directions (SORT_KEYS, decision 0041).
    sortable_by = ["last_name", "last_contact_at", "lifetime_value"]
    actions = None
    autocomplete_fields = []
    raw_id_fields = []
    change_form_template = "admin/clienteling/client/change_form.html"
    readonly_fields = [
        "client_number",
        "source",
        "status",
        "merged_into_record",
        "last_contact_at",
        "last_client_initiated_contact_at",
        "lifetime_value",
        "nearest_boutique",
        "cookie_consent",
        "cookie_consent_at",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    ("client_number", "status", "merged_into_record"),
                    ("title", "first_name", "last_name"),
                    ("birth_date", "nationality", "civil_status"),
                    ("preferred_language", "home_boutique"),
                    ("primary_adviser", "secondary_adviser"),
                ]
            },
        ),
        (
            "Relationship",
            {
                "fields": [
                    ("last_contact_at", "last_client_initiated_contact_at"),
                    ("lifetime_value", "source", "preferred_boutique"),
                ]
            },
        ),
        (
            "Technical data",
            {
                "classes": ["collapse"],
                "fields": [
                    ("nearest_boutique", "display_language"),
                    ("cookie_consent", "cookie_consent_at"),
                    ("created_at", "updated_at"),
                ],
            },
        ),
    ]
    inlines = [
        EmailInline,
        PhoneInline,
        AddressInline,
        SocialInline,
        PreferenceInline,
        InterestInline,
        RingSizeInline,
        ImportantDateInline,
        AllergyInline,
    ]

    def get_fieldsets(self, request, obj=None):
        # Read-only display methods receive only the object: the change and
        # history version pages build their fieldsets first, with the
        # request, so the viewer is known when merged_into_record runs.
        _viewer.set(request.user)
        return super().get_fieldsets(request, obj)

    @admin.display(description=_("merged into"))
    def merged_into_record(self, obj):
        """The surviving record, linked, when the user may see it; else only
        that it is another boutique's (its name and number are not theirs
        to read)."""
        if obj is None or obj.merged_into_id is None:
            return "-"
        viewer = _viewer.get(None)
        survivor = (
            None
            if viewer is None
            else Client.objects.visible_to(viewer).filter(pk=obj.merged_into_id).first()
        )
        if survivor is None:
            return _("A record of another boutique")
        return format_html(
            _('<a href="{}">{}</a>'),
            reverse("admin:clienteling_client_card", args=[survivor.pk]),
            survivor,
        )

    # -- Import and export ---------------------------------------------------
    # The import screens are the staged imports' (clienteling.staged_imports):
    # the upload is stored under a name the server draws and checked by a
    # job; its page polls the job and then shows the first rows and every
    # problem; the confirm step names the import by its number (only the
    # uploader's own) and queues the write job. django-import-export's own
    # file steps (a temporary file named in the form) are not used.

    import_formats = [CsvFormat]
    export_formats = [CsvFormat]
    import_template_name = "admin/clienteling/client/import.html"

    def import_action(self, request, **kwargs):
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = ImportUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                staged = services.import_start(
                    acting_user=request.user,
                    what=form.cleaned_data["what"],
                    data=b"".join(form.cleaned_data["import_file"].chunks()),
                )
            except ValidationError as refused:
                form.add_error("import_file", refused.messages)
            else:
                return redirect("admin:clienteling_client_import_status", staged.pk)
        recent = StagedImport.objects.filter(uploaded_by=request.user).select_related(
            "validation_job", "apply_job"
        )[:10]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import"),
            "form": form,
            "recent": recent,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.import_template_name, context)

    def _own_import(self, request, pk) -> StagedImport:
        if not self.has_import_permission(request):
            raise PermissionDenied
        staged = (
            StagedImport.objects.select_related("validation_job", "apply_job")
            .filter(pk=pk, uploaded_by=request.user)
            .first()
        )
        if staged is None:
            raise Http404("No import of yours has this number.")
        return staged

    def import_status_view(self, request, pk):
        staged = self._own_import(request, pk)
        job = staged.apply_job or staged.validation_job
        check = None
        if staged.validation_job.status == Job.Status.DONE and staged.apply_job is None:
            page = request.GET.get("page", "1")
            check = staged_imports.read_check(
                staged, page=int(page) if page.isdigit() else 1
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": str(staged).capitalize(),
            "staged": staged,
            "job": job,
            "phase": "write" if staged.apply_job else "check",
            "check": check,
            "confirm_form": ImportConfirmForm(initial={"staged_import": staged.pk}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(
            request, "admin/clienteling/client/import_status.html", context
        )

    def import_progress_view(self, request, pk):
        """The job's progress for the status page's script (no page data)."""
        staged = self._own_import(request, pk)
        job = staged.apply_job or staged.validation_job
        return JsonResponse(
            {
                "finished": job.is_finished,
                "percent": job.percent,
                "label": job.progress_label or job.get_status_display(),
            }
        )

    @method_decorator(require_POST)
    def process_import(self, request, **kwargs):
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = ImportConfirmForm(request.POST)
        if not form.is_valid():
            messages.error(request, UPLOAD_AGAIN)
            return redirect("admin:clienteling_client_import")
        staged = self._own_import(request, form.cleaned_data["staged_import"])
        try:
            services.import_confirm(acting_user=request.user, staged=staged)
        except ValidationError as refused:
            for message in refused.messages:
                messages.error(request, message)
        return redirect("admin:clienteling_client_import_status", staged.pk)

    @method_decorator(require_POST)
    def import_abandon_view(self, request, pk):
        staged = self._own_import(request, pk)
        try:
            services.import_abandon(acting_user=request.user, staged=staged)
        except ValidationError as refused:
            for message in refused.messages:
                messages.error(request, message)
            return redirect("admin:clienteling_client_import_status", staged.pk)
        messages.success(
            request,
            _("The import was abandoned and its file deleted; nothing was imported."),
        )
        return redirect("admin:clienteling_client_import")

    def write_to_tmp_storage(self, import_file, input_format):
        # Never used: uploads go to clienteling.import_uploads (see above).
        raise PermissionDenied

    def get_search_results(self, request, queryset, search_term):
        """The one search (clienteling.search) on the list's queryset, so
        the list's scope and filters apply; a term too long runs no query,
        and more than search.CAP matches ask to refine the search."""
        try:
            found = search.search_clients(queryset, search_term)
        except ValidationError as refused:
            messages.error(request, refused.messages[0])
            return queryset.none(), False
        if found.truncated:
            messages.warning(request, found.refine_message)
        return found.clients, False

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is None:
            fields.remove("client_number")
        return fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        user = request.user
        scoped = not sees_every_boutique(user)
        if db_field.name in ("primary_adviser", "secondary_adviser"):
            staff = User.objects.filter(is_active=True, is_staff=True)
            if scoped:
                staff = staff.filter(boutiques__in=user.boutiques.all()).distinct()
            kwargs["queryset"] = staff
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None):
        # Clients leave only through erasure (the privacy app), never a delete.
        return False

    def save_model(self, request, obj, form, change):
        if not change:
            obj.source = obj.source or Client.Source.BOUTIQUE
        super().save_model(request, obj, form, change)

    # -- Duplicates at entry (decision 0035) ---------------------------------

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, EmailInline | PhoneInline):
            kwargs["viewer"] = request.user
        return kwargs

    @staticmethod
    def duplicate_message(match):
        """ "This email belongs to Alice Rossi (DEMO-0024): open the
        record?", the other client named only if the user may see them."""
        if match.client is None:
            if match.kind == "email":
                return _("This email belongs to a client of another boutique.")
            return _("This phone number belongs to a client of another boutique.")
        if match.kind == "email":
            text = _("This email belongs to {client}: {link}")
        else:
            text = _("This phone number belongs to {client}: {link}")
        link = format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>',
            reverse("admin:clienteling_client_card", args=[match.client.pk]),
            _("open the record?"),
        )
        return format_html(text, client=str(match.client), link=link)

    def render_change_form(self, request, context, *args, **kwargs):
        inlines = context.get("inline_admin_formsets", [])
        formsets = [inline.formset for inline in inlines]
        matches = [
            (match, formset.duplicate_confirmed)
            for formset in formsets
            for match in getattr(formset, "duplicate_matches", [])
        ]
        if matches:
            # Refused for the duplicate, or (box ticked) for another
            # reason: the box stays on the page, as ticked as it was.
            form = context["adminform"].form
            seen = set()
            for match, confirmed in matches:
                message = self.duplicate_message(match)
                if not confirmed and message not in seen:
                    seen.add(message)
                    form.add_error(None, message)
            context["duplicate_confirm_field"] = form["duplicate_confirmed"]
        return super().render_change_form(request, context, *args, **kwargs)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        confirmed = [
            formset
            for formset in formsets
            if getattr(formset, "duplicate_matches", None)
        ]
        if confirmed and services.duplicates_flag_client(client=form.instance):
            messages.info(
                request,
                _(
                    "Saved as a different person; the pair is listed among "
                    "the possible duplicates for a decision."
                ),
            )

    def save_formset(self, request, form, formset, change):
        if formset.model is MetalAllergy:
            for allergy in formset.save(commit=False):
                allergy.recorded_by = allergy.recorded_by or request.user
                allergy.save()
            for allergy in formset.deleted_objects:
                allergy.delete()
            return
        super().save_formset(request, form, formset, change)

    # -- The client 360 page ------------------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        client = self.get_object(request, object_id)
        extra_context = extra_context or {}
        if client is not None:
            extra_context.update(self.client_360_context(request, client))
            if request.method == "GET":
                self._log_client_view(request, client)
        return super().change_view(request, object_id, form_url, extra_context)

    def _log_client_view(self, request, client) -> None:
        """Opening the record, and seeing its health data, are logged."""
        hooks.record_access(
            user=request.user, action="view", target=client, path=request.path
        )
        if request.user.has_perm("clienteling.view_metalallergy") and (
            client.allergies.exists()
        ):
            hooks.record_access(
                user=request.user,
                action="view_health",
                target=MetalAllergy,
                object_id=client.pk,
                path=request.path,
            )

    def get_export_data(self, file_format, request, queryset, **kwargs):
        # Clients under a restriction of processing (Art. 18) are stored,
        # not exported: they are left out, and the user is told how many.
        everyone = queryset.count()
        queryset = hooks.processable_clients(queryset)
        count = queryset.count()
        if count < everyone:
            messages.warning(
                request,
                (
                    ngettext(
                        "%(count)s client under a restriction of processing was "
                        "left out of the export.",
                        "%(count)s clients under a restriction of processing were "
                        "left out of the export.",
                        everyone - count,
                    )
                    % {"count": everyone - count}
                ),
            )
        limit = settings.BULK_EXPORT_COMPLIANCE_THRESHOLD
        if count > limit and not request.user.has_perm("clienteling.export_client"):
            raise PermissionDenied(
                _("Exports of more than %(limit)s clients need the compliance role.")
                % {"limit": limit}
            )
        # Past the limit, a second compliance officer approves the list
        # first (privacy's four-eyes gate): the first try files the request.
        refusal = hooks.export_refusal(
            user=request.user, count=count, query=request.GET.urlencode()
        )
        if refusal:
            messages.error(request, refusal)
            raise PermissionDenied(refusal)
        hooks.record_access(
            user=request.user,
            action="export",
            target=Client,
            count=count,
            path=request.path,
        )
        return super().get_export_data(file_format, request, queryset, **kwargs)

    def client_360_context(self, request, client, contact_form=None):
        user = request.user
        restriction = hooks.edit_refusal(client)
        open_record = not restriction and not client.is_retired
        return {
            "client_360": selectors.client_360(client=client),
            "restriction": restriction,
            "contact_form": contact_form or ContactLogForm(),
            "can_log_contact": user.has_perm("clienteling.add_contactevent"),
            "can_add_follow_up": user.has_perm("clienteling.add_followup")
            and open_record,
            "can_complete_follow_up": user.has_perm("clienteling.change_followup"),
            "can_book_appointment": user.has_perm("clienteling.add_appointment")
            and open_record,
            "follow_up_outcomes": FollowUp.Outcome.choices,
            "panels": [
                (panel, panel.get_context(request, client))
                for panel in hooks.client_panels_for(user)
            ],
        }

    def get_urls(self):
        urls = super().get_urls()
        custom = [
            path(
                "import/<int:pk>/",
                self.admin_site.admin_view(self.import_status_view),
                name="clienteling_client_import_status",
            ),
            path(
                "import/<int:pk>/progress/",
                self.admin_site.admin_view(self.import_progress_view),
                name="clienteling_client_import_progress",
            ),
            path(
                "import/<int:pk>/abandon/",
                self.admin_site.admin_view(self.import_abandon_view),
                name="clienteling_client_import_abandon",
            ),
            path(
                "search/suggest/",
                self.admin_site.admin_view(self.search_suggest_view),
                name="clienteling_client_search_suggest",
            ),
            path(
                "<path:object_id>/log-contact/",
                self.admin_site.admin_view(self.log_contact_view),
                name="clienteling_client_log_contact",
            ),
            # The client's page: the card. Before the admin's own
            # "<object_id>/" (a redirect to the edit form).
            path(
                "<int:object_id>/",
                self.admin_site.admin_view(self.card_view),
                name="clienteling_client_card",
            ),
        ]
        return custom + urls

    # -- The client card: the client's page ---------------------------------

    def card_view(self, request, object_id):
        """What an adviser reads first; editing is a click away (change_view)."""
        # The header names the boutique and both advisers: read with the
        # client, not one query each.
        client = (
            self.get_queryset(request)
            .select_related("home_boutique", "primary_adviser", "secondary_adviser")
            .filter(pk=object_id)
            .first()
        )
        if client is None:
            raise Http404(_("No client with this id in your boutiques."))
        if not self.has_view_or_change_permission(request, client):
            raise PermissionDenied
        if sees_health_data(request.user):
            # Read once for the allergy badge and the health access log's
            # "has any" (both use the prefetched rows).
            prefetch_related_objects([client], "allergies")
        self._log_client_view(request, client)
        user = request.user
        context_360 = self.client_360_context(request, client)
        page = request.GET.get("page", "1")
        timeline = selectors.client_timeline(
            client=client, page=int(page) if page.isdigit() else 1
        )
        summaries = [
            panel.summarise(request, client, ctx)
            for panel, ctx in context_360["panels"]
            if panel.summarise is not None
        ]
        card_url = reverse("admin:clienteling_client_card", args=[client.pk])
        actions = []
        if context_360["can_log_contact"] and not client.is_retired:
            actions.append((_("Log a contact"), "#log-contact"))
        if context_360["can_add_follow_up"]:
            actions.append(
                (
                    _("Add a follow-up"),
                    reverse("admin:clienteling_followup_add") + f"?client={client.pk}",
                )
            )
        if context_360["can_book_appointment"]:
            actions.append(
                (
                    _("Book an appointment"),
                    reverse("admin:clienteling_appointment_add")
                    + f"?client={client.pk}",
                )
            )
        for summary in summaries:
            actions.extend(summary.actions)
        context = {
            **self.admin_site.each_context(request),
            **context_360,
            "opts": self.opts,
            "title": client.full_name,
            "original": client,
            "card": selectors.client_card(client=client, user=user),
            "timeline": timeline,
            "facts": [fact for summary in summaries for fact in summary.facts],
            "chips": [chip for summary in summaries for chip in summary.chips],
            "notices": [notice for summary in summaries for notice in summary.notices],
            "quick_actions": actions if not client.is_retired else [],
            # has_change_permission(request, client) would ask the edit
            # gates (the Art. 18 restriction) again: their answer is
            # `restriction` above; the rest is the model permission.
            "can_edit": not context_360["restriction"]
            and self.has_change_permission(request),
            "edit_url": reverse("admin:clienteling_client_change", args=[client.pk]),
            "history_url": reverse(
                "admin:clienteling_client_history", args=[client.pk]
            ),
            "card_url": card_url,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/clienteling/client/card.html", context)

    def get_changelist(self, request, **kwargs):
        """Rows open the client's card, not the edit form."""
        base = super().get_changelist(request, **kwargs)

        class CardChangeList(base):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                # Each row's link carries the list's filters, as the admin's
                # add_preserved_filters would add them; built once per page,
                # since that tag resolves every row's URL against every
                # admin route when the list has a query (decision 0109).
                # With preserved_filters empty, the tag leaves it as is.
                query = urlencode(dict(parse_qsl(self.preserved_filters)))
                self.preserved_filters = ""
                self._row_query = f"?{query}" if query else ""
                sample = reverse("admin:clienteling_client_card", args=[0])
                self._card_prefix = sample.removesuffix("0/")

            def url_for_result(self, result):
                return f"{self._card_prefix}{int(result.pk)}/{self._row_query}"

            def card_link_parts(self):
                """What every row's URL is made of: the card's prefix, then
                the row's id and "/", then this query (the lean rows of
                clienteling.templatetags.client_list, decision 0115)."""
                return self._card_prefix, self._row_query

            def get_ordering(self, request, queryset):
                return client_sort_key(super().get_ordering(request, queryset))

        return CardChangeList

    def response_change(self, request, obj):
        response = super().response_change(request, obj)
        if "_continue" in request.POST or "_addanother" in request.POST:
            return response
        if response.status_code == 302:
            return redirect("admin:clienteling_client_card", obj.pk)
        return response

    def response_add(self, request, obj, post_url_continue=None):
        response = super().response_add(request, obj, post_url_continue)
        if (
            response.status_code == 302
            and "_continue" not in request.POST
            and "_addanother" not in request.POST
            and "_popup" not in request.POST
        ):
            return redirect("admin:clienteling_client_card", obj.pk)
        return response

    @method_decorator(require_POST)
    def search_suggest_view(self, request):
        """The header search's suggestions: a few live clients of the
        user's scope, by name, with their number and home boutique.

        A POST, so the term stays out of URLs and request lines; nothing is
        written to the access log here (a list of names, like the client
        list): opening a client is logged by its page, with its id.
        """
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            found = search.search_clients(
                self.get_queryset(request).live(),
                request.POST.get("q", ""),
                cap=SUGGESTIONS,
            )
        except ValidationError as refused:
            return JsonResponse({"results": [], "error": refused.messages[0]})
        if not (request.POST.get("q") or "").strip():
            return JsonResponse({"results": []})
        clients = found.clients.select_related("home_boutique").order_by(
            *self.ordering
        )[:SUGGESTIONS]
        results = [
            {
                "name": client.full_name,
                "number": client.client_number,
                "boutique": client.home_boutique.name,
                "url": reverse("admin:clienteling_client_card", args=[client.pk]),
            }
            for client in clients
        ]
        if not results:
            note = _("No client matches. Check the spelling, or try an email or phone.")
        elif found.truncated:
            note = _("More clients match: press Enter to see the list, or refine.")
        else:
            note = ""
        return JsonResponse({"results": results, "note": str(note)})

    def log_contact_view(self, request, object_id):
        client = self.get_object(request, object_id)
        if client is None:
            raise Http404("No client with this id in your boutiques.")
        if not request.user.has_perm("clienteling.add_contactevent"):
            raise PermissionDenied
        form = ContactLogForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                event = services.contact_log(
                    acting_user=request.user,
                    client=client,
                    channel=form.cleaned_data["channel"],
                    direction=form.cleaned_data["direction"],
                    subject=form.cleaned_data["subject"],
                    summary=form.cleaned_data["summary"],
                    outcome=form.cleaned_data["outcome"],
                    occurred_at=form.cleaned_data["occurred_at"],
                )
            except ValidationError as exc:
                by_field = (
                    exc.message_dict
                    if hasattr(exc, "error_dict")
                    else {None: exc.messages}
                )
                for field, errors in by_field.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(
                    request,
                    (_("Contact logged: %(subject)s.") % {"subject": event.subject}),
                )
                if event.is_instant_messaging:
                    messages.warning(request, ContactLogForm.instant_messaging_warning)
                if mentions_health(event.summary):
                    self._warn_health_mention(request, client)
                url = reverse("admin:clienteling_client_card", args=[client.pk])
                return redirect(f"{url}#timeline")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": (
                _("Log a contact with %(full_name)s") % {"full_name": client.full_name}
            ),
            "client": client,
            "contact_form": form,
        }
        return TemplateResponse(
            request, "admin/clienteling/client/log_contact.html", context
        )

    def _warn_health_mention(self, request, client) -> None:
        """Point to the allergy record, where the consent gate applies.

        The message never repeats the summary's words: it is kept in the
        session (decision 0012).
        """
        if not request.user.has_perm("clienteling.add_metalallergy"):
            messages.warning(request, HEALTH_MENTION_NO_ACCESS_MESSAGE)
            return
        url = reverse("admin:clienteling_client_change", args=[client.pk])
        messages.warning(
            request,
            format_html(
                _('{} <a href="{}#allergies-group">Record an allergy</a>'),
                HEALTH_MENTION_MESSAGE,
                url,
            ),
        )


# --- Follow-ups and other lists ---------------------------------------------------


class DueFilter(admin.SimpleListFilter):
    title = _("due")
    parameter_name = "due"

    def lookups(self, request, model_admin):
        return [("today", _("Today or overdue")), ("week", _("In the next 7 days"))]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "today":
            return queryset.filter(due_date__lte=today)
        if self.value() == "week":
            return queryset.filter(due_date__range=(today, today + timedelta(days=7)))
        return queryset


class MyFollowUpsFilter(admin.SimpleListFilter):
    title = _("adviser")
    parameter_name = "mine"

    def lookups(self, request, model_admin):
        return [("1", "My follow-ups")]

    def queryset(self, request, queryset):
        if self.value() == "1":
            return queryset.filter(adviser=request.user)
        return queryset


class FollowUpListForm(forms.ModelForm):
    """A row of the follow-up list: choosing an outcome marks it done."""

    class Meta:
        model = FollowUp
        fields = ["status", "done_outcome"]

    def clean(self):
        data = super().clean()
        if data.get("done_outcome") and data.get("status") == FollowUp.Status.OPEN:
            data["status"] = FollowUp.Status.DONE
            self.instance.status = FollowUp.Status.DONE
        return data


class FollowUpAddForm(forms.ModelForm):
    """The add form: a client whose processing is restricted is refused
    here, where the user can still correct the form (save_model cannot
    send them back)."""

    def clean(self):
        data = super().clean()
        client = data.get("client") or getattr(self.instance, "client", None)
        if self.instance.pk is None and client is not None:
            refusal = hooks.edit_refusal(client)
            if refusal:
                if "client" in self.fields:
                    self.add_error("client", refusal)
                else:
                    self.add_error(
                        None,
                        _("Client %(name)s: %(reason)s")
                        % {"name": client.full_name, "reason": refusal},
                    )
        return data


@admin.register(FollowUp)
class FollowUpAdmin(ClientScopedAdmin):
    form = FollowUpAddForm
    list_display = [
        "due_date",
        "client_link",
        "preferred_channel",
        "reason",
        "note",
        "adviser",
        "status",
        "done_outcome",
    ]
    list_select_related = ["client", "adviser"]
    list_filter = [
        MyFollowUpsFilter,
        DueFilter,
        "status",
        "reason",
        "done_outcome",
        ClientHomeBoutiqueFilter,
    ]
    list_editable = ["status", "done_outcome"]
    show_full_result_count = False
    raw_id_fields = ["client"]
    readonly_fields = ["source_key", "created_at", "done_at"]

    def get_queryset(self, request):
        # The page's clients' preferred channels in one more query.
        return (
            super()
            .get_queryset(request)
            .filter(client__status="active")
            .prefetch_related("client__contact_preferences")
        )

    def get_changelist_form(self, request, **kwargs):
        return super().get_changelist_form(
            request, **{"form": FollowUpListForm, **kwargs}
        )

    @admin.display(description=_("client"), ordering="client__last_name")
    def client_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:clienteling_client_card", args=[obj.client_id]),
            obj.client.full_name,
        )

    @admin.display(description=_("preferred channel"))
    def preferred_channel(self, obj):
        preferences = list(obj.client.contact_preferences.all())
        if not preferences:
            return "—"
        return ", ".join(str(p) for p in preferences)

    # -- Created from the client page ----------------------------------------

    def prefilled_client(self, request):
        """The client named by ?client= on the add page, if the user sees
        them and the record is live; None otherwise."""
        pk = request.GET.get("client", "")
        if not pk.isdigit():
            return None
        return Client.objects.visible_to(request.user).live().filter(pk=pk).first()

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        if obj is None and self.prefilled_client(request) is not None:
            fields = [
                "client_name",
                *[f for f in fields if f not in ("client", "client_name")],
            ]
        if obj is None:
            fields = [
                f
                for f in fields
                if f not in ("status", "done_outcome", "done_at", "source_key")
            ]
        return fields

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is None and self.prefilled_client(request) is not None:
            fields.append("client_name")
        return fields

    @admin.display(description=_("client"))
    def client_name(self, obj):
        client = getattr(obj, "client", None) if obj is not None else None
        if client is None:
            return "—"
        return f"{client.full_name} ({client.client_number})"

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        client = self.prefilled_client(request) if obj is None else None
        if client is None:
            return form_class

        class Prefilled(form_class):
            def __init__(self, *args, **kw):
                super().__init__(*args, **kw)
                self.instance.client = client

        return Prefilled

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.pop("client", None)
        initial.setdefault("adviser", request.user.pk)
        initial.setdefault("due_date", timezone.localdate())
        initial.setdefault("reason", FollowUp.Reason.MANUAL)
        return initial

    def save_model(self, request, obj, form, change):
        if change:
            if obj.status == FollowUp.Status.DONE and obj.done_at is None:
                obj.done_at = timezone.now()
            super().save_model(request, obj, form, change)
            return
        saved = services.follow_up_create(
            acting_user=request.user,
            client=obj.client,
            due_date=obj.due_date,
            reason=obj.reason,
            note=obj.note,
            adviser=obj.adviser or request.user,
        )
        adopt_saved(obj, saved)

    def response_add(self, request, obj, post_url_continue=None):
        if (
            self.prefilled_client(request) is not None
            and "_continue" not in (request.POST)
            and "_addanother" not in request.POST
        ):
            messages.success(
                request,
                _("Follow-up added for %(name)s.") % {"name": obj.client.full_name},
            )
            url = reverse("admin:clienteling_client_card", args=[obj.client_id])
            return redirect(f"{url}#follow-ups")
        return super().response_add(request, obj, post_url_continue)

    # -- Done from the home page -----------------------------------------------

    def get_urls(self):
        return [
            path(
                "<path:object_id>/done/",
                self.admin_site.admin_view(self.done_view),
                name="clienteling_followup_done",
            ),
            *super().get_urls(),
        ]

    @method_decorator(require_POST)
    def done_view(self, request, object_id):
        """Mark one follow-up done with an outcome (a one-tap form on the
        home or the client page); back to where the form was."""
        self.in_scope_or_404(request, object_id)
        follow_up = get_object_or_404(self.get_queryset(request), pk=object_id)
        if not self.has_change_permission(request, follow_up):
            raise PermissionDenied
        outcome = request.POST.get("done_outcome", "")
        back = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}
        ):
            back = reverse("admin:clienteling_followup_changelist")
        if outcome not in FollowUp.Outcome.values:
            messages.error(
                request,
                _("Outcome: choose what came of the follow-up; it is still open."),
            )
            return redirect(back)
        try:
            services.follow_up_complete(
                acting_user=request.user, follow_up=follow_up, outcome=outcome
            )
        except ValidationError as refused:
            messages.error(request, " ".join(refused.messages))
        else:
            messages.success(
                request,
                _("Follow-up for %(name)s done: %(outcome)s.")
                % {
                    "name": follow_up.client.full_name,
                    "outcome": FollowUp.Outcome(outcome).label,
                },
            )
        return redirect(back)


class OutcomeFilter(admin.SimpleListFilter):
    """The contacts' outcomes, each with how many of the listed contacts
    (the other filters applied) had it: one grouped query."""

    title = _("outcome")
    parameter_name = "outcome"
    NOT_RECORDED = "none"

    def lookups(self, request, model_admin):
        return [
            *ContactEvent.Outcome.choices,
            (self.NOT_RECORDED, _("Not recorded")),
        ]

    def queryset(self, request, queryset):
        if self.value() == self.NOT_RECORDED:
            return queryset.filter(outcome="")
        if self.value() in ContactEvent.Outcome.values:
            return queryset.filter(outcome=self.value())
        return queryset

    def counts(self, changelist) -> dict[str, int]:
        listed = changelist.get_queryset(
            self.request, exclude_parameters=self.expected_parameters()
        )
        counts = dict(listed.order_by().values_list("outcome").annotate(n=Count("pk")))
        counts[self.NOT_RECORDED] = counts.pop("", 0)
        return counts

    def choices(self, changelist):
        counts = self.counts(changelist)
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": _("All (%(count)s)") % {"count": sum(counts.values())},
        }
        for value, label in self.lookup_choices:
            yield {
                "selected": self.value() == value,
                "query_string": changelist.get_query_string(
                    {self.parameter_name: value}
                ),
                "display": f"{label} ({counts.get(value, 0)})",
            }


@admin.register(ContactEvent)
class ContactEventAdmin(ClientScopedAdmin):
    list_display = [
        "occurred_at",
        "client",
        "channel",
        "direction",
        "outcome",
        "subject",
        "staff",
        "health_mention",
    ]
    list_select_related = ["client", "staff"]
    list_filter = ["channel", "direction", OutcomeFilter, ClientHomeBoutiqueFilter]
    show_full_result_count = False
    raw_id_fields = ["client"]
    exclude = ["related_type", "related_id"]
    readonly_fields = ["staff", "boutique"]
    date_hierarchy = None

    @admin.display(description=_("health"))
    def health_mention(self, obj):
        # Computed from the summary on display, never stored (decision 0012).
        return "⚠ mentions health" if mentions_health(obj.summary) else ""

    def has_add_permission(self, request):
        # Contacts are logged from the client page, through contact_log.
        return False

    def has_change_permission(self, request, obj=None):
        # Contact history is a record of what happened: corrections are new
        # entries, not edits.
        return False


@admin.register(HouseEvent)
class HouseEventAdmin(OptimisticLockAdminMixin, ClientScopedMixin, SimpleHistoryAdmin):
    client_path = None
    boutique_path = "boutique"
    list_display = ["name", "boutique", "starts_at", "capacity"]
    list_select_related = ["boutique"]
    list_filter = ["boutique"]


@admin.register(Invitation)
class InvitationAdmin(ClientScopedAdmin):
    form = InvitationAdminForm
    list_display = ["event", "client", "status", "responded_at"]
    list_select_related = ["event", "client"]
    list_filter = ["status", "event"]
    raw_id_fields = ["client"]
    readonly_fields = ["invited_by", "responded_at"]

    def save_model(self, request, obj, form, change):
        # The form has checked capacity; the service re-checks under a lock.
        if change and "status" in form.changed_data:
            services.invitation_set_status(
                acting_user=request.user, invitation=obj, status=obj.status
            )
            return
        if change:
            super().save_model(request, obj, form, change)
            return
        saved = services.invitation_create(
            acting_user=request.user,
            event=obj.event,
            client=obj.client,
            status=obj.status,
        )
        adopt_saved(obj, saved)


@admin.register(DuplicateFlag)
class DuplicateFlagAdmin(OptimisticLockAdminMixin, ClientScopedMixin, admin.ModelAdmin):
    list_display = ["client", "other", "reason", "status", "flagged_at"]
    list_select_related = ["client", "other"]
    list_filter = ["status", "reason"]
    readonly_fields = [
        "client",
        "other",
        "reason",
        "flagged_at",
        "resolved_at",
        "resolved_by",
    ]
    actions = ["merge_into_first"]

    def get_queryset(self, request):
        # Both records must be in scope, not only the first.
        visible = Client.objects.visible_to(request.user)
        return super().get_queryset(request).filter(other__in=visible)

    def get_list_display(self, request):
        if request.user.has_perms(
            ["clienteling.change_duplicateflag", "clienteling.change_client"]
        ):
            return [*self.list_display, "merge_link"]
        return self.list_display

    def has_add_permission(self, request):
        return False

    @admin.display(description="")
    def merge_link(self, obj):
        if obj.status != DuplicateFlag.Status.OPEN:
            return ""
        return format_html(
            _('<a href="{}">Merge…</a>'),
            reverse("admin:clienteling_duplicateflag_merge", args=[obj.pk]),
        )

    @admin.action(description=_("Merge the second record into the first"))
    def merge_into_first(self, request, queryset):
        """Opens the merge's confirmation page: one merge, one page."""
        if not request.user.has_perm("clienteling.change_client"):
            raise PermissionDenied
        ids = list(queryset.values_list("pk", flat=True)[:2])
        if len(ids) != 1:
            messages.error(
                request,
                _(
                    "Select one duplicate flag at a time: each merge is checked "
                    "on its own page before it happens."
                ),
            )
            return None
        return redirect("admin:clienteling_duplicateflag_merge", ids[0])

    def get_urls(self):
        return [
            path(
                "<path:object_id>/merge/",
                self.admin_site.admin_view(self.merge_view),
                name="clienteling_duplicateflag_merge",
            ),
            *super().get_urls(),
        ]

    def merge_view(self, request, object_id):
        """The merge's confirmation page; the merge happens on its POST."""
        self.in_scope_or_404(request, object_id)
        # Who could merge from the list before: settling flags and
        # changing clients.
        if not request.user.has_perms(
            ["clienteling.change_duplicateflag", "clienteling.change_client"]
        ):
            raise PermissionDenied
        flag = get_object_or_404(
            self.get_queryset(request).select_related("client", "other"),
            pk=object_id,
        )
        survivor, duplicate = flag.client, flag.other
        error = ""
        is_open = flag.status == DuplicateFlag.Status.OPEN
        if not is_open:
            error = _("This flag is already settled (%(status)s).") % {
                "status": flag.get_status_display()
            }
        elif is_confirmed(request):
            try:
                services.client_merge(
                    acting_user=request.user, survivor=survivor, duplicate=duplicate
                )
            except ValidationError as exc:
                error = " ".join(exc.messages)
            else:
                messages.success(
                    request,
                    (
                        _("Merged %(duplicate)s into %(survivor)s.")
                        % {"duplicate": duplicate, "survivor": survivor}
                    ),
                )
                return redirect("admin:clienteling_client_change", survivor.pk)
        elif request.method == "POST":
            error = _("Use the button on this page to merge. Nothing was changed.")
        preview = services.client_merge_preview(survivor=survivor, duplicate=duplicate)
        changelist = reverse("admin:clienteling_duplicateflag_changelist")
        return confirmation_page(
            request,
            admin_site=self.admin_site,
            title=(
                _("Merge %(duplicate)s into %(survivor)s")
                % {"duplicate": duplicate, "survivor": survivor}
            ),
            lead=(
                _(
                    "%(survivor)s is kept. %(duplicate)s becomes a merged record "
                    "pointing to it and leaves the client list. A merge is not undone."
                )
                % {"survivor": survivor, "duplicate": duplicate}
            ),
            sections=merge_sections(preview),
            action_label=_("Merge the two records"),
            cancel_url=changelist,
            breadcrumbs=[("Duplicate flags", changelist)],
            error=error,
            can_act=is_open,
        )


def merge_sections(preview) -> list[Section]:
    survivor, duplicate = preview.survivor, preview.duplicate

    def describe(client):
        boutique = client.home_boutique.name if client.home_boutique_id else "none"
        return (
            f"{client.full_name}, client number {client.client_number}, "
            f"home boutique {boutique}, created {client.created_at:%d/%m/%Y}"
        )

    moves = [f"{count} {label}" for label, count in preview.moves]
    if duplicate.lifetime_value:
        moves.append(
            _("lifetime value of %(amount)s added")
            % {"amount": money(duplicate.lifetime_value, "EUR")}
        )
    return [
        Section(heading=_("Kept record"), lines=[describe(survivor)]),
        Section(heading=_("Merged record"), lines=[describe(duplicate)]),
        Section(
            heading=(
                _("What moves to %(full_name)s") % {"full_name": survivor.full_name}
            ),
            lines=moves or [_("Nothing: the merged record holds no other data.")],
            note=(
                _(
                    "A row that would repeat one the kept record already has "
                    "(the same email address twice) stays on the merged record."
                )
            ),
        ),
        Section(
            heading=_("What stays with the merged record"),
            lines=[f"{count} {label}" for label, count in preview.stays]
            or [_("Nothing.")],
            note=(
                _(
                    "Evidence and legal documents stay where they were written; "
                    "the consent history is copied to the kept record."
                )
            ),
        ),
    ]


@admin.register(Collection)
class CollectionAdmin(OptimisticLockAdminMixin, SimpleHistoryAdmin):
    list_display = ["name", "is_active"]
    search_fields = ["name"]


# --- Boutiques and staff ------------------------------------------------------------


@admin.register(Boutique)
class BoutiqueAdmin(OptimisticLockAdminMixin, SimpleHistoryAdmin):
    list_display = ["name", "code", "kind", "department_store", "city", "country"]
    list_filter = ["kind", "country", "is_active"]
    search_fields = ["name", "code", "city"]
    ordering = ["name"]


@admin.register(User)
class UserAdmin(
    OptimisticLockAdminMixin, ScopedChoicesMixin, DjangoUserAdmin, SimpleHistoryAdmin
):
    list_display = ["username", "first_name", "last_name", "email", "is_active"]
    list_filter = ["is_active", "groups", "boutiques"]
    filter_horizontal = ["groups", "user_permissions", "boutiques"]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        ("Boutiques", {"fields": ["boutiques"]}),
    )


# Registered here so the admin registry sees it with the other models.
admin.site.register(Appointment, AppointmentAdmin)

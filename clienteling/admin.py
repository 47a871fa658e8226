from datetime import timedelta

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from import_export.admin import ImportExportMixin
from import_export.results import Error as ImportFailure
from import_export.results import Result as ImportResult
from import_export.results import RowResult
from simple_history.admin import SimpleHistoryAdmin

from clienteling import hooks, selectors, services
from clienteling.admin_mixins import adopt_saved
from clienteling.exceptions import ImportRefused
from clienteling.forms import (
    AddressFormSet,
    AllergyFormSet,
    ClientAdminForm,
    ContactLogForm,
    EmailFormSet,
    InvitationAdminForm,
    PhoneFormSet,
)
from clienteling.models import (
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
    User,
)
from clienteling.paginators import EstimatedCountPaginator
from clienteling.querysets import anniversaries_within
from clienteling.resources import ClientResource
from clienteling.scoping import (
    ClientScopedMixin,
    sees_every_boutique,
    visible_boutiques,
)

# --- Scoping --------------------------------------------------------------------


class ClientScopedAdmin(ClientScopedMixin, SimpleHistoryAdmin):
    """Client data with django-simple-history, scoped to the user's clients."""


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
    verbose_name_plural = "preferred contact channels"


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

    @admin.display(description="In every system")
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
    verbose_name_plural = "metal allergies (health data, explicit consent only)"


# --- Filters -----------------------------------------------------------------------


class MineFilter(admin.SimpleListFilter):
    title = "adviser"
    parameter_name = "mine"

    def lookups(self, request, model_admin):
        return [("1", "My clients")]

    def queryset(self, request, queryset):
        if self.value() == "1":
            return queryset.advised_by(request.user)
        return queryset


class UpcomingDateFilter(admin.SimpleListFilter):
    title = "upcoming date"
    parameter_name = "upcoming"
    horizons = {"7": 7, "30": 30}

    def lookups(self, request, model_admin):
        return [("7", "In the next 7 days"), ("30", "In the next 30 days")]

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

    title = "home boutique"
    parameter_name = "boutique"

    def lookups(self, request, model_admin):
        return [(str(b.pk), b.name) for b in visible_boutiques(request.user)]

    def queryset(self, request, queryset):
        # Only a value this filter offered; anything else is ignored.
        if self.value() in {key for key, _ in self.lookup_choices}:
            return queryset.filter(home_boutique_id=self.value())
        return queryset


# --- Clients -----------------------------------------------------------------------


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
        MineFilter,
        HomeBoutiqueFilter,
        "preferred_language",
        UpcomingDateFilter,
    ]
    search_fields = ["client_number", "last_name", "first_name"]
    search_help_text = "Name, client number, email, or phone number in any format."
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    list_per_page = 50
    ordering = ["last_name", "first_name", "id"]
    actions = None
    autocomplete_fields = []
    raw_id_fields = []
    change_form_template = "admin/clienteling/client/change_form.html"
    readonly_fields = [
        "client_number",
        "source",
        "status",
        "merged_into",
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
                    ("client_number", "status", "merged_into"),
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

    def get_import_resource_kwargs(self, request, **kwargs):
        return {
            **super().get_import_resource_kwargs(request, **kwargs),
            "acting_user": request.user,
        }

    def process_dataset(self, dataset, form, request, **kwargs):
        # The preview is django-import-export's dry run of ClientResource;
        # the confirmed import is clients_import, the set-based engine,
        # which checks the file again (docs/decisions/0007).
        result = ImportResult()
        try:
            created = services.clients_import(acting_user=request.user, data=dataset)
        except ImportRefused as refused:
            result.append_base_error(ImportFailure(refused))
            return result
        for client in created:
            row = RowResult()
            row.import_type = RowResult.IMPORT_TYPE_NEW
            row.add_instance_info(client)
            row.instance = client
            result.increment_row_result_total(row)
            result.append_row_result(row)
        return result

    def process_result(self, result, request):
        if result.has_errors():
            for error in result.base_errors:
                for message in error.error.messages:
                    messages.error(request, message)
            return redirect("admin:clienteling_client_import")
        return super().process_result(result, request)

    def get_search_results(self, request, queryset, search_term):
        return queryset.matching(search_term), False

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
                f"{everyone - count} client(s) under a restriction of processing "
                "were left out of the export.",
            )
        limit = settings.BULK_EXPORT_COMPLIANCE_THRESHOLD
        if count > limit and not request.user.has_perm("clienteling.export_client"):
            raise PermissionDenied(
                f"Exports of more than {limit} clients need the compliance role."
            )
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
        return {
            "client_360": selectors.client_360(client=client),
            "contact_form": contact_form or ContactLogForm(),
            "can_log_contact": user.has_perm("clienteling.add_contactevent"),
            "panels": [
                (panel, panel.get_context(request, client))
                for panel in hooks.client_panels_for(user)
            ],
        }

    def get_urls(self):
        urls = super().get_urls()
        custom = [
            path(
                "<path:object_id>/log-contact/",
                self.admin_site.admin_view(self.log_contact_view),
                name="clienteling_client_log_contact",
            ),
        ]
        return custom + urls

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
                messages.success(request, f"Contact logged: {event.subject}.")
                if event.is_instant_messaging:
                    messages.warning(request, ContactLogForm.instant_messaging_warning)
                url = reverse("admin:clienteling_client_change", args=[client.pk])
                return redirect(f"{url}#timeline")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Log a contact with {client.full_name}",
            "client": client,
            "contact_form": form,
        }
        return TemplateResponse(
            request, "admin/clienteling/client/log_contact.html", context
        )


# --- Follow-ups and other lists ---------------------------------------------------


class DueFilter(admin.SimpleListFilter):
    title = "due"
    parameter_name = "due"

    def lookups(self, request, model_admin):
        return [("today", "Today or overdue"), ("week", "In the next 7 days")]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "today":
            return queryset.filter(due_date__lte=today)
        if self.value() == "week":
            return queryset.filter(due_date__range=(today, today + timedelta(days=7)))
        return queryset


class MyFollowUpsFilter(admin.SimpleListFilter):
    title = "adviser"
    parameter_name = "mine"

    def lookups(self, request, model_admin):
        return [("1", "My follow-ups")]

    def queryset(self, request, queryset):
        if self.value() == "1":
            return queryset.filter(adviser=request.user)
        return queryset


@admin.register(FollowUp)
class FollowUpAdmin(ClientScopedAdmin):
    list_display = ["due_date", "client", "reason", "note", "adviser", "status"]
    list_select_related = ["client", "adviser"]
    list_filter = [MyFollowUpsFilter, DueFilter, "status", "reason"]
    list_editable = ["status"]
    show_full_result_count = False
    raw_id_fields = ["client"]
    readonly_fields = ["source_key", "created_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(client__status="active")


@admin.register(ContactEvent)
class ContactEventAdmin(ClientScopedAdmin):
    list_display = ["occurred_at", "client", "channel", "direction", "subject", "staff"]
    list_select_related = ["client", "staff"]
    list_filter = ["channel", "direction"]
    show_full_result_count = False
    raw_id_fields = ["client"]
    exclude = ["related_type", "related_id"]
    readonly_fields = ["staff", "boutique"]
    date_hierarchy = None

    def has_add_permission(self, request):
        # Contacts are logged from the client page, through contact_log.
        return False

    def has_change_permission(self, request, obj=None):
        # Contact history is a record of what happened: corrections are new
        # entries, not edits.
        return False


@admin.register(HouseEvent)
class HouseEventAdmin(ClientScopedMixin, SimpleHistoryAdmin):
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
class DuplicateFlagAdmin(ClientScopedMixin, admin.ModelAdmin):
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

    def has_add_permission(self, request):
        return False

    @admin.action(description="Merge the second record into the first")
    def merge_into_first(self, request, queryset):
        if not request.user.has_perm("clienteling.change_client"):
            raise PermissionDenied
        for flag_id in queryset.values_list("pk", flat=True):
            # Re-read each flag: an earlier merge in this batch may have
            # resolved it or merged one of its records.
            flag = DuplicateFlag.objects.select_related("client", "other").get(
                pk=flag_id
            )
            if flag.status != DuplicateFlag.Status.OPEN:
                continue
            try:
                services.client_merge(
                    acting_user=request.user, survivor=flag.client, duplicate=flag.other
                )
            except ValidationError as exc:
                messages.error(request, f"{flag}: {' '.join(exc.messages)}")
            else:
                messages.success(request, f"Merged {flag.other} into {flag.client}.")


@admin.register(Collection)
class CollectionAdmin(SimpleHistoryAdmin):
    list_display = ["name", "is_active"]
    search_fields = ["name"]


# --- Boutiques and staff ------------------------------------------------------------


@admin.register(Boutique)
class BoutiqueAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "kind", "department_store", "city", "country"]
    list_filter = ["kind", "country", "is_active"]
    search_fields = ["name", "code", "city"]
    ordering = ["name"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin, SimpleHistoryAdmin):
    list_display = ["username", "first_name", "last_name", "email", "is_active"]
    list_filter = ["is_active", "groups", "boutiques"]
    filter_horizontal = ["groups", "user_permissions", "boutiques"]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        ("Boutiques", {"fields": ["boutiques"]}),
    )

"""Guest lists given to event organisers in the admin: a thin caller of
privacy.organisers (decision 0106). Giving a list records who received
which guest; the list itself is downloaded from the record's page."""

import io

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from clienteling.models import HouseEvent
from clienteling.scoping import visible_boutiques
from core import downloads
from core.admin_mixins import adopt_saved
from core.services import access_log_record
from privacy import organisers
from privacy.models import GuestListDisclosure

GUEST_LIST = downloads.register(
    downloads.Download(
        key="organiser-guest-list",
        label=_("Guest list for an event organiser (Guest lists given to organisers)"),
        sites=("privacy.admin.organisers.GuestListDisclosureAdmin.download_view",),
    )
)


class GuestListForm(forms.ModelForm):
    categories = forms.MultipleChoiceField(
        label=capfirst(GuestListDisclosure._meta.get_field("categories").verbose_name),
        choices=GuestListDisclosure.Category.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[GuestListDisclosure.Category.NAMES],
        error_messages={"required": _("Choose the data the guest list gives.")},
    )

    class Meta:
        model = GuestListDisclosure
        fields = ["event", "organiser", "categories"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        if "organiser" not in self.fields:
            return  # the record's page: read-only, no form fields
        self.fields["organiser"].queryset = organisers.organisers()
        self.fields["organiser"].help_text = _(
            "The event organisers among the recipients and processors."
        )
        events = HouseEvent.objects.select_related("boutique")
        if request is not None:
            events = events.filter(boutique__in=visible_boutiques(request.user))
        self.fields["event"].queryset = events

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            organisers.guest_list_check(
                event=data["event"],
                organiser=data["organiser"],
                categories=data["categories"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    self.add_error(field, error)
        return data


@admin.register(GuestListDisclosure)
class GuestListDisclosureAdmin(admin.ModelAdmin):
    form = GuestListForm
    list_display = [
        "event",
        "organiser",
        "data_given",
        "guest_count",
        "disclosed_at",
        "disclosed_by",
    ]
    list_select_related = ["event", "organiser", "disclosed_by"]
    list_filter = ["organiser"]
    actions = None
    readonly_fields = [
        "event",
        "organiser",
        "data_given",
        "guest_count",
        "disclosed_at",
        "disclosed_by",
        "guest_list_file",
    ]

    def get_queryset(self, request):
        # A list names the guests of its event's boutique: scoped by it
        # (compliance sees every boutique).
        return (
            super()
            .get_queryset(request)
            .filter(event__boutique__in=visible_boutiques(request.user))
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None:
            return form

        class Bound(form):
            def __init__(self, *args, **kw):
                super().__init__(*args, request=request, **kw)

        return Bound

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["event", "organiser", "categories"]
        return self.readonly_fields

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    @admin.display(description=_("data given"))
    def data_given(self, obj):
        return ", ".join(obj.category_labels())

    @admin.display(description=_("guest list"))
    def guest_list_file(self, obj):
        return format_html(
            '<a id="guest-list-download" href="{}">{}</a>',
            reverse("admin:privacy_guestlistdisclosure_download", args=[obj.pk]),
            _("Download the guest list (CSV)"),
        )

    # A record of what was given: nothing to change or delete.
    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        adopt_saved(
            obj,
            organisers.guest_list_give(
                acting_user=request.user,
                event=form.cleaned_data["event"],
                organiser=form.cleaned_data["organiser"],
                categories=form.cleaned_data["categories"],
            ),
        )

    def get_urls(self):
        return [
            path(
                "<int:pk>/download/",
                self.admin_site.admin_view(self.download_view),
                name="privacy_guestlistdisclosure_download",
            ),
            *super().get_urls(),
        ]

    def download_view(self, request, pk):
        if not self.has_view_permission(request):
            raise PermissionDenied
        guest_list = get_object_or_404(self.get_queryset(request), pk=pk)
        rows = organisers.guest_list_rows(guest_list)
        out = io.StringIO()
        writer = downloads.csv_dict_writer(
            out, organisers.guest_list_columns(guest_list)
        )
        writer.writeheader()
        writer.writerows(rows)
        access_log_record(
            acting_user=request.user,
            action="download",
            target=guest_list,
            count=len(rows),
            path=request.path,
        )
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="guest-list-{guest_list.pk}.csv"'
        )
        return response

"""The appointments' admin: book, reschedule, cancel, mark, and the
adviser and boutique day/week views (imported by clienteling.admin)."""

from datetime import date, datetime, time, timedelta

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from simple_history.admin import SimpleHistoryAdmin

from clienteling import services
from clienteling.models import Appointment, Client, ContactEvent, User
from clienteling.scoping import ClientScopedMixin, visible_boutiques
from core.admin_mixins import adopt_saved
from core.confirmation import Section, confirmation_page, is_confirmed
from core.display import day
from core.locking import OptimisticLockAdminMixin

# The grid's hours: boutiques open 10:00-19:00; a little either side.
GRID_FIRST_HOUR, GRID_LAST_HOUR = 8, 21


class AppointmentForm(forms.ModelForm):
    """Booking and rescheduling: every refusal (past, end before start,
    adviser already booked, client restricted) names its field here, where
    the user can correct it; the services check again under a lock."""

    booked_via = forms.ChoiceField(
        label=_("Booked through"),
        choices=[
            (value, label)
            for value, label in ContactEvent.Channel.choices
            if value in services.BOOKING_CHANNELS
        ],
        initial=ContactEvent.Channel.PHONE,
        help_text=_("How the client asked: recorded in their contact history."),
    )

    class Meta:
        model = Appointment
        fields = [
            "client",
            "boutique",
            "adviser",
            "purpose",
            "starts_at",
            "ends_at",
            "notes",
        ]

    def __init__(self, *args, acting_user=None, for_change=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.acting_user = acting_user
        if for_change is None:
            for_change = self.instance.pk is not None
        if for_change:
            # Who and where stay; a new booking is made for another client.
            for name in ("client", "boutique", "booked_via"):
                self.fields.pop(name, None)

    def clean(self):
        data = super().clean()
        client = data.get("client") or getattr(self.instance, "client", None)
        starts_at, ends_at = data.get("starts_at"), data.get("ends_at")
        moved = not self.instance.pk or {"starts_at", "ends_at", "adviser"} & set(
            self.changed_data
        )
        if self.instance.pk and not self.instance.is_booked and moved:
            raise ValidationError(
                _("This appointment is %(status)s: it cannot be moved.")
                % {"status": self.instance.get_status_display().lower()}
            )
        if client is None or not starts_at or not ends_at or not moved:
            return data
        adviser = data.get("adviser")
        boutique = data.get("boutique") or self.instance.boutique
        if (
            adviser is not None
            and boutique is not None
            and (not adviser.boutiques.filter(pk=boutique.pk).exists())
        ):
            self.add_error(
                "adviser",
                _("%(adviser)s does not work at %(boutique)s.")
                % {"adviser": adviser, "boutique": boutique},
            )
            return data
        try:
            services.appointment_check(
                acting_user=self.acting_user,
                client=client,
                adviser=adviser,
                starts_at=starts_at,
                ends_at=ends_at,
                appointment=self.instance if self.instance.pk else None,
            )
        except ValidationError as refused:
            for field, problems in refused.message_dict.items():
                self.add_error(field if field in self.fields else None, problems)
        return data


class AppointmentStatusFilter(admin.SimpleListFilter):
    """Booked by default: the list is what is still to happen."""

    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [*Appointment.Status.choices, ("all", _("All"))]

    def queryset(self, request, queryset):
        if self.value() == "all":
            return queryset
        if self.value() in Appointment.Status.values:
            return queryset.filter(status=self.value())
        return queryset.filter(status=Appointment.Status.BOOKED)

    def choices(self, changelist):
        current = self.value() or Appointment.Status.BOOKED
        for value, label in self.lookup_choices:
            yield {
                "selected": current == value,
                "query_string": changelist.get_query_string(
                    {self.parameter_name: value}
                ),
                "display": label,
            }


class AppointmentAdmin(OptimisticLockAdminMixin, ClientScopedMixin, SimpleHistoryAdmin):
    """Scoped by boutique: an adviser sees their boutiques' diaries. A
    client they may not see is not named (client_name)."""

    client_path = None
    boutique_path = "boutique"
    form = AppointmentForm
    list_display = [
        "starts_at",
        "ends_at_time",
        "client_name",
        "purpose",
        "adviser",
        "boutique",
        "status",
    ]
    list_select_related = ["client", "adviser", "boutique"]
    list_filter = [AppointmentStatusFilter, "purpose", "boutique"]
    show_full_result_count = False
    raw_id_fields = ["client"]
    readonly_fields = ["status_display", "reminded_at", "booked_by"]
    change_form_template = "admin/clienteling/appointment/change_form.html"
    date_hierarchy = None

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        user = request.user

        class WithUser(form_class):
            def __init__(self, *args, **kw):
                kw.setdefault("acting_user", user)
                kw.setdefault("for_change", obj is not None)
                super().__init__(*args, **kw)

        return WithUser

    def get_fields(self, request, obj=None):
        if obj is None:
            return [*AppointmentForm._meta.fields, "booked_via"]
        return [
            "client_name",
            "boutique_name",
            "status_display",
            "adviser",
            "purpose",
            "starts_at",
            "ends_at",
            "notes",
            "reminded_at",
            "booked_by",
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        fields = [*self.readonly_fields, "client_name", "boutique_name"]
        if not obj.is_booked:
            fields += ["adviser", "purpose", "starts_at", "ends_at"]
        return fields

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("adviser", request.user.pk)
        client_pk = str(initial.get("client", ""))
        if client_pk.isdigit() and "boutique" not in initial:
            client = (
                Client.objects.visible_to(request.user).filter(pk=client_pk).first()
            )
            if client is not None:
                initial["boutique"] = client.home_boutique_id
        return initial

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "adviser":
            kwargs["queryset"] = User.objects.filter(
                is_active=True,
                pk__in=User.objects.filter(
                    boutiques__in=visible_boutiques(request.user)
                ).values("pk"),
            ).order_by("first_name", "last_name", "username")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("client"))
    def client_name(self, obj):
        viewer = getattr(self, "_viewer", None)
        if viewer is not None and not (
            Client.objects.visible_to(viewer).filter(pk=obj.client_id).exists()
        ):
            return _("A client of another boutique")
        return obj.client.full_name

    @admin.display(description=_("boutique"))
    def boutique_name(self, obj):
        return obj.boutique.name

    @admin.display(description=_("ends"))
    def ends_at_time(self, obj):
        return f"{timezone.localtime(obj.ends_at):%H:%M}"

    @admin.display(description=_("status"))
    def status_display(self, obj):
        return obj.get_status_display()

    def changelist_view(self, request, extra_context=None):
        self._viewer = request.user
        extra_context = {**(extra_context or {}), "calendar_url": self._calendar()}
        return super().changelist_view(request, extra_context)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        self._viewer = request.user
        extra = dict(extra_context or {})
        if object_id:
            obj = self.get_object(request, object_id)
            if obj is not None:
                extra["appointment_actions"] = self._actions_for(request, obj)
        return super().changeform_view(request, object_id, form_url, extra)

    def _calendar(self) -> str:
        return reverse("admin:clienteling_appointment_calendar")

    def _actions_for(self, request, obj) -> list[tuple[str, str, str]]:
        """(label, url, method) of what may be done to the appointment now."""
        if not obj.is_booked or not self.has_change_permission(request, obj):
            return []
        found = [
            (
                _("Cancel the appointment"),
                reverse("admin:clienteling_appointment_cancel", args=[obj.pk]),
                "get",
            )
        ]
        if obj.starts_at <= timezone.now():
            for status, label in (
                (Appointment.Status.ATTENDED, _("Mark attended")),
                (Appointment.Status.NO_SHOW, _("Mark did not come")),
            ):
                found.append(
                    (
                        label,
                        reverse(
                            "admin:clienteling_appointment_mark", args=[obj.pk, status]
                        ),
                        "post",
                    )
                )
        return found

    def save_model(self, request, obj, form, change):
        if not change:
            saved = services.appointment_book(
                acting_user=request.user,
                client=obj.client,
                boutique=obj.boutique,
                adviser=obj.adviser,
                starts_at=obj.starts_at,
                ends_at=obj.ends_at,
                purpose=obj.purpose,
                notes=obj.notes,
                booked_via=form.cleaned_data["booked_via"],
            )
            adopt_saved(obj, saved)
            return
        if {"starts_at", "ends_at", "adviser"} & set(form.changed_data):
            saved = services.appointment_reschedule(
                acting_user=request.user,
                appointment=obj,
                starts_at=obj.starts_at,
                ends_at=obj.ends_at,
                adviser=obj.adviser,
            )
            # Notes or purpose changed in the same save are kept too.
            saved.notes, saved.purpose = obj.notes, obj.purpose
            obj = saved
        super().save_model(request, obj, form, change)

    # -- Cancel, attended, no-show ------------------------------------------------

    def get_urls(self):
        return [
            path(
                "calendar/",
                self.admin_site.admin_view(self.calendar_view),
                name="clienteling_appointment_calendar",
            ),
            path(
                "<path:object_id>/cancel/",
                self.admin_site.admin_view(self.cancel_view),
                name="clienteling_appointment_cancel",
            ),
            path(
                "<path:object_id>/mark/<str:status>/",
                self.admin_site.admin_view(self.mark_view),
                name="clienteling_appointment_mark",
            ),
            *super().get_urls(),
        ]

    def _changeable(self, request, object_id) -> Appointment:
        self.in_scope_or_404(request, object_id)
        appointment = get_object_or_404(
            self.get_queryset(request).select_related("client", "adviser", "boutique"),
            pk=object_id,
        )
        if not self.has_change_permission(request, appointment):
            raise PermissionDenied
        return appointment

    def cancel_view(self, request, object_id):
        """The cancellation's confirmation page; it happens on its POST."""
        appointment = self._changeable(request, object_id)
        self._viewer = request.user
        change_url = reverse(
            "admin:clienteling_appointment_change", args=[appointment.pk]
        )
        error = ""
        if not appointment.is_booked:
            error = _("This appointment is already %(status)s.") % {
                "status": appointment.get_status_display().lower()
            }
        elif is_confirmed(request):
            try:
                services.appointment_cancel(
                    acting_user=request.user, appointment=appointment
                )
            except ValidationError as refused:
                error = " ".join(refused.messages)
            else:
                messages.success(
                    request,
                    _("Appointment cancelled: %(what)s.") % {"what": appointment},
                )
                return redirect(change_url)
        elif request.method == "POST":
            error = _("Use the button on this page to cancel. Nothing was changed.")
        start = timezone.localtime(appointment.starts_at)
        end = timezone.localtime(appointment.ends_at)
        described = _(
            "%(purpose)s on %(day)s from %(start)s to %(end)s at %(boutique)s "
            "with %(adviser)s, for %(client)s"
        ) % {
            "purpose": appointment.get_purpose_display(),
            "day": day(start),
            "start": f"{start:%H:%M}",
            "end": f"{end:%H:%M}",
            "boutique": appointment.boutique.name,
            "adviser": appointment.adviser,
            "client": self.client_name(appointment),
        }
        return confirmation_page(
            request,
            admin_site=self.admin_site,
            title=_("Cancel the appointment"),
            lead=_(
                "The appointment is marked cancelled and leaves the diaries. "
                "A cancellation is not undone: to see the client after all, "
                "book a new appointment."
            ),
            sections=[
                Section(heading=_("Appointment cancelled"), lines=[described]),
                Section(
                    heading=_("What stays"),
                    lines=[
                        _(
                            "The appointment's history and the booking in the "
                            "client's contact history."
                        )
                    ],
                ),
            ],
            action_label=_("Cancel the appointment"),
            cancel_url=change_url,
            breadcrumbs=[
                (
                    _("Appointments"),
                    reverse("admin:clienteling_appointment_changelist"),
                ),
                (str(appointment), change_url),
            ],
            error=error,
            can_act=appointment.is_booked,
        )

    @method_decorator(require_POST)
    def mark_view(self, request, object_id, status):
        appointment = self._changeable(request, object_id)
        try:
            services.appointment_mark(
                acting_user=request.user, appointment=appointment, status=status
            )
        except ValidationError as refused:
            messages.error(request, " ".join(refused.messages))
        else:
            messages.success(
                request,
                _("%(what)s: %(status)s.")
                % {
                    "what": appointment,
                    "status": Appointment.Status(status).label.lower(),
                },
            )
        return redirect("admin:clienteling_appointment_change", appointment.pk)

    # -- Day and week views --------------------------------------------------------

    def calendar_view(self, request):
        """An adviser's or a boutique's day or week, as a grid."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        self._viewer = request.user
        span = "week" if request.GET.get("span") == "week" else "day"
        chosen = _parse_day(request.GET.get("day", "")) or timezone.localdate()
        first = chosen - timedelta(days=chosen.weekday()) if span == "week" else chosen
        days = [first + timedelta(days=i) for i in range(7 if span == "week" else 1)]
        boutiques = list(visible_boutiques(request.user).order_by("name"))
        boutique = _pick(boutiques, request.GET.get("boutique", ""))
        advisers = list(
            self.formfield_for_foreignkey(
                Appointment._meta.get_field("adviser"), request
            ).queryset
        )
        adviser_key = request.GET.get("adviser", "")
        if adviser_key == "" and boutique is None:
            adviser_key = str(request.user.pk)
        adviser = _pick(advisers, adviser_key)

        start = timezone.make_aware(datetime.combine(days[0], time.min))
        end = timezone.make_aware(datetime.combine(days[-1] + timedelta(1), time.min))
        listed = (
            self.get_queryset(request)
            .filter(starts_at__gte=start, starts_at__lt=end)
            .exclude(status=Appointment.Status.CANCELLED)
            .select_related("client", "adviser", "boutique")
            .order_by("starts_at")
        )
        if boutique is not None:
            listed = listed.filter(boutique=boutique)
        if adviser is not None:
            listed = listed.filter(adviser=adviser)
        # A diary is a few dozen a day: bounded all the same.
        listed = list(listed[:500])
        visible_clients = set(
            Client.objects.visible_to(request.user)
            .filter(pk__in={a.client_id for a in listed})
            .values_list("pk", flat=True)
        )
        columns = [
            {
                "day": d,
                "is_today": d == timezone.localdate(),
                "entries": [
                    {
                        "appointment": a,
                        "start": f"{timezone.localtime(a.starts_at):%H:%M}",
                        "end": f"{timezone.localtime(a.ends_at):%H:%M}",
                        "client": a.client.full_name
                        if a.client_id in visible_clients
                        else _("A client of another boutique"),
                    }
                    for a in listed
                    if timezone.localtime(a.starts_at).date() == d
                ],
            }
            for d in days
        ]
        step = timedelta(days=7 if span == "week" else 1)

        def link(**changes):
            params = {
                "span": span,
                "day": chosen.isoformat(),
                "boutique": boutique.pk if boutique else "",
                "adviser": adviser.pk if adviser else "0",
                **changes,
            }
            query = "&".join(f"{k}={v}" for k, v in params.items())
            return f"{self._calendar()}?{query}"

        subject = adviser or boutique
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Diary of %(whom)s") % {"whom": subject}
            if subject
            else _("Diary of your boutiques"),
            "span": span,
            "columns": columns,
            "boutiques": boutiques,
            "advisers": advisers,
            "boutique": boutique,
            "adviser": adviser,
            "chosen": chosen,
            "period": day(days[0])
            if span == "day"
            else f"{day(days[0])} – {day(days[-1])}",
            "previous_url": link(day=(chosen - step).isoformat()),
            "next_url": link(day=(chosen + step).isoformat()),
            "today_url": link(day=timezone.localdate().isoformat()),
            "day_url": link(span="day"),
            "week_url": link(span="week"),
            "can_book": self.has_add_permission(request),
            "truncated": len(listed) == 500,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(
            request, "admin/clienteling/appointment/calendar.html", context
        )


def _parse_day(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _pick(choices, key: str):
    """The choice whose pk is `key`, or None (unknown, or not offered)."""
    return next((c for c in choices if str(c.pk) == key), None)

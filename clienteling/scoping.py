"""Boutique scoping for admin classes of every app: the one place.

An adviser or manager sees the clients of the boutiques they work in;
holders of clienteling.view_all_clients see all (Client.objects.
visible_to). An admin of client data mixes in ClientScopedMixin and names
the lookup from its model to the client (`client_path`) or to a boutique
(`boutique_path`). Objects outside the scope are absent from the
queryset, so every path (change, delete, history, history version,
autocomplete, export, custom object views through get_object) answers 404,
and the attempt is written to the access log.
"""

from django.contrib.admin import RelatedFieldListFilter
from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from clienteling.models import Boutique, Client
from core import hooks
from core.classification import health_field_names, sees_health_data


def sees_every_boutique(user) -> bool:
    return user.is_superuser or user.has_perm("clienteling.view_all_clients")


def visible_boutiques(user):
    if sees_every_boutique(user):
        return Boutique.objects.all()
    return Boutique.objects.filter(staff=user)


class ScopedClientRawIdWidget(ForeignKeyRawIdWidget):
    """A raw-id client field that names only clients the user may see.

    Django's widget looks the id up through the unfiltered manager and
    prints the client's name beside the box: typing ids would list every
    client of every boutique.
    """

    def __init__(self, rel, admin_site, *, user, **kwargs):
        super().__init__(rel, admin_site, **kwargs)
        self.user = user

    def label_and_url_for_value(self, value):
        try:
            visible = Client.objects.visible_to(self.user).filter(pk=value).exists()
        except (ValueError, TypeError, ValidationError):
            visible = False
        if not visible:
            return "", ""
        return super().label_and_url_for_value(value)


def scoped_choices(request, model):
    """What the user may see of `model` when it is offered as a choice (a
    list filter, a select, a related-object label), or None when the model
    is not scoped (products, purposes, collections).

    The one rule for choices: a model with a scoped admin offers what that
    admin's list shows the user; boutiques are the user's own; staff are the
    people who work in them.
    """
    from django.contrib import admin

    from clienteling.models import User

    user = request.user
    related_admin = admin.site._registry.get(model)
    if isinstance(related_admin, ClientScopedMixin):
        return related_admin.get_queryset(request)
    if model is Client:
        return Client.objects.visible_to(user)
    if model is Boutique:
        return visible_boutiques(user)
    if model is User and not sees_every_boutique(user):
        return User.objects.filter(
            pk__in=User.objects.filter(boutiques__in=visible_boutiques(user)).values(
                "pk"
            )
        )
    return None


class ScopedRelatedFieldListFilter(RelatedFieldListFilter):
    """A related-object list filter offering only what the user may see."""

    def field_choices(self, field, request, model_admin):
        visible = scoped_choices(request, field.related_model)
        ordering = self.field_admin_ordering(field, request, model_admin)
        if visible is None:
            return field.get_choices(include_blank=False, ordering=ordering)
        return field.get_choices(
            include_blank=False,
            ordering=ordering,
            limit_choices_to={"pk__in": visible.values("pk")},
        )


class ScopedChoicesMixin:
    """Every list filter and select of related objects offers only what the
    user may see (scoped_choices): another boutique's events, clients,
    boutiques or staff are never listed. Mixed into ClientScopedMixin, and
    into admins of unscoped models that still point at scoped ones."""

    def get_list_filter(self, request):
        return [
            self._scoped_filter(entry) for entry in super().get_list_filter(request)
        ]

    def _scoped_filter(self, entry):
        # "field" or ("field", RelatedFieldListFilter) on a relation becomes
        # the scoped filter; other filters are left as they are.
        name = entry[0] if isinstance(entry, tuple | list) else entry
        filter_class = entry[1] if isinstance(entry, tuple | list) else None
        if (
            isinstance(name, str)
            and self._is_relation(name)
            and filter_class in (None, RelatedFieldListFilter)
        ):
            return (name, ScopedRelatedFieldListFilter)
        return entry

    def _is_relation(self, name: str) -> bool:
        from django.contrib.admin.utils import get_fields_from_path

        try:
            field = get_fields_from_path(self.model, name)[-1]
        except Exception:  # noqa: BLE001 (not a field path: a method, a filter)
            return False
        return bool(getattr(field, "is_relation", False))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "queryset" not in kwargs:
            visible = scoped_choices(request, db_field.related_model)
            if visible is not None:
                kwargs["queryset"] = visible
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "queryset" not in kwargs:
            visible = scoped_choices(request, db_field.related_model)
            if visible is not None:
                kwargs["queryset"] = visible
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class HealthFieldsHiddenMixin:
    """Leaves the fields the data map classes as health out of every page of
    the admin for staff without health access (decision 0102): change and
    add forms, read-only fields, lists, filters, search, the history list's
    changes and the history version page."""

    def _hidden(self, request) -> frozenset[str]:
        if sees_health_data(request.user):
            return frozenset()
        return health_field_names(self.model)

    def _without_hidden(self, request, names):
        hidden = self._hidden(request)
        return [
            name
            for name in names
            if not (isinstance(name, str) and name.split("__")[0] in hidden)
        ]

    def get_fields(self, request, obj=None):
        return self._without_hidden(request, super().get_fields(request, obj))

    def get_fieldsets(self, request, obj=None):
        # Subclasses override get_fields without calling super: the
        # fieldsets are what the form and the pages are built from.
        return [
            (name, {**options, "fields": self._fields_left(request, options)})
            for name, options in super().get_fieldsets(request, obj)
        ]

    def _fields_left(self, request, options):
        left = []
        for entry in options.get("fields", ()):
            if isinstance(entry, list | tuple):
                row = self._without_hidden(request, entry)
                if row:
                    left.append(row)
            elif self._without_hidden(request, [entry]):
                left.append(entry)
        return left

    def get_readonly_fields(self, request, obj=None):
        return self._without_hidden(request, super().get_readonly_fields(request, obj))

    def get_list_display(self, request):
        return self._without_hidden(request, super().get_list_display(request))

    def get_list_filter(self, request):
        def field_of(entry):
            # "field", ("field", FilterClass), or a SimpleListFilter class.
            return entry[0] if isinstance(entry, tuple | list) else entry

        return [
            entry
            for entry in super().get_list_filter(request)
            if not isinstance(field_of(entry), str)
            or self._without_hidden(request, [field_of(entry)])
        ]

    def get_search_fields(self, request):
        return [
            field
            for field in super().get_search_fields(request)
            if self._without_hidden(request, [field.lstrip("=^@")])
        ]

    def get_history_list_display(self, request):
        return self._without_hidden(request, super().get_history_list_display(request))

    def set_history_delta_changes(
        self, request, historical_records, foreign_keys_are_objs=True
    ):
        # simple-history's own loop, with the hidden fields left out of
        # each diff ("Allergy acknowledged at: ... -> ...").
        hidden = self._hidden(request)
        previous = None
        for current in historical_records:
            if previous is not None:
                delta = previous.diff_against(
                    current,
                    excluded_fields=hidden,
                    foreign_keys_are_objs=foreign_keys_are_objs,
                )
                helper = self.get_historical_record_context_helper(request, previous)
                previous.history_delta_changes = helper.context_for_delta_changes(delta)
            previous = current


class ClientScopedMixin(ScopedChoicesMixin, HealthFieldsHiddenMixin):
    """Mix into a ModelAdmin before the ModelAdmin class."""

    #: Lookup from the model to Client ("" for Client itself).
    client_path: str | None = "client"
    #: Or, for data scoped by boutique rather than client.
    boutique_path: str | None = None
    #: Whether an edit gate (restriction of processing) makes the object
    #: read-only; off for the admin that manages the restriction itself.
    blocked_by_edit_gates: bool = True

    def _client_of(self, obj):
        if self.boutique_path or self.client_path is None:
            return None
        target = obj
        for step in filter(None, self.client_path.split("__")):
            target = getattr(target, step, None)
        return target if isinstance(target, Client) else None

    def edit_refused(self, obj) -> str | None:
        if obj is None or not self.blocked_by_edit_gates:
            return None
        client = self._client_of(obj)
        return hooks.edit_refusal(client) if client is not None else None

    def has_change_permission(self, request, obj=None):
        if self.edit_refused(obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if self.edit_refused(obj):
            return False
        return super().has_delete_permission(request, obj)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        user = request.user
        if self.boutique_path:
            if sees_every_boutique(user):
                return queryset
            return queryset.filter(
                **{f"{self.boutique_path}__in": visible_boutiques(user)}
            )
        visible = Client.objects.visible_to(user)
        if not self.client_path:
            return queryset & visible
        return queryset.filter(**{f"{self.client_path}__in": visible})

    def refuse(self, request, object_id):
        """404 for an object out of scope (or absent), logged."""
        hooks.record_access(
            user=request.user,
            action="denied",
            target=self.model,
            object_id=str(object_id)[:64],
            path=request.path,
        )
        raise Http404(f"No {self.opts.verbose_name} with this id in your scope.")

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        # Out of scope and nonexistent look the same: 404, not a redirect.
        self.refuse(request, object_id)

    def in_scope_or_404(self, request, object_id) -> None:
        try:
            found = self.get_queryset(request).filter(pk=object_id).exists()
        except (ValueError, ValidationError):
            found = False
        if not found:
            self.refuse(request, object_id)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # Scope before permissions: an object out of scope is absent (404),
        # whatever the user may or may not do to objects in scope.
        self.in_scope_or_404(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        self.in_scope_or_404(request, object_id)
        return super().delete_view(request, object_id, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        # simple-history falls back to model permissions for objects outside
        # the queryset; only objects in scope have a history page.
        self.in_scope_or_404(request, object_id)
        hooks.record_access(
            user=request.user,
            action="history",
            target=self.model,
            object_id=object_id,
            path=request.path,
        )
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # simple-history's version page reads the historical table directly,
        # and saves whatever is POSTed to it (a revert) whatever the user's
        # permissions: history is for reading only.
        if request.method != "GET":
            raise PermissionDenied(_("History versions are read-only."))
        self.in_scope_or_404(request, object_id)
        hooks.record_access(
            user=request.user,
            action="history",
            target=self.model,
            object_id=object_id,
            path=request.path,
        )
        return super().history_form_view(request, object_id, version_id, extra_context)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Client:
            kwargs["queryset"] = Client.objects.visible_to(request.user)
            if db_field.name in self.raw_id_fields:
                kwargs["widget"] = ScopedClientRawIdWidget(
                    db_field.remote_field, self.admin_site, user=request.user
                )
        elif db_field.related_model is Boutique and not sees_every_boutique(
            request.user
        ):
            kwargs["queryset"] = visible_boutiques(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

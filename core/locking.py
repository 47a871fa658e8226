"""Optimistic locking of admin change forms (docs/decisions/0022).

Two people who open the same record and both save must not silently undo
each other's work. A change form carries a version token: the id of the
record's latest django-simple-history row when the page was served, and
the time it was served, signed for that record. Saving compares it with
the record as it is now, under a row lock taken in the admin's own
transaction (SELECT ... FOR UPDATE in get_object), so the check and the
save cannot interleave with another save of the same row.

The save is refused only when something the form would overwrite was
changed since the page was served: one of the form's own fields (a diff of
the history rows), or a row of one of its inlines (history rows of the
inline models, for this record, written after the page was served). A
change elsewhere (a total recomputed, a status moved by its own button)
cannot be undone by the save, whose instance is read again under the lock,
so it goes through.

A refused form is shown again with the user's input, a message naming
what changed, by whom and when, and a fresh token: saving again after a
review succeeds.

This module imports none of the project's apps (core sits beneath them).
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime

from django import forms
from django.contrib.admin.utils import flatten_fieldsets
from django.core import signing
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import router, transaction
from django.forms.models import _get_foreign_key
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

VERSION_FIELD = "record_version"
REFUSALS = ("bad_version", "changed_since_opened")
# Rows of history read to explain a refusal: a record saved more often
# than this while a form was open is a conflict all the same.
MAX_ROWS_EXPLAINED = 50

BAD_VERSION_MESSAGE = _(
    "This form could not be checked against the saved {name} (its version "
    "mark is missing or altered), so nothing was saved. Your entries are "
    "kept below: compare them with the {name} as saved now, then save again."
)


def _history_of(model):
    manager_name = getattr(model._meta, "simple_history_manager_attribute", None)
    return getattr(model, manager_name, None) if manager_name else None


def has_history(model) -> bool:
    return _history_of(model) is not None


def _salt(instance) -> str:
    return f"ecrin.locking:{instance._meta.label_lower}:{instance.pk}"


def latest_history_id(instance) -> int | None:
    """The id of the record's latest history row (None: it has none)."""
    history = _history_of(type(instance))
    return (
        history.filter(**{instance._meta.pk.attname: instance.pk})
        .order_by("-history_id")
        .values_list("history_id", flat=True)
        .first()
    )


def version_token(instance, *, now: datetime | None = None) -> str:
    """The token of the record as it is now, for a page served now."""
    served = (now or timezone.now()).timestamp()
    return signing.dumps(
        {"h": latest_history_id(instance), "t": served}, salt=_salt(instance)
    )


@dataclass(frozen=True)
class Version:
    history_id: int | None
    served_at: datetime


def read_token(instance, token: str) -> Version | None:
    """The version a token names, or None when it is not one of this
    record's tokens (missing, altered, or another record's)."""
    try:
        data = signing.loads(token or "", salt=_salt(instance))
        history_id = data["h"]
        served_at = datetime.fromtimestamp(float(data["t"]), tz=UTC)
    except (signing.BadSignature, KeyError, TypeError, ValueError, OverflowError):
        return None
    if history_id is not None and not isinstance(history_id, int):
        return None
    return Version(history_id=history_id, served_at=served_at)


@dataclass
class Conflict:
    """What changed in a record since a page was served, and by whom."""

    labels: list[str] = field(default_factory=list)
    authors: list = field(default_factory=list)  # users, None for a job
    last_at: datetime | None = None
    unexplained: bool = False

    def add(self, row, labels) -> None:
        for label in labels:
            if label not in self.labels:
                self.labels.append(label)
        user = getattr(row, "history_user", None)
        if user not in self.authors:
            self.authors.append(user)
        if self.last_at is None or row.history_date > self.last_at:
            self.last_at = row.history_date

    def __bool__(self) -> bool:
        return bool(self.labels) or self.unexplained


@dataclass(frozen=True)
class LockedInline:
    """An inline of the form, as the locking sees it: rows of `model`
    pointing to the record through `fk_attname`, named `label`."""

    model: type
    fk_attname: str
    label: str


def changes_since(instance, version: Version, *, fields: dict, inlines=()) -> Conflict:
    """What of `fields` ({name: label}) and of `inlines` changed in the
    record after `version` was served."""
    conflict = Conflict()
    history = _history_of(type(instance))
    rows = history.filter(**{instance._meta.pk.attname: instance.pk})
    if version.history_id is not None:
        rows = rows.filter(history_id__gte=version.history_id)
    rows = list(
        rows.select_related("history_user").order_by("history_id")[:MAX_ROWS_EXPLAINED]
    )
    base = None
    if rows and rows[0].history_id == version.history_id:
        base = rows.pop(0)
    elif version.history_id is not None or rows:
        # The row the page was served at is gone (history purged): what
        # changed since cannot be told, only that the record moved on.
        conflict.unexplained = bool(rows) or version.history_id is not None
    for row in rows:
        if base is None:
            conflict.add(row, [])
        else:
            # Only the saves that touched the form's fields are named.
            changed = row.diff_against(base, included_fields=list(fields))
            labels = [fields[c.field] for c in changed.changes]
            if labels:
                conflict.add(row, labels)
        base = row
    for inline in inlines:
        history = _history_of(inline.model)
        for row in (
            history.filter(
                **{inline.fk_attname: instance.pk},
                history_date__gt=version.served_at,
            )
            .select_related("history_user")
            .order_by("history_id")[:MAX_ROWS_EXPLAINED]
        ):
            conflict.add(row, [inline.label])
    return conflict


def _human_name(user, viewer) -> str:
    if user is None:
        return str(_("an automatic task"))
    if viewer is not None and user.pk == viewer.pk:
        return str(_("you, in another tab or window"))
    return user.get_full_name() or user.get_username()


def _joined(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return _("%(items)s and %(last)s") % {
        "items": ", ".join(words[:-1]),
        "last": words[-1],
    }


def conflict_message(instance, conflict: Conflict, *, viewer, record_url: str):
    """The refusal, in staff words: who changed what, when, and what next."""
    name = instance._meta.verbose_name
    who = _joined([_human_name(user, viewer) for user in conflict.authors])
    when = (
        date_format(timezone.localtime(conflict.last_at), "DATETIME_FORMAT")
        if conflict.last_at
        else ""
    )
    if who and when:
        opening = _(
            "This %(name)s was changed by %(who)s on %(when)s, after you opened it."
        ) % {"name": name, "who": who, "when": when}
    else:
        opening = _("This %(name)s was changed after you opened it.") % {"name": name}
    if conflict.labels:
        changed = _("Changed: %(labels)s.") % {
            "labels": _joined([str(label) for label in conflict.labels])
        }
    else:
        changed = _("What changed can no longer be told from its history.")
    return format_html(
        _(
            "{} <strong>{}</strong> Nothing of yours is saved yet: your "
            "entries are kept below. "
            'Compare them with the <a href="{}" target="_blank" rel="noopener">'
            "{} as saved now</a> (it opens in a new tab), then save again to "
            "keep yours, or reload this page to start again from the saved "
            "version."
        ),
        opening,
        changed,
        record_url,
        name,
    )


class LockedFormMixin:
    """Declared on the admin's form by OptimisticLockAdminMixin.get_form.

    Class attributes set there: locking_inlines (LockedInline), the
    viewer (the user the form was built for) and the record's URL.
    """

    locking_inlines: tuple = ()
    locking_viewer = None
    locking_record_url = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound and self.instance.pk is not None:
            self.fields[VERSION_FIELD].initial = version_token(self.instance)

    def _locked_fields(self) -> dict:
        """The model fields this form writes, with their labels."""
        tracked = _history_of(type(self.instance)).model.tracked_fields
        model_fields = {f.name for f in tracked}
        return {
            name: str(bound.label or capfirst(name))
            for name, bound in self.fields.items()
            if name in model_fields
        }

    def clean(self):
        cleaned = super().clean()
        instance = self.instance
        if instance.pk is None:
            return cleaned
        _lock(instance)
        version = read_token(instance, self.data.get(self.add_prefix(VERSION_FIELD)))
        name = instance._meta.verbose_name
        if version is None:
            self._refresh_token()
            raise ValidationError(
                BAD_VERSION_MESSAGE.format(name=name), code="bad_version"
            )
        conflict = changes_since(
            instance,
            version,
            fields=self._locked_fields(),
            inlines=self.locking_inlines,
        )
        if conflict:
            self._refresh_token()
            raise ValidationError(
                conflict_message(
                    instance,
                    conflict,
                    viewer=self.locking_viewer,
                    record_url=self.locking_record_url,
                ),
                code="changed_since_opened",
            )
        return cleaned

    def _post_clean(self):
        # A refused form keeps its instance as saved: the page's title and
        # breadcrumbs name the record as it is, not as the user typed it.
        if any(self.has_error(NON_FIELD_ERRORS, code) for code in REFUSALS):
            return
        super()._post_clean()

    def _refresh_token(self) -> None:
        """Carry the record's version as it is now, so that saving again,
        after a review, is accepted."""
        self.data = self.data.copy()
        self.data[self.add_prefix(VERSION_FIELD)] = version_token(self.instance)


def _lock(instance) -> None:
    """Lock the record's row until the admin's transaction ends.

    Outside a transaction (nothing to hold the lock), nothing is locked:
    the admin's change view always runs in one.
    """
    model = type(instance)
    using = router.db_for_write(model)
    if not transaction.get_connection(using).in_atomic_block:
        return
    list(
        model._base_manager.using(using)
        .select_for_update()
        .filter(pk=instance.pk)
        .values_list("pk", flat=True)
    )


def locked_form(base, *, inlines=(), viewer=None, record_url=""):
    """The admin's form class with the version token and its check."""
    return type(
        f"Locked{base.__name__}",
        (LockedFormMixin, base),
        {
            VERSION_FIELD: forms.CharField(
                widget=forms.HiddenInput, required=False, label=_("version")
            ),
            "locking_inlines": tuple(inlines),
            "locking_viewer": viewer,
            "locking_record_url": record_url,
        },
    )


class OptimisticLockAdminMixin:
    """Refuse a change form saved over a newer version of its record.

    Put it first among a ModelAdmin's bases; the model must have
    django-simple-history's history. Only change forms the user may save
    carry the token (add forms and read-only pages do not).
    """

    def _locks(self, request, obj) -> bool:
        return (
            obj is not None
            and obj.pk is not None
            and has_history(type(obj))
            and self.has_change_permission(request, obj)
        )

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if (
            obj is not None
            and request.method == "POST"
            and transaction.get_connection(
                router.db_for_write(self.model)
            ).in_atomic_block
        ):
            # Read the row again under its lock: the save writes every
            # field of this instance, and none may be older than the check.
            _lock(obj)
            obj = super().get_object(request, object_id, from_field)
        return obj

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if not self._locks(request, obj) or not fieldsets:
            return fieldsets
        if VERSION_FIELD in flatten_fieldsets(fieldsets):
            return fieldsets
        (name, options), *rest = fieldsets
        first = (name, {**options, "fields": [*options["fields"], VERSION_FIELD]})
        return [first, *rest]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if self._locks(request, obj):
            kwargs["form"] = locked_form(
                kwargs.get("form", self.form),
                inlines=self._locked_inlines(request, obj),
                viewer=request.user,
                record_url=self._record_url(obj),
            )
        return super().get_form(request, obj, change=change, **kwargs)

    def _locked_inlines(self, request, obj) -> list[LockedInline]:
        found = []
        for inline in self.get_inline_instances(request, obj):
            if not has_history(inline.model):
                continue
            try:
                fk = _get_foreign_key(
                    type(obj), inline.model, fk_name=getattr(inline, "fk_name", None)
                )
            except ValueError:
                continue
            label = inline.verbose_name_plural or inline.model._meta.verbose_name_plural
            found.append(LockedInline(inline.model, fk.attname, capfirst(str(label))))
        return found

    def _record_url(self, obj) -> str:
        opts = obj._meta
        try:
            return reverse(
                f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_change",
                args=[obj.pk],
            )
        except NoReverseMatch:
            return ""


__all__ = [
    "VERSION_FIELD",
    "LockedFormMixin",
    "OptimisticLockAdminMixin",
    "changes_since",
    "conflict_message",
    "read_token",
    "version_token",
]

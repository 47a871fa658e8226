"""The erasure receipt and preview in staff's words.

A job's steps keep their counts as the engine wrote them (model labels,
field names, keys such as `history_purged`): that is the evidence, and
replay reads it. Staff read it through this module: a model's verbose
name, a field's label, "14 entries erased". Nothing here writes.
"""

import re
from dataclasses import dataclass
from datetime import date

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

# Steps that are not a model of the data map.
STEP_TITLES = {
    "holds": _("Legal holds checked"),
    "suppression": _("Suppression list (never contacted again)"),
    "residue": _("Copies elsewhere (task results, import files, outreach lists)"),
    "storage": _("Stored files"),
    "django_admin_log": _("Admin change log"),
    "finish": _("Receipt written"),
}

# "%(n)s ..." (one, many) for each count the engine keeps.
COUNT_PHRASES = {
    "deleted": ngettext_lazy("%(n)s entry erased", "%(n)s entries erased", "n"),
    "updated": ngettext_lazy("%(n)s anonymised", "%(n)s anonymised", "n"),
    "history_purged": ngettext_lazy(
        "%(n)s past version purged", "%(n)s past versions purged", "n"
    ),
    "added": ngettext_lazy(
        "%(n)s contact detail added", "%(n)s contact details added", "n"
    ),
    "already_listed": ngettext_lazy(
        "%(n)s already listed", "%(n)s already listed", "n"
    ),
    "task_results_deleted": ngettext_lazy(
        "%(n)s task result deleted", "%(n)s task results deleted", "n"
    ),
    "import_temp_files_deleted": ngettext_lazy(
        "%(n)s import file deleted", "%(n)s import files deleted", "n"
    ),
    "outreach_lists_withdrawn": ngettext_lazy(
        "%(n)s outreach list withdrawn", "%(n)s outreach lists withdrawn", "n"
    ),
    "cache_keys_cleared": ngettext_lazy(
        "%(n)s cached page cleared", "%(n)s cached pages cleared", "n"
    ),
    "files_deleted": ngettext_lazy("%(n)s file deleted", "%(n)s files deleted", "n"),
    "scrubbed": ngettext_lazy("%(n)s entry scrubbed", "%(n)s entries scrubbed", "n"),
    "holds": ngettext_lazy("%(n)s legal hold found", "%(n)s legal holds found", "n"),
    "rows_touched": ngettext_lazy(
        "%(n)s row or file touched in all", "%(n)s rows and files touched in all", "n"
    ),
}
FLAGS = {
    "nothing_to_do": _("nothing left to erase"),
    "skipped_held": _("kept whole: under a legal hold"),
}
FIELD_LISTS = {
    "fields_erased": _("erased"),
    "fields_anonymised": _("anonymised"),
    "fields_held": _("kept under a legal hold"),
}

_REFERENCE = re.compile(r"^(?P<app>\w+)\.(?P<model>\w+)#(?P<id>.+)$")


@dataclass(frozen=True)
class StepLine:
    title: str
    done_at: object
    facts: list[str]


@dataclass(frozen=True)
class HoldLine:
    what: str
    until: date | None
    keeps: str


def _model(label: str):
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def step_title(name: str) -> str:
    """'clienteling.ContactEvent' -> 'Contact events'."""
    if name in STEP_TITLES:
        return STEP_TITLES[name]
    model = _model(name)
    if model is not None:
        return capfirst(model._meta.verbose_name_plural)
    return capfirst(name.replace("_", " "))


def field_labels(model, names) -> list[str]:
    """Field names as the forms label them ('first_name' -> 'first name')."""
    labels = []
    for name in names:
        try:
            labels.append(str(model._meta.get_field(name).verbose_name))
        except (FieldDoesNotExist, AttributeError):
            labels.append(name.replace("_", " "))
    return labels


def _count(key: str, value: int) -> str:
    phrases = COUNT_PHRASES.get(key)
    if phrases:
        return phrases % {"n": value}
    return f"{key.replace('_', ' ')}: {value}"


def step_facts(name: str, counts: dict) -> list[str]:
    """What one step did, one short sentence per count."""
    model = _model(name)
    facts = []
    for key, value in (counts or {}).items():
        if key in FLAGS:
            if value:
                facts.append(FLAGS[key])
        elif key in FIELD_LISTS:
            labels = field_labels(model, value)
            facts.append(
                _("%(what)s: %(fields)s")
                % {"what": FIELD_LISTS[key], "fields": ", ".join(map(str, labels))}
            )
        elif key == "fields_kept":
            for field_name, why in value.items():
                facts.append(
                    _("kept: %(field)s (%(why)s)")
                    % {"field": field_labels(model, [field_name])[0], "why": why}
                )
        elif isinstance(value, bool):
            if value:
                facts.append(key.replace("_", " "))
        elif isinstance(value, int):
            facts.append(_count(key, value))
        elif isinstance(value, list | tuple):
            facts.append(f"{key.replace('_', ' ')}: {', '.join(map(str, value))}")
        else:
            facts.append(f"{key.replace('_', ' ')}: {value}")
    return facts


def step_lines(steps) -> list[StepLine]:
    return [
        StepLine(step_title(s.name), s.done_at, step_facts(s.name, s.counts))
        for s in steps
    ]


def reference_label(reference: str) -> str:
    """'orders.Invoice#42' -> 'Invoice #42'."""
    found = _REFERENCE.match(reference or "")
    model = found and _model(f"{found['app']}.{found['model']}")
    if not model:
        return reference
    return f"{capfirst(model._meta.verbose_name)} #{found['id']}"


def hold_lines(holds) -> list[HoldLine]:
    """Holds and retained records, as kept on the job (dicts)."""
    lines = []
    for hold in holds or []:
        until = hold.get("until")
        if isinstance(until, str):
            until = date.fromisoformat(until)
        lines.append(
            HoldLine(
                what=reference_label(hold.get("reference", ""))
                or capfirst(hold.get("kind", "")),
                until=until,
                keeps=", ".join(hold.get("categories") or ()),
            )
        )
    return lines

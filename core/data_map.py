"""The data map: every field of every project model, classified.

Each project app declares DATAMAP in its datamap.py (vocabulary in
core.classification); this module collects them. History models
(django-simple-history) follow their base model. The system check in
core.checks refuses an unclassified field, so a new column cannot slip
past the subject-access report or the erasure job.
"""

from functools import cache
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.conf import settings
from django.db import models
from simple_history.models import HistoricalChanges

from core import free_text
from core.classification import Category, ModelMap, Subject


def classified_field_names(model: type[models.Model]) -> list[str]:
    """The fields the map must classify: concrete, many-to-many, the pk."""
    names = []
    for field in model._meta.get_fields():
        if getattr(field, "primary_key", False) or (
            not field.auto_created and (field.concrete or field.many_to_many)
        ):
            names.append(field.name)
    return names


def project_models() -> list[type[models.Model]]:
    """Every model of the project's apps, history models excluded."""
    return [
        model
        for app in settings.PROJECT_APPS
        for model in apps.get_app_config(app).get_models()
        if not issubclass(model, HistoricalChanges)
    ]


def declared() -> dict[str, ModelMap]:
    """DATAMAP of every project app, keyed by model label."""
    maps: dict[str, ModelMap] = {}
    for app in settings.PROJECT_APPS:
        if find_spec(f"{app}.datamap"):
            maps.update(import_module(f"{app}.datamap").DATAMAP)
    return maps


@cache
def datamap() -> dict[type[models.Model], ModelMap]:
    """The map keyed by model class (only models that exist)."""
    maps = declared()
    return {
        model: maps[model._meta.label]
        for model in project_models()
        if model._meta.label in maps
    }


def problems() -> list[tuple[str, str]]:
    """(code, message) for every gap between the models and the map."""
    found = []
    maps = declared()
    labels = {m._meta.label for m in project_models()}
    for model in project_models():
        label = model._meta.label
        if label not in maps:
            found.append(
                ("E001", f"{label} is not in {model._meta.app_label}/datamap.py")
            )
            continue
        fields = classified_field_names(model)
        for name in fields:
            if name not in maps[label].fields:
                found.append(
                    (
                        "E002",
                        f"{label}.{name} is not classified in "
                        f"{model._meta.app_label}/datamap.py",
                    )
                )
        for name in maps[label].fields:
            if name not in fields:
                found.append(
                    ("E003", f"{label}.{name} is classified but does not exist")
                )
    for label in maps:
        if label not in labels:
            found.append(("E004", f"{label} is in a datamap.py but is not a model"))
    return found


def client_models() -> list[tuple[type[models.Model], ModelMap]]:
    """Models holding data about one client, with their lookup to it."""
    return [
        (model, entry)
        for model, entry in datamap().items()
        if entry.subject is Subject.CLIENT and entry.client_path is not None
    ]


def categories_of(model: type[models.Model]) -> set[Category]:
    entry = datamap()[model]
    return {f.category for f in entry.fields.values()} - {Category.NOT_PERSONAL}


def free_text_problems() -> list[tuple[str, str]]:
    """(code, message) for every way a text field could escape the free-text
    rule (core.free_text): a stale `codes` entry, an unbounded free
    TextField, a model with free text that does not apply the rule.
    """
    found = []
    maps = declared()
    for model in project_models():
        label = model._meta.label
        entry = maps.get(label)
        text_names = {f.name for f in free_text.text_fields(model)}
        for name in entry.codes if entry else ():
            if name not in text_names:
                found.append(
                    (
                        "E020",
                        f"{label}.{name} is declared a code but is not a text "
                        "field without choices",
                    )
                )
        fields = free_text.free_text_fields(model)
        for field in fields:
            if isinstance(field, models.TextField) and not field.max_length:
                found.append(
                    ("E021", f"{label}.{field.name} is free text with no max_length")
                )
        if fields and not issubclass(model, free_text.FreeTextModel):
            names = ", ".join(f.name for f in fields)
            found.append(
                (
                    "E022",
                    f"{label} has free text ({names}) but does not inherit "
                    "core.free_text.FreeTextModel",
                )
            )
    return found

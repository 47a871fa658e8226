"""The free-text rule: what any field people type into may not hold.

Which fields are free text is read from the data map (each app's
datamap.py), never listed here: every CharField and TextField of a model is
free text unless it is an enumerated choice, a field whose type checks a
format (email, slug, URL, phone number), or a field the model's ModelMap
declares in `codes` (values Écrin generates or copies verbatim: numbers,
digests, file names, keys). A new text column is therefore free text until
someone says, in the data map, why it is not; core.checks refuses a
stale `codes` entry, an unbounded free TextField, and a model with free
text that does not apply this rule.

A free-text value is refused when it holds a payment card number or a full
IBAN (core.payment_numbers), a NUL character (PostgreSQL cannot
store one), or more characters than the field's max_length (Django checks
it for CharField only; TextFields carry one here too). `FreeTextModel`
applies the rule in full_clean() (admin forms, services, the import
resources) and again in save(), the last line before the database; bulk
writes that skip both (bulk_create, COPY) call `free_text_errors()`
themselves.
"""

from functools import cache
from importlib import import_module
from importlib.util import find_spec

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from core.payment_numbers import payment_number_kind

# Field types that check their own format: free text cannot hide in them.
FORMAT_FIELD_TYPES = (
    models.EmailField,
    models.SlugField,
    models.URLField,
    PhoneNumberField,
)

# Bounds of free TextFields (CharFields have their own max_length).
LONG_TEXT_MAX_LENGTH = 5000  # notes, summaries, descriptions: ~2 pages
SHORT_TEXT_MAX_LENGTH = 1000  # allergy notes, postal addresses


def model_map(model: type[models.Model]):
    """The model's entry in its own app's datamap.py, or None."""
    return _app_datamap(model._meta.app_config.name).get(model._meta.label)


@cache
def _app_datamap(app_module: str) -> dict:
    module = f"{app_module}.datamap"
    if not find_spec(module):
        return {}
    return import_module(module).DATAMAP


def text_fields(model: type[models.Model]) -> list[models.Field]:
    """Concrete CharFields and TextFields that are not enumerated choices."""
    return [
        field
        for field in model._meta.concrete_fields
        if isinstance(field, models.CharField | models.TextField) and not field.choices
    ]


def free_text_fields(model: type[models.Model]) -> list[models.Field]:
    """The model's free-text fields, as the data map classifies them.

    Models outside the data map (Django's and libraries') have none: the
    map is the source, and core.checks refuses a project model left out.
    """
    entry = model_map(model)
    if entry is None:
        return []
    return [
        field
        for field in text_fields(model)
        if not isinstance(field, FORMAT_FIELD_TYPES) and field.name not in entry.codes
    ]


def _label(field: models.Field) -> str:
    name = str(field.verbose_name)
    return name[:1].upper() + name[1:]


def free_text_problems(field: models.Field, value) -> list[ValidationError]:
    """Why the value may not be written to this free-text field, if it may not.

    Messages name the field (they are also shown away from the form, in an
    import's problem list) and never repeat the number found. The field's
    label is translated only for a problem found: most values have none, and
    an import checks every text of every row (decision 0091).
    """
    if not isinstance(value, str) or not value:
        return []
    problems = []
    if "\x00" in value:
        problems.append(
            ValidationError(
                (
                    _(
                        "%(label)s contains a NUL character (an invisible control "
                        "character, often pasted from another "
                        "program), which cannot be "
                        "stored: retype the text."
                    )
                    % {"label": _label(field)}
                ),
                code="nul_character",
            )
        )
    max_length = field.max_length
    if isinstance(field, models.TextField) and max_length and len(value) > max_length:
        problems.append(
            ValidationError(
                (
                    _(
                        "%(label)s is %(count)s characters long; "
                        "at most %(max_length)s "
                        "are accepted."
                    )
                    % {
                        "label": _label(field),
                        "count": format(len(value), ","),
                        "max_length": format(max_length, ","),
                    }
                ),
                code="max_length",
            )
        )
    kind = payment_number_kind(value)
    if kind == "card_number":
        problems.append(
            ValidationError(
                (
                    _(
                        "%(label)s holds what looks like a payment card number. A card "
                        "number must never be written here: remove it (keep only the "
                        "brand and the last four digits, in the payment record)."
                    )
                    % {"label": _label(field)}
                ),
                code="card_number",
            )
        )
    elif kind == "iban":
        problems.append(
            ValidationError(
                (
                    _(
                        "%(label)s holds what looks like a full IBAN. A bank account "
                        "number must never be written here: remove it (keep only the "
                        "masked form, country code and last four, "
                        "in the payment record)."
                    )
                    % {"label": _label(field)}
                ),
                code="iban",
            )
        )
    return problems


def free_text_errors(
    instance: models.Model, *, exclude=None, only=None
) -> dict[str, list[ValidationError]]:
    """The free-text problems of an instance, keyed by field name.

    A problem in a field the caller excludes (a form without that field) is
    reported as a non-field error rather than dropped. `only` limits the
    check to some fields (a save with update_fields).
    """
    errors: dict[str, list[ValidationError]] = {}
    for field in free_text_fields(type(instance)):
        if only is not None and field.name not in only:
            continue
        problems = free_text_problems(field, getattr(instance, field.attname))
        if problems:
            key = NON_FIELD_ERRORS if exclude and field.name in exclude else field.name
            errors.setdefault(key, []).extend(problems)
    return errors


def free_text_refusals(instance: models.Model, *, prefix: str = "") -> list[str]:
    """The free-text problems of an instance as messages (for bulk writes
    and imports that report problems as a list)."""
    errors = free_text_errors(instance)
    if not errors:
        return []
    return [prefix + message for message in ValidationError(errors).messages]


class FreeTextModel(models.Model):
    """A model whose free-text fields follow the free-text rule.

    Every model of the project with a free-text field inherits it (a system
    check refuses one that does not).
    """

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        errors = free_text_errors(
            self, only=set(update_fields) if update_fields is not None else None
        )
        if errors:
            raise ValidationError(errors)
        super().save(*args, **kwargs)

    def clean_fields(self, exclude=None):
        errors = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        for key, problems in free_text_errors(self, exclude=exclude).items():
            errors.setdefault(key, []).extend(problems)
        if errors:
            raise ValidationError(errors)

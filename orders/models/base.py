from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models

from orders.pan import validate_no_payment_numbers

MONEY = {"max_digits": 12, "decimal_places": 2}

# ISO 4217 codes the boutiques sell in.
CURRENCIES = [
    ("EUR", "EUR: euro"),
    ("GBP", "GBP: pound sterling"),
    ("CHF", "CHF: Swiss franc"),
    ("USD", "USD: US dollar"),
    ("JPY", "JPY: yen"),
    ("CNY", "CNY: renminbi"),
    ("HKD", "HKD: Hong Kong dollar"),
    ("SGD", "SGD: Singapore dollar"),
    ("AED", "AED: UAE dirham"),
]


def text_fields(model) -> list[models.Field]:
    """The concrete free-text fields of a model (CharField and subclasses)."""
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField) and not f.choices
    ]


class PanFreeModel(models.Model):
    """A model none of whose text fields may hold a card number or an IBAN.

    Checked on every text field, present and future, rather than with a
    validator per field, so a new column cannot forget it. Runs in
    full_clean() (services and admin forms) and again in save() as the last
    line before the database.
    """

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        errors = self.payment_number_errors()
        if errors:
            raise ValidationError(errors)
        super().save(*args, **kwargs)

    def payment_number_errors(self, exclude=None) -> dict[str, list]:
        errors: dict[str, list] = {}
        for field in text_fields(type(self)):
            try:
                validate_no_payment_numbers(getattr(self, field.attname))
            except ValidationError as exc:
                key = (
                    NON_FIELD_ERRORS
                    if exclude and field.name in exclude
                    else field.name
                )
                errors.setdefault(key, []).extend(exc.error_list)
        return errors

    def clean_fields(self, exclude=None):
        errors = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        for key, messages in self.payment_number_errors(exclude).items():
            errors.setdefault(key, []).extend(messages)
        if errors:
            raise ValidationError(errors)

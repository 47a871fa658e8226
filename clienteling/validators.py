"""Field validators shared by models, forms and imports."""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def validate_not_in_future(value: datetime.date) -> None:
    if value and value > timezone.localdate():
        raise ValidationError(_("This date is in the future."), code="future_date")


def validate_plausible_birth_date(value: datetime.date) -> None:
    validate_not_in_future(value)
    if value and value.year < 1900:
        raise ValidationError(
            _("A date of birth before 1900 is not plausible."), code="implausible_date"
        )

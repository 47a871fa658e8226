"""The language and time zone a member of staff reads the back office in.

The language: the user's own setting (`language`), else the browser's
Accept-Language (Django's LocaleMiddleware, earlier in the chain), else
English. The time zone: the one of the user's first boutique (by name),
else settings.TIME_ZONE. Docs: docs/decisions/0029-languages.md.
"""

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _


def validate_time_zone(value: str) -> None:
    """An IANA time-zone name such as Europe/Paris."""
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("%(value)s is not a time zone: use a name such as Europe/Paris."),
            code="time_zone",
            params={"value": value},
        )


def staff_language(user) -> str:
    """The user's chosen language if it is one the back office speaks."""
    code = getattr(user, "language", "") or ""
    return code if code in dict(settings.LANGUAGES) else ""


def staff_time_zone(user) -> str:
    """The time zone of the user's first boutique, else the house's."""
    boutiques = getattr(user, "boutiques", None)
    if boutiques is not None:
        name = boutiques.order_by("name", "pk").values_list("time_zone", flat=True)
        first = name.first()
        if first and first in zoneinfo.available_timezones():
            return first
    return settings.TIME_ZONE


class StaffLocaleMiddleware:
    """After authentication and OTP: the user's language and time zone.

    LocaleMiddleware (earlier) has chosen from Accept-Language; a signed-in
    user's own setting wins over it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            language = staff_language(user)
            if language:
                translation.activate(language)
                request.LANGUAGE_CODE = translation.get_language()
            timezone.activate(zoneinfo.ZoneInfo(staff_time_zone(user)))
        else:
            timezone.deactivate()
        return self.get_response(request)

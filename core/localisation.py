"""The language and time zone a member of staff reads the back office in.

The language: the user's own setting (`language`), else the browser's
Accept-Language (Django's LocaleMiddleware, earlier in the chain), else
English. The time zone: the one of the user's first boutique (by name),
else settings.TIME_ZONE, looked up at sign-in. Docs: docs/decisions/0029-languages.md.
"""

import functools
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _


@functools.cache
def known_time_zones() -> frozenset[str]:
    """The IANA names this machine knows (read once: it scans the disk)."""
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(value: str) -> None:
    """An IANA time-zone name such as Europe/Paris."""
    if value not in known_time_zones():
        raise ValidationError(
            _("This is not a time zone: use a name such as Europe/Paris."),
            code="time_zone",
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
        if first and first in known_time_zones():
            return first
    return settings.TIME_ZONE


# The time zone is looked up once, at sign-in, and kept in the session: a
# boutique's time zone changed later applies from the next sign-in.
SESSION_TIME_ZONE = "_ecrin_time_zone"


def remember_time_zone(sender, request, user, **kwargs):
    """user_logged_in receiver: the session keeps the user's time zone."""
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_TIME_ZONE] = staff_time_zone(user)


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
            zone = request.session.get(SESSION_TIME_ZONE)
            if zone not in known_time_zones():
                zone = staff_time_zone(user)
                request.session[SESSION_TIME_ZONE] = zone
            timezone.activate(zoneinfo.ZoneInfo(zone))
        else:
            timezone.deactivate()
        return self.get_response(request)

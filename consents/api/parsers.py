"""JSON bodies, read no further than WEBSITE_API_MAX_BODY_BYTES."""

import json

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from consents.api.errors import BodyTooLarge


def too_large():
    return BodyTooLarge(
        _("The body is larger than %(limit)s KB.")
        % {"limit": settings.WEBSITE_API_MAX_BODY_BYTES // 1024}
    )


class CappedJSONParser(JSONParser):
    """A JSON object, at most the size limit; a body sent without a length
    (chunked) is read one byte past the limit and no further."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.WEBSITE_API_MAX_BODY_BYTES
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise too_large()
        try:
            data = json.loads(raw.decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise ParseError(
                _("The body is not valid JSON: %(error)s.") % {"error": exc}
            ) from None
        if not isinstance(data, dict):
            raise ParseError(_("The body must be a JSON object."))
        return data

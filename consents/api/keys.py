"""Website clients and their API keys.

A key is `ecr_<prefix>_<secret>`: the prefix finds the row, the SHA-256 of
the whole key is compared in constant time. The key is random (256 bits),
so a fast digest is enough; it is shown once, when issued, and never
stored. A rotation issues a new key and gives every older current key an
end date (WEBSITE_API_KEY_GRACE_HOURS); after it the old key is refused.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from consents.models import WebsiteApiKey, WebsiteClient
from core.writes import now_or as _now

KEY_PREFIX = "ecr_"


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedKey:
    """A new key: `key` in full is shown once and then forgotten."""

    row: WebsiteApiKey
    key: str


@transaction.atomic
def website_key_issue(
    *,
    acting_user,
    website_client: WebsiteClient,
    now: datetime | None = None,
    key: str | None = None,
) -> IssuedKey:
    """A new current key for the website; older current keys keep working
    until the end of the grace period.

    `key` is for the demo's documented key only: given, it must have the
    shape of a generated key.
    """
    now = _now(now)
    if key is None:
        prefix = secrets.token_hex(4)
        key = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    else:
        prefix = key.removeprefix(KEY_PREFIX).split("_", 1)[0]
    grace_end = now + timedelta(hours=settings.WEBSITE_API_KEY_GRACE_HOURS)
    website_client.keys.filter(valid_until__isnull=True).update(valid_until=grace_end)
    website_client.keys.filter(valid_until__gt=grace_end).update(valid_until=grace_end)
    row = WebsiteApiKey(
        website_client=website_client,
        prefix=prefix,
        digest=_digest(key),
        created_at=now,
        created_by=acting_user,
    )
    row.full_clean()
    row.save()
    return IssuedKey(row=row, key=key)


class KeyRefused(Exception):
    """Why a key was refused: `reason` is a short code for the access log."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason
        self.message = message


def website_key_authenticate(
    *, key: str, now: datetime | None = None
) -> tuple[WebsiteClient, WebsiteApiKey]:
    """The website client a key belongs to, or KeyRefused saying why."""
    now = _now(now)
    if not key:
        raise KeyRefused(
            "no_key", _("No API key: send the header Authorization: Bearer <key>.")
        )
    prefix = key.removeprefix(KEY_PREFIX).split("_", 1)[0]
    row = (
        WebsiteApiKey.objects.select_related("website_client")
        .filter(prefix=prefix)
        .first()
        if key.startswith(KEY_PREFIX)
        else None
    )
    if row is None or not hmac.compare_digest(row.digest, _digest(key)):
        raise KeyRefused("wrong_key", _("This API key is not valid."))
    if row.valid_until is not None and row.valid_until <= now:
        raise KeyRefused(
            "rotated_out",
            _(
                "This API key was replaced by a newer one and no longer works: "
                "use the website's current key."
            ),
        )
    if not row.website_client.is_active:
        raise KeyRefused(
            "inactive", _("This website's access to the API is switched off.")
        )
    return row.website_client, row

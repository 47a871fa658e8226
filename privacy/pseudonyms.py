"""Pseudonyms for sharing: HMAC-SHA256 of a client's internal id.

Dangerous module: the keys here are what keep an exported batch
pseudonymous. A pseudonym is hex(HMAC-SHA256(key, "client:<id>")) under the
recipient's newest key (settings.SHARING_KEYS). The same client gets the
same pseudonym in every batch for one key; another recipient, or another
key, gives an unrelated value, so two recipients cannot join their files.
Without the key the value cannot be turned back into an id. Older keys of
a recipient stay configured during a rotation so that insights and
withdrawal lists keyed under them still resolve.
"""

import hashlib
import hmac
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings

PSEUDONYM_PATTERN = re.compile(r"[0-9a-f]{64}")
GROUP = "group"


class NoSharingKey(Exception):
    """No key is configured for a recipient: nothing may be exported."""


@dataclass(frozen=True)
class SharingKey:
    recipient: str
    key_id: str
    secret: bytes

    def pseudonym(self, client_id: int) -> str:
        return hmac.new(
            self.secret, f"client:{client_id}".encode(), hashlib.sha256
        ).hexdigest()


def keys_for(recipient: str) -> list[SharingKey]:
    """The recipient's keys, newest first; NoSharingKey if there is none."""
    configured = settings.SHARING_KEYS.get(recipient, [])
    if configured:
        return [
            SharingKey(recipient, key_id, secret.encode())
            for key_id, secret in configured
        ]
    if settings.SHARING_DEMO_KEYS:
        derived = hashlib.sha256(
            f"sharing:{recipient}:{settings.SECRET_KEY}".encode()
        ).digest()
        return [SharingKey(recipient, "demo", derived)]
    raise NoSharingKey(
        f"No pseudonymisation key is configured for recipient {recipient!r}: "
        f"add {recipient}:<key id>:<secret> to SHARING_KEYS. Nothing was "
        "exported."
    )


def current_key(recipient: str) -> SharingKey:
    return keys_for(recipient)[0]


def is_pseudonym(value: str) -> bool:
    return bool(PSEUDONYM_PATTERN.fullmatch(value))


def reverse_map(recipient: str, client_ids: Iterable[int]) -> dict[str, int]:
    """pseudonym -> client id, under every key of the recipient.

    Only the given clients are tried (those already shared with the
    recipient): a pseudonym is never reversed by search over all clients.
    """
    keys = keys_for(recipient)
    return {
        key.pseudonym(client_id): client_id for client_id in client_ids for key in keys
    }

"""Import files waiting between the admin's preview and its confirmation.

Dangerous module: it reads and deletes files named in a form field.
django-import-export's own confirm step opens and then deletes whatever
path the browser sends back in `import_file_name`; here the browser only
ever holds an opaque token, and no part of a name it sends reaches the
filesystem:

- an upload is stored under a random name the server draws
  (`<32 hex digits>`) in PRIVATE_STORAGE_ROOT/import-uploads/;
- the browser gets a token signed with SECRET_KEY that names that file
  and the user who uploaded it; the confirm step accepts only a token
  whose signature holds, that is younger than UPLOAD_MAX_AGE, and whose
  user is the one confirming; the file's name is then checked against
  the server's own pattern before it is opened;
- the file is deleted when it is confirmed, when an expired token for it
  comes back, and by `uploads_sweep` (every hour) once it is older than
  UPLOAD_MAX_AGE (previews abandoned without a confirm).
"""

import re
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.writes import now_or as _now

# Long enough to read a preview of a large file and confirm it; short
# enough that an abandoned file naming clients does not linger.
UPLOAD_MAX_AGE = timedelta(hours=2)
# A file larger than this is refused before it is stored: 100,000 clients
# with every column take about 15 MB.
UPLOAD_MAX_BYTES = 50 * 1024 * 1024

_SALT = "clienteling.import-upload"
_FILE_ID = re.compile(r"[0-9a-f]{32}")

REFUSED = _(
    "This import cannot be confirmed: it is not a file you uploaded, or it "
    "has already been imported. Upload the file again."
)
EXPIRED = _(
    "This import was uploaded more than {hours} hours ago and has expired. "
    "Upload the file again."
)


def folder() -> Path:
    """Where pending import files are stored (known to erasure too)."""
    return Path(settings.PRIVATE_STORAGE_ROOT) / "import-uploads"


def upload_store(*, acting_user, data: bytes) -> str:
    """Keep an uploaded file until it is confirmed; return its token."""
    if len(data) > UPLOAD_MAX_BYTES:
        raise ValidationError(
            _(
                "The file is %(size)s MB; the limit is %(limit)s MB. Split it "
                "and import each part."
            )
            % {
                "size": len(data) // (1024 * 1024),
                "limit": UPLOAD_MAX_BYTES // (1024 * 1024),
            }
        )
    file_id = store(data)
    return signing.dumps({"file": file_id, "user": acting_user.pk}, salt=_SALT)


def store(data: bytes) -> str:
    """Keep an uploaded file under a name the server draws; return it.

    The staged imports (clienteling.staged_imports) keep the name on their
    row, never in a form: the browser only ever sees the import's number.
    """
    if len(data) > UPLOAD_MAX_BYTES:
        raise ValidationError(
            _(
                "The file is %(size)s MB; the limit is %(limit)s MB. Split it "
                "and import each part."
            )
            % {
                "size": len(data) // (1024 * 1024),
                "limit": UPLOAD_MAX_BYTES // (1024 * 1024),
            }
        )
    file_id = secrets.token_hex(16)
    target = folder()
    target.mkdir(parents=True, exist_ok=True)
    (target / file_id).write_bytes(data)
    return file_id


def read(file_id: str) -> bytes | None:
    """A stored upload's content, or None once it is gone (swept, erased)."""
    if not _FILE_ID.fullmatch(file_id or ""):
        return None
    path = folder() / file_id
    if path.is_symlink():
        return None
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def path(file_id: str) -> Path | None:
    """A stored upload's path, to read it as a stream; None once it is
    gone (swept, erased)."""
    if not _FILE_ID.fullmatch(file_id or ""):
        return None
    found = folder() / file_id
    if found.is_symlink() or not found.is_file():
        return None
    return found


def remove(file_id: str) -> None:
    """Delete a stored upload (written, abandoned or refused)."""
    if _FILE_ID.fullmatch(file_id or ""):
        (folder() / file_id).unlink(missing_ok=True)


def upload_take(*, acting_user, token: str) -> bytes:
    """The file of one of the user's own pending uploads, deleted as read.

    Raises ValidationError, and touches no file, for anything but a token
    this user was given for a file still pending.
    """
    path = _path_of(acting_user=acting_user, token=token)
    try:
        data = path.read_bytes()
    except FileNotFoundError:  # swept or confirmed in another request
        raise ValidationError(REFUSED) from None
    path.unlink(missing_ok=True)
    return data


def upload_keep(*, acting_user, token: str) -> str:
    """The server's name of one of the user's own pending uploads, left in
    place for the job that reads it (and removes it when done). Raises
    ValidationError as upload_take does."""
    return _path_of(acting_user=acting_user, token=token).name


def token_file(*, acting_user, token: str) -> str:
    """The server's name a token of this user signs, whether or not the
    file is still there ("" for anything else): to find the job a first
    confirmation started."""
    try:
        signed = signing.loads(token or "", salt=_SALT)
    except signing.BadSignature:
        return ""
    if not isinstance(signed, dict) or signed.get("user") != acting_user.pk:
        return ""
    file_id = signed.get("file")
    return file_id if isinstance(file_id, str) and _FILE_ID.fullmatch(file_id) else ""


def _path_of(*, acting_user, token: str) -> Path:
    try:
        signed = signing.loads(
            token or "", salt=_SALT, max_age=UPLOAD_MAX_AGE.total_seconds()
        )
    except signing.SignatureExpired:
        # The signature holds, so the name is the server's own: the
        # abandoned file goes now rather than at the next sweep.
        signed = signing.loads(token, salt=_SALT)
        if signed.get("user") == acting_user.pk:
            _own_path(signed).unlink(missing_ok=True)
        hours = int(UPLOAD_MAX_AGE.total_seconds() // 3600)
        raise ValidationError(EXPIRED.format(hours=hours)) from None
    except signing.BadSignature:
        raise ValidationError(REFUSED) from None
    if not isinstance(signed, dict) or signed.get("user") != acting_user.pk:
        raise ValidationError(REFUSED)
    path = _own_path(signed)
    if not path.is_file():
        raise ValidationError(REFUSED)
    return path


def _own_path(signed: dict) -> Path:
    file_id = signed.get("file")
    if not isinstance(file_id, str) or not _FILE_ID.fullmatch(file_id):
        raise ValidationError(REFUSED)
    return folder() / file_id


def uploads_sweep(*, now: datetime | None = None) -> int:
    """Delete pending import files older than UPLOAD_MAX_AGE; return how
    many. Only names the server draws are touched."""
    oldest = (_now(now) - UPLOAD_MAX_AGE).timestamp()
    removed = 0
    if not folder().is_dir():
        return 0
    for path in folder().iterdir():
        if not _FILE_ID.fullmatch(path.name) or path.is_symlink():
            continue
        try:
            if path.stat().st_mtime < oldest:
                path.unlink()
                removed += 1
        except FileNotFoundError:  # confirmed meanwhile
            continue
    return removed


def uploads_erase(
    *, client_ids: list[int], identifiers: Callable[[], list[str]]
) -> int:
    """Delete pending import files holding any of the clients' identifiers.

    Registered in clienteling/datamap.py FILE_LOCATIONS. The files carry
    no client ids (they are what was uploaded), so they are matched on
    names, emails and phones; the identifiers are computed only when there
    is a file to read.
    """
    if not folder().is_dir():
        return 0
    pending = [
        path
        for path in folder().iterdir()
        if _FILE_ID.fullmatch(path.name) and not path.is_symlink()
    ]
    if not pending:
        return 0
    needles = [value.lower().encode() for value in identifiers() if value]
    removed = 0
    for path in pending:
        try:
            content = path.read_bytes().lower()
        except FileNotFoundError:  # confirmed or swept meanwhile
            continue
        if any(needle in content for needle in needles):
            path.unlink(missing_ok=True)
            removed += 1
    return removed

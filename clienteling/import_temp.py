"""Import files waiting between an import's preview and its confirmation.

django-import-export's TempFolderStorage (the admin import's default)
writes each uploaded file to the system temp folder under a `tmp...` name
and deletes it on confirmation; a preview never confirmed leaves the file
behind, with the clients' names, emails and phones in it. Erasure deletes
those that name an erased client; registered in clienteling/datamap.py.
"""

import os
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

# A preview is confirmed within minutes; two days covers a weekend, and an
# older file is not one the import screens still use.
IMPORT_TEMP_MAX_AGE = timedelta(days=2)
# Larger files are not imports (the import form refuses them).
IMPORT_TEMP_MAX_BYTES = 50 * 1024 * 1024


def import_temp_dir() -> Path:
    return Path(tempfile.gettempdir())


def _candidates() -> list[Path]:
    """This process's recent import files (never another user's temp files)."""
    oldest = time.time() - IMPORT_TEMP_MAX_AGE.total_seconds()
    found = []
    for path in import_temp_dir().glob("tmp*"):
        try:
            info = path.lstat()
        except OSError:
            continue
        if (
            path.is_file()
            and not path.is_symlink()
            and info.st_uid == os.getuid()
            and info.st_mtime >= oldest
            and info.st_size <= IMPORT_TEMP_MAX_BYTES
        ):
            found.append(path)
    return found


def import_temp_files_erase(
    *, client_ids: list[int], identifiers: Callable[[], list[str]]
) -> int:
    """Delete import temp files holding any of the clients' identifiers.

    The files carry no client ids (they are what was uploaded), so they
    are matched on names, emails and phones; the identifiers are only
    computed when there is a file to read.
    """
    candidates = _candidates()
    if not candidates:
        return 0
    needles = [v.lower().encode() for v in identifiers()]
    if not needles:
        return 0
    removed = 0
    for path in candidates:
        try:
            content = path.read_bytes().lower()
        except OSError:
            continue
        if any(n in content for n in needles):
            path.unlink(missing_ok=True)
            removed += 1
    return removed

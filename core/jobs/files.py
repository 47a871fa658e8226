"""Result files of jobs, in private storage.

A job writes its file under a partial name that carries its lease token
(`.<token>.<name>.partial`) and publishes it by an atomic rename to a name
fixed by the job (`<job id>/<name>`), inside its finishing transaction: a
job delivered twice, or resumed after a dead worker, ends with one file,
and a partial file left by a killed worker is removed by the sweeper.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
from pathlib import Path

from django.conf import settings

PARTIAL = re.compile(r"^\.(?P<token>[0-9a-f-]{36})\..+\.partial$")
SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,100}$")


def root() -> Path:
    return Path(settings.PRIVATE_STORAGE_ROOT) / "jobs"


def job_dir(job_id: int) -> Path:
    return root() / str(int(job_id))


def check_name(name: str) -> str:
    if not SAFE_NAME.match(name) or name.endswith(".partial"):
        raise ValueError(f"Not a safe result file name: {name!r}")
    return name


def partial_path(job_id: int, token, name: str) -> Path:
    folder = job_dir(job_id)
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f".{token}.{check_name(name)}.partial"


def publish(job_id: int, partial: Path, name: str) -> tuple[str, int, str]:
    """Rename a partial file to its final name; (relative path, size, sha256)."""
    final = job_dir(job_id) / check_name(name)
    digest = hashlib.sha256()
    with open(partial, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    os.replace(partial, final)
    return (
        str(final.relative_to(root())),
        final.stat().st_size,
        digest.hexdigest(),
    )


def path_of(relative: str) -> Path:
    """The absolute path of a published result; refuses anything outside."""
    base = root().resolve()
    path = (base / relative).resolve()
    if base not in path.parents:
        raise ValueError("A job's result file must be inside the jobs folder.")
    return path


def remove_partials(job_id: int, *, keep_token=None) -> int:
    """Delete a job's partial files, except those of the live lease."""
    folder = job_dir(job_id)
    if not folder.is_dir():
        return 0
    removed = 0
    for entry in folder.iterdir():
        match = PARTIAL.match(entry.name)
        if match and match["token"] != (str(keep_token) if keep_token else None):
            entry.unlink(missing_ok=True)
            removed += 1
    return removed


def remove_result(relative: str) -> bool:
    if not relative:
        return False
    path = path_of(relative)
    existed = path.exists()
    path.unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        path.parent.rmdir()
    return existed


def job_folders() -> list[int]:
    """Ids of the jobs that have a folder on disk."""
    if not root().is_dir():
        return []
    return [int(p.name) for p in root().iterdir() if p.is_dir() and p.name.isdigit()]

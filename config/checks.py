"""Serving checks: nothing private may be reachable as a static file.

whitenoise serves every file under STATIC_ROOT (and, with
STATIC_MANIFEST off, under the STATICFILES_DIRS) to anyone, without a
login. Uploaded scans, import files, reports, sharing batches and the
erasure replay log must never be there, and neither may the project
itself (its .env holds the keys). docs/decisions/0031.
"""

from pathlib import Path

from django.conf import settings
from django.core import checks


def _inside(path: Path, root: Path) -> bool:
    path, root = path.resolve(), root.resolve()
    return path == root or root in path.parents


def _private_paths() -> dict[str, Path]:
    paths = {"PRIVATE_STORAGE_ROOT": Path(settings.PRIVATE_STORAGE_ROOT)}
    if settings.SHARING_EXPORT_ROOT:
        paths["SHARING_EXPORT_ROOT"] = Path(settings.SHARING_EXPORT_ROOT)
    paths["ERASURE_REPLAY_LOG"] = Path(settings.ERASURE_REPLAY_LOG).parent
    paths["the project folder (.env, keys)"] = Path(settings.BASE_DIR)
    return paths


@checks.register(checks.Tags.security)
def private_files_are_not_static(app_configs=None, **kwargs):
    public = {"STATIC_ROOT": Path(settings.STATIC_ROOT)}
    for number, entry in enumerate(settings.STATICFILES_DIRS, start=1):
        folder = entry[1] if isinstance(entry, tuple) else entry
        public[f"STATICFILES_DIRS #{number}"] = Path(folder)
    errors = []
    for public_name, public_root in public.items():
        for private_name, private in _private_paths().items():
            if _inside(private, public_root):
                errors.append(
                    checks.Error(
                        f"{private_name} ({private}) is inside {public_name} "
                        f"({public_root}): its files would be served to anyone "
                        "as static files.",
                        hint="Point STATIC_ROOT and the private folders at "
                        "separate places (README, Configuration).",
                        id="ecrin.E031",
                    )
                )
    return errors

"""The web start-up path: `python -m config.serve`.

What `make serve`, the Procfile and compose.yaml's web service run: check
the configuration, collect the static files (hashed and compressed, when
STATIC_MANIFEST is on), say what is off for a plain-HTTP run, then replace
this process with gunicorn (config/gunicorn.conf.py). It never migrates:
web processes connect as the app role, which cannot (docs/decisions/0011);
`/health/ready` stays failing until `migrate` has run.
"""

import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _say(line: str) -> None:
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


def notices(settings) -> list[str]:
    """What an operator must know about this configuration at start-up."""
    lines = []
    off = []
    if not settings.SESSION_COOKIE_SECURE:
        off.append("secure cookies (SECURE_COOKIES)")
    if not getattr(settings, "SECURE_SSL_REDIRECT", False):
        off.append("the HTTPS redirect (SECURE_SSL_REDIRECT)")
    if not getattr(settings, "SECURE_HSTS_SECONDS", 0):
        off.append("HSTS (SECURE_HSTS_SECONDS)")
    if off:
        lines.append(
            "Plain HTTP: "
            + ", ".join(off)
            + " OFF. Fine on localhost; never behind a public address."
        )
    if settings.EMAIL_BACKEND.endswith("console.EmailBackend"):
        lines.append(
            "Mail (password-reset links) is printed to this terminal: set "
            "EMAIL_URL to send it through an SMTP server."
        )
    if not settings.STATIC_MANIFEST:
        lines.append(
            "STATIC_MANIFEST is off: static files are served from the source "
            "folders, unhashed and uncached."
        )
    if not settings.CELERY_BROKER_URL:
        lines.append(
            "No CELERY_BROKER_URL: tasks run inside the web process (demo only)."
        )
    return lines


def main() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django
    from django.conf import settings
    from django.core.management import call_command

    django.setup()
    call_command("check")
    # Private files live outside any web root; uploads need the folder.
    Path(settings.PRIVATE_STORAGE_ROOT).mkdir(mode=0o700, parents=True, exist_ok=True)
    if settings.STATIC_MANIFEST:
        call_command("collectstatic", interactive=False, verbosity=0)
    bind = os.environ.get("WEB_BIND", "127.0.0.1:8000")
    _say(
        f"Écrin ({settings.ENVIRONMENT}) on http://{bind}/admin/ with gunicorn: "
        f"{settings.WEB_WORKERS} process(es) x {settings.WEB_THREADS} thread(s), "
        f"{settings.LOG_FORMAT} logs."
    )
    for line in notices(settings):
        _say(line)
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent))
    gunicorn = gunicorn or shutil.which("gunicorn")
    if gunicorn is None:
        sys.exit("gunicorn is not installed: pip install -e . installs it.")
    config = str(ROOT / "config" / "gunicorn.conf.py")
    os.chdir(ROOT)
    os.execv(gunicorn, [gunicorn, "-c", config])  # noqa: S606 - fixed arguments


if __name__ == "__main__":
    main()

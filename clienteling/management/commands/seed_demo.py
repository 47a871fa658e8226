"""Load fictional demo data; idempotent (a second run changes nothing new).

Each app may have a `demo.py` with `seed(*, stdout)`; they run in the order
of INSTALLED_APPS, so clienteling's boutiques exist before orders need them.
"""

from importlib import import_module
from importlib.util import find_spec
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from clienteling.demo import logins


class Command(BaseCommand):
    help = "Load fictional demo data (boutiques, one user per role, clients...)."

    def handle(self, *args, **options):
        if settings.ENVIRONMENT not in ("demo", "test"):
            raise CommandError(
                f"seed_demo refuses to run with ECRIN_ENVIRONMENT="
                f"{settings.ENVIRONMENT}: demo users have published passwords."
            )
        for app_config in apps.get_app_configs():
            # Only the project's own apps, never a third-party "demo" module.
            if not Path(app_config.path).is_relative_to(settings.BASE_DIR):
                continue
            module_name = f"{app_config.name}.demo"
            if not find_spec(module_name):
                continue
            import_module(module_name).seed(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data ready. Demo logins:"))
        for role, username, password in logins():
            self.stdout.write(f"  {role:<24} {username:<16} {password}")

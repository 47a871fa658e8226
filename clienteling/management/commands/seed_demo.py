"""Load fictional demo data; idempotent (a second run changes nothing new).

Each project app may have a `demo.py` with `seed(*, stdout)`; they run in
the order of PROJECT_APPS, so clienteling's clients exist before orders
need them. `--counts` then prints how many rows of each model of the
project the database holds (a developer's view of what the demo shows).
"""

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from clienteling.demo import demo_totp_secret, logins


class Command(BaseCommand):
    help = "Load fictional demo data (boutiques, one user per role, clients...)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--counts",
            action="store_true",
            help="Afterwards, print the number of rows of each model.",
        )

    def handle(self, *args, **options):
        if settings.ENVIRONMENT not in ("demo", "test"):
            raise CommandError(
                f"seed_demo refuses to run with ECRIN_ENVIRONMENT="
                f"{settings.ENVIRONMENT}: demo users have published passwords."
            )
        for app in settings.PROJECT_APPS:
            if find_spec(f"{app}.demo"):
                import_module(f"{app}.demo").seed(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data ready. Demo logins:"))
        for role, username, password in logins():
            self.stdout.write(
                f"  {role:<24} {username:<16} {password:<22} "
                f"TOTP key {demo_totp_secret(username)}"
            )
        self.stdout.write(
            "Sign-in asks for a second factor: add the TOTP key to an "
            "authenticator app, or run `manage.py demo_totp USERNAME` for the "
            "current code."
        )
        if options["counts"]:
            self.stdout.write("Rows per model:")
            for label, count in model_counts().items():
                self.stdout.write(f"  {label:<40} {count:>6}")


def model_counts() -> dict[str, int]:
    """{app_label.Model: rows} for every model of the project's apps,
    history tables left out."""
    return {
        model._meta.label: model._default_manager.count()
        for app in settings.PROJECT_APPS
        for model in apps.get_app_config(app).get_models()
        if not model._meta.model_name.startswith("historical")
    }

"""Print the roles' permission matrix (docs/permissions.md is its output).

`manage.py permission_matrix > docs/permissions.md` regenerates the page;
a test fails when the page and the code disagree.
"""

from django.apps import apps
from django.contrib.auth.models import Permission
from django.core.management.base import BaseCommand

from core.roles import role_permissions

ROLE_ORDER = [
    "Boutique adviser",
    "Boutique manager",
    "Customer-service agent",
    "Compliance officer",
]
SHORT = {"view": "V", "add": "A", "change": "C", "delete": "D"}


def render() -> str:
    matrix = role_permissions()
    lines = [
        "# Permission matrix",
        "",
        "Generated from the code (`core/roles.py` and each app's",
        "`roles.py`) by `manage.py permission_matrix`; a test fails when this",
        "page and the code disagree. V view, A add, C change, D delete.",
        "",
        "Scoping is not a permission: advisers and managers see only the",
        "clients of the boutiques they work in (`clienteling.scoping`), on",
        "every path; `view_all_clients` lifts that for customer service and",
        "compliance.",
        "",
        "| model | " + " | ".join(ROLE_ORDER) + " |",
        "|---|" + "---|" * len(ROLE_ORDER),
    ]
    other_rows = []
    for app in ("core", "clienteling", "consents", "orders", "privacy"):
        if app not in {c.label for c in apps.get_app_configs()}:
            continue
        for model in apps.get_app_config(app).get_models():
            if model._meta.label_lower.split(".")[1].startswith("historical"):
                continue
            name = model._meta.model_name
            cells = []
            for role in ROLE_ORDER:
                held = matrix[role]
                cells.append(
                    "".join(
                        letter
                        for action, letter in SHORT.items()
                        if f"{app}.{action}_{name}" in held
                    )
                    or "·"
                )
            if any(c != "·" for c in cells):
                lines.append(f"| {app}.{name} | " + " | ".join(cells) + " |")
    special = sorted(
        {
            p
            for held in matrix.values()
            for p in held
            if p.split(".")[1].split("_")[0] not in SHORT
        }
    )
    if special:
        lines += [
            "",
            "## Other permissions",
            "",
            "| permission | " + " | ".join(ROLE_ORDER) + " |",
            "|---|" + "---|" * len(ROLE_ORDER),
        ]
        names = {
            f"{p.content_type.app_label}.{p.codename}": p.name
            for p in Permission.objects.select_related("content_type")
        }
        for perm in special:
            marks = ["✓" if perm in matrix[r] else "·" for r in ROLE_ORDER]
            other_rows.append(
                f"| `{perm}` ({names.get(perm, '')}) | " + " | ".join(marks) + " |"
            )
    return "\n".join(lines + other_rows) + "\n"


class Command(BaseCommand):
    help = "Print the roles' permission matrix as Markdown."

    def handle(self, *args, **options):
        self.stdout.write(render(), ending="")

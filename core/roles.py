"""Staff roles, kept in code and synchronised into Django groups.

A role is a Django group whose permissions are exactly the ones listed in
code: each project app's own `roles.py` (a ROLE_PERMISSIONS dict keyed by
the role names here; this module's own is the kernel's share). Data
migrations call sync_roles() so a fresh database has the roles; an app that
adds models lists their permissions and adds a migration that calls
sync_roles_migration again. Permissions are "app_label.codename" strings,
and the apps' modules are found by name, so this module imports none of
the apps.
"""

from collections.abc import Iterable
from importlib import import_module
from importlib.util import find_spec

ADVISER = "Boutique adviser"
MANAGER = "Boutique manager"
CUSTOMER_SERVICE = "Customer-service agent"
COMPLIANCE = "Compliance officer"


def perms(app_label: str, actions: str, *models: str) -> frozenset[str]:
    """perms("clienteling", "view add", "client") -> {"clienteling.view_client", ...}"""
    return frozenset(
        f"{app_label}.{action}_{model}"
        for action in actions.split()
        for model in models
    )


ROLES = (ADVISER, MANAGER, CUSTOMER_SERVICE, COMPLIANCE)


# The kernel's share. Everyone sees the jobs they started; compliance sees
# everyone's (they answer for reports, erasures, retention and exports) and
# reads the access log.
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    ADVISER: frozenset({"core.view_job"}),
    MANAGER: frozenset({"core.view_job"}),
    CUSTOMER_SERVICE: frozenset({"core.view_job"}),
    COMPLIANCE: frozenset({"core.view_job", "core.view_all_jobs"})
    | perms("core", "view", "accesslogentry")
    | {"core.view_access_log"},
}


def role_permissions() -> dict[str, frozenset[str]]:
    """Every role's permissions, gathered from each project app's roles.py."""
    from django.conf import settings

    combined = {role: set() for role in ROLES}
    for app in settings.PROJECT_APPS:
        if not find_spec(f"{app}.roles"):
            continue
        for role, codes in import_module(f"{app}.roles").ROLE_PERMISSIONS.items():
            if role not in combined:
                raise ValueError(f"{app}.roles names an unknown role {role!r}")
            combined[role] |= set(codes)
    return {role: frozenset(codes) for role, codes in combined.items()}


def _split(permission: str) -> tuple[str, str]:
    app_label, codename = permission.split(".", 1)
    return app_label, codename


def missing_permissions(apps=None) -> set[str]:
    """Permissions named by a role that the database does not hold."""
    if apps is None:
        from django.apps import apps
    Permission = apps.get_model("auth", "Permission")
    wanted = set().union(*role_permissions().values())
    existing = {
        f"{app_label}.{codename}"
        for app_label, codename in Permission.objects.values_list(
            "content_type__app_label", "codename"
        )
    }
    return wanted - existing


def sync_roles(apps=None, *, roles: Iterable[str] | None = None) -> None:
    """Create the role groups and set their permissions to the code's list.

    Permissions that do not exist yet (an app not migrated so far) are
    skipped; the migration of that app calls this again.
    """
    if apps is None:
        from django.apps import apps
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    matrix = role_permissions()
    for name in roles or matrix:
        group, _ = Group.objects.get_or_create(name=name)
        wanted = matrix[name]
        query = Permission.objects.none()
        for permission in wanted:
            app_label, codename = _split(permission)
            query = query | Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            )
        group.permissions.set(query)


def sync_roles_migration(apps, schema_editor) -> None:
    """RunPython entry point: permissions first, then the groups."""
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=0, apps=global_apps)
    sync_roles(apps)

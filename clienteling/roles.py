"""Staff roles, kept in code and synchronised into Django groups.

A role is a Django group whose permissions are exactly the ones listed
here. Data migrations call sync_roles() so a fresh database has the roles;
each issue that adds models adds their permissions below and a migration
that calls sync_roles() again. Permissions are named "app_label.codename"
strings so this module imports none of the apps above clienteling.
"""

from collections.abc import Iterable

ADVISER = "Boutique adviser"
MANAGER = "Boutique manager"
CUSTOMER_SERVICE = "Customer-service agent"
COMPLIANCE = "Compliance officer"

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    ADVISER: frozenset({"clienteling.view_boutique"}),
    MANAGER: frozenset({"clienteling.view_boutique", "clienteling.view_user"}),
    CUSTOMER_SERVICE: frozenset({"clienteling.view_boutique"}),
    COMPLIANCE: frozenset({"clienteling.view_boutique", "clienteling.view_user"}),
}


def _split(permission: str) -> tuple[str, str]:
    app_label, codename = permission.split(".", 1)
    return app_label, codename


def missing_permissions(apps=None) -> set[str]:
    """Permissions named by a role that the database does not hold."""
    if apps is None:
        from django.apps import apps
    Permission = apps.get_model("auth", "Permission")
    wanted = set().union(*ROLE_PERMISSIONS.values())
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
    for name in roles or ROLE_PERMISSIONS:
        group, _ = Group.objects.get_or_create(name=name)
        wanted = ROLE_PERMISSIONS[name]
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

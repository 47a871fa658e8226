import pytest
from django.contrib.auth.models import Group, Permission

from core import roles

pytestmark = pytest.mark.django_db


def test_migrations_create_every_role_with_exactly_its_permissions():
    for name, wanted in roles.role_permissions().items():
        group = Group.objects.get(name=name)
        held = {
            f"{p.content_type.app_label}.{p.codename}"
            for p in group.permissions.select_related("content_type")
        }
        assert held == set(wanted), name


def test_every_permission_a_role_names_exists():
    assert roles.missing_permissions() == set()


def test_sync_roles_removes_a_permission_granted_by_hand():
    # given a permission added to the adviser role outside the code
    adviser = Group.objects.get(name=roles.ADVISER)
    extra = Permission.objects.get(codename="delete_boutique")
    adviser.permissions.add(extra)

    # when
    roles.sync_roles()

    # then
    assert not adviser.permissions.filter(pk=extra.pk).exists()

"""The access log moved from privacy into core in Django's state only
(core 0002_access_log, privacy 0009): the content type is relabelled so
the permissions granted on it follow the model."""

from importlib import import_module
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from core.models import AccessLogEntry

pytestmark = pytest.mark.django_db

move = import_module("core.migrations.0002_access_log")
EDITOR = SimpleNamespace(connection=connection)


def test_the_table_keeps_the_name_it_had_under_privacy():
    assert AccessLogEntry._meta.db_table == "privacy_accesslogentry"
    assert AccessLogEntry._meta.label == "core.AccessLogEntry"


def test_a_database_migrated_before_the_move_keeps_its_grants():
    content_type = ContentType.objects.get(app_label="core", model="accesslogentry")
    permission = Permission.objects.get(
        content_type=content_type, codename="view_access_log"
    )
    group = Group.objects.create(name="Auditors")
    group.permissions.add(permission)
    # As a database migrated before the move holds it.
    ContentType.objects.filter(pk=content_type.pk).update(app_label="privacy")
    ContentType.objects.clear_cache()

    move.relabel_content_type(apps, EDITOR)

    content_type.refresh_from_db()
    assert content_type.app_label == "core"
    assert group.permissions.filter(
        content_type__app_label="core", codename="view_access_log"
    ).exists()


def test_relabelling_leaves_a_fresh_database_as_it_is():
    before = list(
        ContentType.objects.filter(model="accesslogentry").values_list(
            "pk", "app_label"
        )
    )

    move.relabel_content_type(apps, EDITOR)

    assert (
        list(
            ContentType.objects.filter(model="accesslogentry").values_list(
                "pk", "app_label"
            )
        )
        == before
    )
    assert [label for _, label in before] == ["core"]


def test_unapplying_gives_the_content_type_back_to_privacy():
    move.unlabel_content_type(apps, EDITOR)

    assert ContentType.objects.filter(
        app_label="privacy", model="accesslogentry"
    ).exists()
    assert not ContentType.objects.filter(
        app_label="core", model="accesslogentry"
    ).exists()

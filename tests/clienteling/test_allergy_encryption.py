"""Allergy metal and severity are encrypted at rest like the notes
(issue 13, item 18), in the history table too."""

from importlib import import_module

import pytest
from cryptography.fernet import Fernet
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection

from clienteling import services
from clienteling.models import MetalAllergy
from core import hooks
from orders.selectors import allergy_conflicts
from tests.clienteling.factories import ClientFactory
from tests.orders.factories import ProductFactory

pytestmark = pytest.mark.django_db

TABLES = ("clienteling_metalallergy", "clienteling_historicalmetalallergy")


@pytest.fixture(autouse=True)
def _consent_given():
    with hooks.override("allergy_gate", lambda client: None):
        yield


def _stored(table: str) -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT metal, severity FROM {table}")  # noqa: S608 - fixed names
        return cursor.fetchall()


def test_metal_and_severity_are_encrypted_in_the_table_and_its_history():
    allergy = services.allergy_record(
        acting_user=None, client=ClientFactory(), metal="nickel", severity="severe"
    )

    for table in TABLES:
        rows = _stored(table)
        assert rows, table
        for metal, severity in rows:
            assert metal.startswith("fernet:")
            assert "nickel" not in metal
            assert severity.startswith("fernet:")
            assert "severe" not in severity
    again = MetalAllergy.objects.get(pk=allergy.pk)
    assert (again.metal, again.severity) == ("nickel", "severe")
    assert MetalAllergy.history.get().metal == "nickel"


def test_the_order_allergy_warning_still_matches_the_metals():
    client = ClientFactory()
    services.allergy_record(
        acting_user=None, client=client, metal="nickel", severity="moderate"
    )
    services.allergy_record(acting_user=None, client=ClientFactory(), metal="cobalt")
    piece = ProductFactory(metals=["white_gold", "nickel", "cobalt"])

    conflicts = allergy_conflicts(client_id=client.pk, products=[piece])

    assert [(c.metal, c.severity) for c in conflicts] == [("nickel", "moderate")]


def test_the_same_metal_twice_for_a_client_is_refused_and_nothing_is_written():
    client = ClientFactory()
    services.allergy_record(acting_user=None, client=client, metal="nickel")

    with pytest.raises(ValidationError) as refused:
        services.allergy_record(
            acting_user=None, client=client, metal="nickel", severity="severe"
        )

    assert refused.value.message_dict == {
        "metal": ["This allergy is already recorded."]
    }
    assert MetalAllergy.objects.count() == 1
    assert MetalAllergy.history.count() == 1
    # another client, or another metal, is fine
    services.allergy_record(acting_user=None, client=client, metal="cobalt")
    services.allergy_record(acting_user=None, client=ClientFactory(), metal="nickel")
    assert MetalAllergy.objects.count() == 3


def test_an_unknown_metal_or_severity_is_refused():
    with pytest.raises(ValidationError) as refused:
        services.allergy_record(
            acting_user=None, client=ClientFactory(), metal="lead", severity="fatal"
        )

    assert set(refused.value.message_dict) == {"metal", "severity"}
    assert not MetalAllergy.objects.exists()


def test_comparing_an_encrypted_value_in_the_database_is_refused():
    services.allergy_record(acting_user=None, client=ClientFactory(), metal="nickel")

    # a silent empty result would hide the allergy from whoever asked
    with pytest.raises(NotImplementedError, match="compare in Python"):
        list(MetalAllergy.objects.filter(metal="nickel"))
    assert MetalAllergy.objects.filter(notes="").count() == 1


def test_the_migration_encrypts_rows_stored_in_clear():
    allergy = services.allergy_record(
        acting_user=None, client=ClientFactory(), metal="copper", notes="itch"
    )
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(
                f"UPDATE {table} SET metal = 'copper', severity = 'mild', "  # noqa: S608
                "notes = 'itch'"
            )
    assert _stored(TABLES[0]) == [("copper", "mild")]

    migration = import_module(
        "clienteling.migrations.0014_encrypt_allergy_metal_and_severity"
    )
    migration.encrypt_existing(apps, None)

    for table in TABLES:
        for metal, severity in _stored(table):
            assert metal.startswith("fernet:")
            assert severity.startswith("fernet:")
    again = MetalAllergy.objects.get(pk=allergy.pk)
    assert (again.metal, again.severity, again.notes) == ("copper", "mild", "itch")


def test_rotate_field_keys_re_encrypts_metal_and_severity(settings):
    services.allergy_record(
        acting_user=None, client=ClientFactory(), metal="palladium", severity="severe"
    )
    new = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new, *settings.FIELD_ENCRYPTION_KEYS]

    call_command("rotate_field_keys")

    settings.FIELD_ENCRYPTION_KEYS = [new]  # the old key is gone
    assert (MetalAllergy.objects.get().metal, MetalAllergy.objects.get().severity) == (
        "palladium",
        "severe",
    )
    assert MetalAllergy.history.get().severity == "severe"

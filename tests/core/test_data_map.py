import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import models

from clienteling.models import Client
from core import data_map
from core.checks import data_map_is_complete


@pytest.fixture
def client_with_a_new_column():
    """Client gains a field nobody classified, for the length of a test."""
    field = models.CharField(max_length=5, blank=True)
    field.contribute_to_class(Client, "shoe_size")
    yield
    Client._meta.local_fields.remove(field)
    Client._meta._expire_cache()
    delattr(Client, "shoe_size")


def test_the_project_is_fully_classified():
    assert data_map.problems() == []
    assert data_map_is_complete() == []


def test_an_unclassified_field_fails_the_check_naming_model_and_field(
    client_with_a_new_column,
):
    errors = data_map_is_complete()

    assert [(e.id, e.msg) for e in errors] == [
        (
            "privacy.E002",
            "clienteling.Client.shoe_size is not classified in clienteling/datamap.py",
        )
    ]


def test_manage_check_fails_on_an_unclassified_field(client_with_a_new_column):
    with pytest.raises(SystemCheckError, match="shoe_size is not classified"):
        call_command("check")


def test_a_stale_classification_is_reported(monkeypatch):
    from clienteling import datamap as clienteling_map
    from core.classification import NOT_PERSONAL, ModelMap

    entry = clienteling_map.DATAMAP["clienteling.Collection"]
    monkeypatch.setitem(
        clienteling_map.DATAMAP,
        "clienteling.Collection",
        ModelMap(
            entry.subject, entry.client_path, {**entry.fields, "gone": NOT_PERSONAL}
        ),
    )

    assert ("E003", "clienteling.Collection.gone is classified but does not exist") in (
        data_map.problems()
    )


def test_a_model_missing_from_the_map_is_reported(monkeypatch):
    from clienteling import datamap as clienteling_map

    monkeypatch.delitem(clienteling_map.DATAMAP, "clienteling.Collection")

    assert ("E001", "clienteling.Collection is not in clienteling/datamap.py") in (
        data_map.problems()
    )


def test_a_kept_field_must_name_its_obligation():
    from core.classification import Category, Erasure, F

    with pytest.raises(ValueError, match="must name its obligation"):
        F(Category.IDENTITY, Erasure.KEEP)


def test_every_client_model_has_a_path_to_the_client():
    # Each step of the path is a relation, and the last one lands on Client:
    # a path that merely exists (say, to the boutique) would not do.
    for model, entry in data_map.client_models():
        target = model
        for step in filter(None, (entry.client_path or "").split("__")):
            target = target._meta.get_field(step).related_model
            assert target is not None, (model, entry.client_path, step)
        assert target is Client, (model, entry.client_path)

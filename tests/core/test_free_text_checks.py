"""No text field escapes the free-text rule unless the data map says why."""

import dataclasses

import pytest
from django.db import models

from clienteling.models import Client, ContactEvent
from core import data_map, free_text
from core.checks import free_text_is_covered


@pytest.fixture
def client_with_a_new_text_column():
    """Client gains a text column, classified but not declared a code."""
    field = models.CharField("pet's name", max_length=60, blank=True)
    field.contribute_to_class(Client, "pet_name")
    yield field
    Client._meta.local_fields.remove(field)
    Client._meta._expire_cache()
    delattr(Client, "pet_name")


def test_the_project_passes_the_free_text_checks():
    assert data_map.free_text_problems() == []
    assert free_text_is_covered() == []


def test_a_new_text_column_is_free_text_and_refuses_a_card_number(
    client_with_a_new_text_column,
):
    # given a column nobody thought about
    assert client_with_a_new_text_column in free_text.free_text_fields(Client)

    # then the rule applies to it without any change elsewhere
    client = Client(pet_name="4111 1111 1111 1111")
    errors = free_text.free_text_errors(client)
    assert [e.code for e in errors["pet_name"]] == ["card_number"]
    assert "Pet's name holds what looks like" in errors["pet_name"][0].message


def test_a_stale_code_entry_fails_the_check(monkeypatch):
    # given ContactEvent's map declared a code for a field that is not text
    maps = data_map.declared()
    stale = dataclasses.replace(
        maps["clienteling.ContactEvent"], codes={"occurred_at": "a date"}
    )
    monkeypatch.setattr(
        data_map, "declared", lambda: {**maps, "clienteling.ContactEvent": stale}
    )

    problems = free_text_is_covered()

    assert [(e.id, e.msg) for e in problems] == [
        (
            "privacy.E020",
            "clienteling.ContactEvent.occurred_at is declared a code but is not "
            "a text field without choices",
        )
    ]


def test_an_unbounded_free_text_field_fails_the_check(monkeypatch):
    summary = ContactEvent._meta.get_field("summary")
    monkeypatch.setattr(summary, "max_length", None)

    problems = free_text_is_covered()

    assert [(e.id, e.msg) for e in problems] == [
        (
            "privacy.E021",
            "clienteling.ContactEvent.summary is free text with no max_length",
        )
    ]


def test_a_model_with_free_text_outside_the_rule_fails_the_check(monkeypatch):
    # given the rule's base class were not ContactEvent's
    monkeypatch.setattr(free_text, "FreeTextModel", type("Other", (), {}))

    problems = {e.msg for e in free_text_is_covered()}

    assert (
        "clienteling.ContactEvent has free text (subject, summary) but does not "
        "inherit core.free_text.FreeTextModel"
    ) in problems

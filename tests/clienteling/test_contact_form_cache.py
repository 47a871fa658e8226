"""The card's blank contact form is rendered once per process and language
(decision 0117): the same HTML as rendering it each time, never a bound
form's errors."""

import pytest
from django.utils import translation

from clienteling.forms import ContactLogForm
from clienteling.templatetags import client_card


@pytest.fixture(autouse=True)
def _empty_cache(monkeypatch):
    monkeypatch.setattr(client_card, "_blank", {})


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_kept_blank_form_is_the_rendered_one(language):
    with translation.override(language):
        fresh = client_card.render_fields(ContactLogForm())
        first = client_card.contact_form_fields(ContactLogForm())
        second = client_card.contact_form_fields(ContactLogForm())
    assert first == fresh == second
    assert 'name="channel"' in fresh


def test_each_language_has_its_own_blank_form():
    with translation.override("en"):
        english = client_card.contact_form_fields(ContactLogForm())
    with translation.override("fr"):
        french = client_card.contact_form_fields(ContactLogForm())
    assert english != french
    assert len(client_card._blank) == 2


def test_a_bound_form_shows_its_own_errors_and_is_not_kept():
    bound = ContactLogForm(data={"channel": "nonsense", "subject": ""})
    assert not bound.is_valid()
    html = client_card.contact_form_fields(bound)
    assert "errorlist" in html
    assert client_card._blank == {}
    # The blank form after it shows no error.
    assert "errorlist" not in client_card.contact_form_fields(ContactLogForm())

"""The free-text net: generated from the data map, so a new field is covered.

Every free-text field the data map derives (core.free_text) is tried
with every written form of a card number and an IBAN (tests.helpers) on the
write paths: the model's own validation (what services call through
full_clean), its save() (the last line before the database, for writes that
skip full_clean), the admin add form and every admin inline that edits the
model, and the client import for the import's free-text columns. The
service paths people use most are in tests/clienteling/test_free_text.py.
A field counts as refused when its error names the field, says what was
found and does not repeat the number.
"""

import re

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.test import RequestFactory

from clienteling import services
from clienteling.exceptions import ImportRefused
from clienteling.models import Client
from clienteling.resources import ClientResource
from core import data_map, free_text
from tests.clienteling.factories import BoutiqueFactory, UserFactory
from tests.helpers import PAYMENT_NUMBER_VARIANTS

FREE_TEXT_FIELDS = [
    (model, field)
    for model in data_map.project_models()
    for field in free_text.free_text_fields(model)
]
FIELDS = [
    pytest.param(model, field, id=f"{model._meta.label}.{field.name}")
    for model, field in FREE_TEXT_FIELDS
]
WORDS = {"card_number": "payment card number", "iban": "full IBAN"}


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _too_long(field: models.Field, text: str) -> bool:
    """Longer than the column: refused for its length, whatever it holds."""
    return bool(field.max_length) and len(text) > field.max_length


def assert_refused(messages: list[str], field: models.Field, kind: str, text: str):
    """The field's messages say what was found, name it, never echo it."""
    joined = " ".join(str(m) for m in messages)
    label = str(field.verbose_name)
    assert WORDS[kind] in joined, joined
    assert label.lower() in joined.lower(), joined
    assert "must never be written here" in joined
    for message in messages:
        assert _digits(text)[:13] not in _digits(str(message))


@pytest.fixture
def report(pytestconfig):
    """Write a line in the test run's output (the net's case counts)."""
    reporter = pytestconfig.pluginmanager.get_plugin("terminalreporter")
    return lambda line: reporter.write_line(line) if reporter else None


def test_the_data_map_yields_the_free_text_fields_people_write(report):
    labels = {f"{m._meta.label}.{f.name}" for m, f in FREE_TEXT_FIELDS}

    # then the fields of issue 13 are in, the codes and formats are out
    assert {
        "clienteling.ContactEvent.summary",
        "clienteling.ContactEvent.subject",
        "clienteling.FollowUp.note",
        "clienteling.Client.first_name",
        "clienteling.Client.last_name",
        "clienteling.MetalAllergy.notes",
        "clienteling.ClientAddress.line1",
        "privacy.DataSubjectRequest.details",
        "orders.Order.notes",
        "orders.Payment.provider_reference",
        "consents.Restriction.reason",
    } <= labels
    assert not labels & {
        "clienteling.ClientEmail.address",
        "clienteling.ClientPhone.number",
        "clienteling.FollowUp.source_key",
        "consents.PaperFormSubmission.scan_sha256",
        "clienteling.MetalAllergy.metal",
    }
    report(
        f"\nfree-text net: {len(FREE_TEXT_FIELDS)} free-text fields x "
        f"{len(PAYMENT_NUMBER_VARIANTS)} variants = "
        f"{len(FREE_TEXT_FIELDS) * len(PAYMENT_NUMBER_VARIANTS)} cases on each "
        "of the model-validation and save paths"
    )


def _each_variant(check) -> list[str]:
    """Run check(kind, text) on every variant; the ones that escaped."""
    escaped = []
    for variant, (kind, text) in PAYMENT_NUMBER_VARIANTS.items():
        try:
            check(kind, text)
        except (AssertionError, pytest.fail.Exception) as exc:
            escaped.append(f"{variant}: {exc}")
    return escaped


# --- Path 1: the model's validation (full_clean, as services call it) ---------


@pytest.mark.parametrize(("model", "field"), FIELDS)
def test_model_validation_refuses_payment_numbers(model, field):
    others = [f.name for f in model._meta.fields if f.name != field.name]

    def check(kind, text):
        instance = model()
        setattr(instance, field.attname, text)
        with pytest.raises(ValidationError) as refused:
            instance.clean_fields(exclude=others)
        assert_refused(refused.value.message_dict[field.name], field, kind, text)

    escaped = _each_variant(check)
    assert not escaped, "\n".join(escaped)


# --- Path 2: save(), the last line before the database -------------------------


@pytest.mark.parametrize(("model", "field"), FIELDS)
def test_save_refuses_payment_numbers_before_the_database(model, field):
    # Without the django_db mark any query fails the test: save() must
    # refuse before it reaches the database, so nothing can be written.
    def check(kind, text):
        instance = model()
        setattr(instance, field.attname, text)
        with pytest.raises(ValidationError) as refused:
            instance.save()
        if not _too_long(field, text):
            # (A value longer than the column may be refused by the model's
            # own save() first, e.g. a ring size that is no size.)
            messages = refused.value.message_dict[field.name]
            assert_refused(messages, field, kind, text)

    escaped = _each_variant(check)
    assert not escaped, "\n".join(escaped)


# --- Path 3: every admin form and inline that edits a free-text field --------


def _admin_forms(request):
    """(label, model, form class) of every admin add form and inline."""
    for model, model_admin in admin.site._registry.items():
        if model_admin.has_add_permission(request):
            yield (
                type(model_admin).__name__,
                model,
                model_admin.get_form(request, obj=None, change=False),
            )
        for inline in model_admin.get_inline_instances(request, obj=None):
            yield (
                f"{type(model_admin).__name__} > {type(inline).__name__}",
                inline.model,
                inline.get_formset(request, obj=None).form,
            )


@pytest.fixture
def superuser_request():
    request = RequestFactory().get("/admin/")
    request.user = UserFactory(is_superuser=True, is_staff=True)
    return request


@pytest.mark.django_db
def test_every_admin_form_refuses_payment_numbers(superuser_request, report):
    cases, escaped, forms_seen, fields_seen = 0, [], set(), set()
    for label, model, form_class in _admin_forms(superuser_request):
        for field in free_text.free_text_fields(model):
            if field.name not in form_class.base_fields:
                continue
            forms_seen.add(label)
            fields_seen.add(f"{model._meta.label}.{field.name}")
            for variant, (kind, text) in PAYMENT_NUMBER_VARIANTS.items():
                cases += 1
                form = form_class(data={field.name: text})
                form.is_valid()
                messages = form.errors.get(field.name, [])
                try:
                    if _too_long(field, text):
                        assert messages, "not refused"
                    else:
                        assert_refused(messages, field, kind, text)
                except AssertionError as exc:
                    escaped.append(f"{label}: {field.name} / {variant}: {exc}")

    report(
        f"\nadmin path: {cases} (field, variant) cases over {len(fields_seen)} "
        f"fields in {len(forms_seen)} admin forms and inlines"
    )
    assert not escaped, "\n".join(escaped[:20])
    # The forms the issue named are among those tried.
    assert {
        "clienteling.Client.first_name",
        "clienteling.ClientAddress.line1",
        "clienteling.FollowUp.note",
        "clienteling.MetalAllergy.notes",
        "orders.Complaint.description",
        "privacy.DataSubjectRequest.details",
    } <= fields_seen


# --- Path 4: the client import --------------------------------------------------

IMPORT_FREE_TEXT = [
    name
    for name in ClientResource.COLUMNS
    if name in {f.name for f in free_text.free_text_fields(Client)}
]


@pytest.mark.django_db
@pytest.mark.parametrize("column", IMPORT_FREE_TEXT)
def test_the_client_import_refuses_payment_numbers_and_writes_nothing(column):
    boutique = BoutiqueFactory()
    manager = UserFactory(is_superuser=True)
    field = Client._meta.get_field(column)
    escaped = []
    for variant, (kind, text) in PAYMENT_NUMBER_VARIANTS.items():
        row = {"client_number": "", "first_name": "Ada", "last_name": "Martin"}
        row[column] = text
        csv = (
            "client_number,first_name,last_name,home_boutique\n"
            f'"{row["client_number"]}","{row["first_name"]}",'
            f'"{row["last_name"]}",{boutique.code}\n'
        )
        try:
            with pytest.raises(ImportRefused) as refused:
                services.clients_import(acting_user=manager, data=csv)
            problems = refused.value.messages
            assert any(f"column {column}" in p for p in problems), problems
            if not _too_long(field, text):
                assert_refused(
                    [p for p in problems if f"column {column}" in p], field, kind, text
                )
        except (AssertionError, pytest.fail.Exception) as exc:
            escaped.append(f"{column} / {variant}: {exc}")
    assert not escaped, "\n".join(escaped[:20])
    assert not Client.objects.exists()

"""The gaps of issue 21 found in review, each pinned (decision 0037).

Model labels translated (no "Numéro de téléphones"), purpose names in the
reader's language, one English word with two French translations told apart
by a context, import messages translated, and code that decides on an error
code rather than on the English words of a message.
"""

import pytest
from django.apps import apps
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise

from clienteling.models import Appointment, Client, ClientPhone, FollowUp
from clienteling.resources import ClientResource
from consents import registry
from consents.documents import fr
from consents.models import Purpose
from core.confirmation import (
    TYPED_FIELD,
    TYPED_MISMATCH,
    TYPED_MISSING,
    typed_confirmation_problem,
)
from core.jobs.models import Job
from orders.models import Order
from tests.clienteling.factories import BoutiqueFactory, adviser
from tests.consents.factories import ClientFactory, grant

APPS = ("clienteling", "consents", "orders", "privacy", "segments", "core")


def _project_models():
    return [
        model
        for model in apps.get_models()
        if model.__module__.startswith(APPS)
        and not model.__name__.startswith("Historical")
    ]


# --- 1. model and field labels ----------------------------------------------


def test_every_model_and_field_has_a_translatable_label():
    missing = []
    for model in _project_models():
        for option in ("verbose_name", "verbose_name_plural"):
            if option not in model._meta.original_attrs:
                missing.append(f"{model._meta.label}: Meta.{option}")
        for field in model._meta.local_fields + model._meta.local_many_to_many:
            if not field.auto_created and not isinstance(field.verbose_name, Promise):
                missing.append(f"{model._meta.label}.{field.name}")

    assert missing == [], "give each a verbose_name=_(...): " + ", ".join(missing)


def test_french_plurals_are_written_not_guessed():
    with translation.override("fr"):
        assert str(ClientPhone._meta.verbose_name_plural) == "numéros de téléphone"
        assert str(Client._meta.get_field("last_name").verbose_name) == "nom"


# --- 2. purpose names per language --------------------------------------------


@pytest.mark.django_db
def test_a_purpose_reads_in_the_active_language():
    purpose = Purpose.objects.get(code=registry.NEWSLETTERS)

    with translation.override("fr"):
        french = (purpose.display_name, str(purpose), purpose.display_description)
    with translation.override("en"):
        english = purpose.display_name
    with translation.override("de"):  # no German texts: English
        german = purpose.display_name

    assert french == (
        fr.PURPOSES[registry.NEWSLETTERS]["name"],
        fr.PURPOSES[registry.NEWSLETTERS]["name"],
        fr.PURPOSES[registry.NEWSLETTERS]["description"],
    )
    assert english == german == purpose.name != french[0]


@pytest.mark.django_db
def test_a_french_adviser_reads_french_purpose_names_on_the_card(client):
    boutique = BoutiqueFactory()
    someone = ClientFactory(home_boutique=boutique)
    grant(someone, registry.NEWSLETTERS)
    staff = adviser(boutique)
    staff.language = "fr"
    staff.save()
    client.force_login(staff)

    card = client.get(reverse("admin:clienteling_client_card", args=[someone.pk]))
    ledger = client.get(reverse("admin:consents_client", args=[someone.pk]))

    french = fr.PURPOSES[registry.NEWSLETTERS]["name"]
    english = Purpose.objects.get(code=registry.NEWSLETTERS).name
    for page in (card, ledger):
        assert page.status_code == 200
        assert french.replace("’", "&#x27;") in page.text or french in page.text
        assert english not in page.text


# --- 3. one English word, two French ones -------------------------------------


def test_status_words_take_the_gender_of_what_they_describe():
    with translation.override("fr"):
        assert Order.Status.CANCELLED.label == "Annulée"  # une commande
        assert Appointment.Status.CANCELLED.label == "Annulé"  # un rendez-vous
        assert FollowUp.Status.DONE.label == "Faite"  # une relance
        assert Job.Status.DONE.label == "Terminée"  # une tâche
    with translation.override("en"):
        assert Order.Status.CANCELLED.label == Appointment.Status.CANCELLED.label


# --- 4. messages built from pieces --------------------------------------------


def test_import_header_problems_are_translated():
    resource = ClientResource()

    with translation.override("fr"):
        repeated = resource._check_headers(["email", "first_name", "email"])
        unknown = resource._check_headers(["first_name", "shoe_size"])

    assert repeated == [
        "La colonne email apparaît 2\u00a0fois (colonnes 1 et 3)\u00a0; "
        "n'en gardez qu'une."
    ] or repeated[0].startswith("La colonne email apparaît 2 fois (colonnes 1 et 3)")
    assert unknown[0].startswith("Colonne inconnue\u00a0: shoe_size.")


def _typed(text):
    return RequestFactory().post("/", {TYPED_FIELD: text})


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_typed_confirmation_says_why_by_code_in_any_language(language):
    with translation.override(language):
        assert typed_confirmation_problem(_typed(""), expected="ERASE 3")[0] == (
            TYPED_MISSING
        )
        code, message = typed_confirmation_problem(
            _typed("ERASE 4"), expected="ERASE 3"
        )
        assert (code, bool(message)) == (TYPED_MISMATCH, True)
        assert typed_confirmation_problem(_typed("erase  3"), expected="ERASE 3") == (
            "",
            "",
        )


# --- the access report reads stored English values in the client's language --


def test_the_french_report_reads_choices_codes_and_names_in_french():
    from consents.documents.languages import document_language
    from privacy.report_render import _field_value, _Words

    words = _Words(document_language("fr"), "Europe/Paris")
    newsletters = registry.PURPOSES_BY_CODE[registry.NEWSLETTERS]

    with translation.override("fr"):
        status = _field_value(words, "orders.Order", "status", "Delivered")
        services = _field_value(
            words,
            "consents.PaperFormSubmission",
            "requested_services",
            [registry.NEWSLETTERS],
        )
        purpose = _field_value(
            words, "consents.ConsentDecision", "purpose", newsletters.name
        )
        free_text = _field_value(words, "orders.Order", "notes", "Delivered")
        delivered = str(Order.Status.DELIVERED.label)

    assert status == delivered != "Delivered"
    assert services == purpose == fr.PURPOSES[registry.NEWSLETTERS]["name"]
    assert free_text == "Delivered"  # what staff wrote is left as written

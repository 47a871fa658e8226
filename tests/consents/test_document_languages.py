"""Client documents in the client's language (decision 0030): the paper
consent form and the printed privacy notice; the language check that a
new language must pass."""

import re
from string import Formatter

import pytest
from django.urls import reverse

from consents import registry
from consents.documents import texts
from consents.documents.languages import COMPLETE, ENGLISH, document_language
from consents.documents.render import long_date
from core.models import AccessLogEntry
from tests.clienteling.factories import BoutiqueFactory, adviser
from tests.consents.factories import ClientFactory, paper_version

TABLES = (
    "PURPOSES",
    "RECIPIENTS",
    "FIELD_LABELS",
    "FORM_TITLES",
    "LABELS",
    "CATEGORIES",
    "SOURCES",
    "TEXTS",
)


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(text) if name}


# --- The check a new language must pass ------------------------------------------


@pytest.mark.parametrize("code", COMPLETE)
def test_every_document_text_exists_in_each_complete_language(code):
    english, other = texts(ENGLISH), texts(code)
    for table in TABLES:
        source, target = getattr(english, table), getattr(other, table)
        assert set(target) == set(source), f"{code}.{table} keys differ from en"
        for key, value in source.items():
            if isinstance(value, dict):
                assert set(target[key]) == set(value), f"{code}.{table}[{key}]"
                assert all(target[key].values()), f"{code}.{table}[{key}] empty"
            else:
                assert target[key].strip(), f"{code}.{table}[{key}] is empty"
                assert _placeholders(target[key]) == _placeholders(value), (
                    f"{code}.{table}[{key}] placeholders differ from English"
                )


@pytest.mark.parametrize("code", COMPLETE)
def test_every_form_version_has_a_wording_per_purpose_in_each_language(code):
    for spec in registry.FORM_VERSIONS:
        assert set(spec.wording[code]) == set(spec.wording[ENGLISH]), (
            f"{spec.template} v{spec.version} lacks {code} wordings"
        )


@pytest.mark.django_db
@pytest.mark.parametrize("code", COMPLETE)
def test_the_database_holds_every_wording_in_each_language(code):
    from consents.models import FormTemplateVersion

    for version in FormTemplateVersion.objects.select_related("template"):
        english = set(
            version.wordings.filter(language=ENGLISH).values_list(
                "purpose__code", flat=True
            )
        )
        other = set(
            version.wordings.filter(language=code).values_list(
                "purpose__code", flat=True
            )
        )
        assert english, f"{version} has no English wording"
        assert other == english, f"{version} in {code}"


def test_french_texts_follow_french_typography():
    french = texts("fr")
    for key, value in french.TEXTS.items():
        # no plain space before ; : ? ! or inside « »
        assert not re.search(r" [;:?!»]|« ", value), key
    assert "\u00a0:" in french.TEXTS["form_signature"]


# --- Which language, and the fallback ---------------------------------------------


def test_french_and_english_are_complete_and_carry_no_fallback():
    assert document_language("fr").code == "fr"
    assert document_language("en-gb").code == "en"
    assert not document_language("fr").is_fallback


def test_german_falls_back_to_english_and_says_so_in_german_and_english():
    language = document_language("de")

    assert language.code == "en"
    assert [line.language for line in language.fallback] == ["de", "en"]
    assert language.fallback[1].text == (
        "This document is not yet available in German; it is given in English."
    )
    assert "nicht auf Deutsch verfügbar" in language.fallback[0].text


def test_japanese_falls_back_with_english_and_french_sentences():
    language = document_language("ja")

    assert language.code == "en"
    assert [line.language for line in language.fallback] == ["en", "fr"]
    assert "pas encore disponible en japonais" in language.fallback[1].text


def test_arabic_fallback_line_is_right_to_left():
    assert document_language("ar").fallback[0].direction == "rtl"


def test_long_dates_are_local_and_in_the_document_language():
    from datetime import UTC, datetime

    # 00:30 in Paris on 6 December is still 5 December in UTC
    signed = datetime(2026, 12, 5, 23, 30, tzinfo=UTC)

    assert long_date(signed, "fr", "Europe/Paris") == "6 décembre 2026"
    assert long_date(signed, "en", "Europe/Paris") == "6 December 2026"
    assert long_date(signed, "en", "America/New_York") == "5 December 2026"
    assert long_date(datetime(2026, 12, 1, 12, tzinfo=UTC), "fr", "UTC") == (
        "1er décembre 2026"
    )


# --- The paper form and the notice, printed -------------------------------------


@pytest.mark.django_db
def test_paper_form_for_a_french_client_is_french(client):
    boutique = BoutiqueFactory()
    client.force_login(adviser(boutique))
    french = ClientFactory(home_boutique=boutique, preferred_language="fr")
    url = reverse("admin:consents_print_form", args=[paper_version().pk])

    response = client.get(url, {"client": french.pk})

    assert response.status_code == 200
    text = response.content.decode()
    assert '<html lang="fr">' in text
    assert "Formulaire client en boutique · version 1" in text
    assert "Services que vous demandez" in text
    assert "Vos consentements" in text
    assert "Prénom" in text
    assert registry._WORDING["fr"][registry.NEWSLETTERS] in text
    assert "ne sera pas en mesure de répondre à vos demandes" in text
    assert "Signature\u00a0:" in text
    assert "Services you ask for" not in text
    assert "document-fallback" not in text
    # the client's record was opened to find the language: logged
    assert AccessLogEntry.objects.filter(object_id=str(french.pk)).exists()


@pytest.mark.django_db
def test_paper_form_for_an_english_client_is_english(client):
    boutique = BoutiqueFactory()
    client.force_login(adviser(boutique))
    english = ClientFactory(home_boutique=boutique, preferred_language="en")
    url = reverse("admin:consents_print_form", args=[paper_version().pk])

    text = client.get(url, {"client": english.pk}).content.decode()

    assert '<html lang="en">' in text
    assert "Services you ask for" in text
    assert registry._WORDING["en"][registry.NEWSLETTERS] in text
    assert "Vos consentements" not in text
    assert "document-fallback" not in text


@pytest.mark.django_db
def test_paper_form_for_a_german_client_is_english_and_says_so(client):
    boutique = BoutiqueFactory()
    client.force_login(adviser(boutique))
    german = ClientFactory(home_boutique=boutique, preferred_language="de")
    url = reverse("admin:consents_print_form", args=[paper_version().pk])

    text = client.get(url, {"client": german.pk}).content.decode()

    assert '<html lang="en">' in text
    assert "Services you ask for" in text
    assert (
        "This document is not yet available in German; it is given in English." in text
    )
    assert "Dieses Dokument ist noch nicht auf Deutsch verfügbar" in text


@pytest.mark.django_db
def test_staff_may_print_the_form_in_another_language(client):
    boutique = BoutiqueFactory()
    client.force_login(adviser(boutique))
    url = reverse("admin:consents_print_form", args=[paper_version().pk])

    text = client.get(url, {"language": "fr"}).content.decode()

    assert "Vos consentements" in text


@pytest.mark.django_db
def test_printing_for_a_client_out_of_scope_is_404(client):
    client.force_login(adviser(BoutiqueFactory()))
    stranger = ClientFactory(home_boutique=BoutiqueFactory(), preferred_language="fr")
    url = reverse("admin:consents_print_form", args=[paper_version().pk])

    assert client.get(url, {"client": stranger.pk}).status_code == 404
    assert client.get(url, {"client": "abc"}).status_code == 404


@pytest.mark.django_db
def test_french_paper_form_pdf_is_french(client):
    client.force_login(adviser(BoutiqueFactory()))
    url = reverse("admin:consents_print_form_pdf", args=[paper_version().pk])

    response = client.get(url, {"language": "fr"})

    assert response.status_code == 200
    assert 'filename="boutique-paper-v1-fr.pdf"' in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF")


@pytest.mark.django_db
def test_printed_notice_in_french_english_and_german(client):
    client.force_login(adviser(BoutiqueFactory()))
    url = reverse("admin:consents_notice")

    french = client.get(url, {"language": "fr"}).content.decode()
    english = client.get(url, {"language": "en"}).content.decode()
    german = client.get(url, {"language": "de"}).content.decode()

    assert "Finalités, bases légales et durées de conservation" in french
    assert "Lutte contre la fraude et la contrefaçon" in french
    assert "Commission nationale de l’informatique et des libertés" in french
    assert "Why we use your data, on what basis, for how long" in english
    assert "Fighting fraud and counterfeiting" in english
    assert "Why we use your data" in german
    assert "not yet available in German" in german


@pytest.mark.django_db
def test_printed_notice_pdf(client):
    client.force_login(adviser(BoutiqueFactory()))

    response = client.get(reverse("admin:consents_notice_pdf"), {"language": "fr"})

    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert 'filename="privacy-notice-fr.pdf"' in response["Content-Disposition"]


@pytest.mark.django_db
def test_client_consents_page_offers_printing_in_the_client_s_language(client):
    boutique = BoutiqueFactory()
    client.force_login(adviser(boutique))
    french = ClientFactory(home_boutique=boutique, preferred_language="fr")

    response = client.get(reverse("admin:consents_client", args=[french.pk]))

    assert response.status_code == 200
    text = response.content.decode()
    assert 'id="print-in-language"' in text
    assert '<option value="fr" selected>Français</option>' in text
    assert reverse("admin:consents_notice_pdf") in text

"""The access report in the client's language (decision 0030): headings,
explanations and dates for the person; JSON and CSV in stable English."""

import io
import json
import re
import zipfile
from datetime import UTC, datetime

import pytest

from clienteling.models import ContactEvent
from consents import registry
from privacy import reports
from tests.clienteling.factories import ClientFactory
from tests.consents.factories import grant

pytestmark = pytest.mark.django_db

# 00:30 in Paris on 6 December 2026 (still 5 December in UTC)
SIGNED = datetime(2026, 12, 5, 23, 30, tzinfo=UTC)
ISO_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def _client(language: str):
    client = ClientFactory(preferred_language=language, last_name="Exemple")
    grant(client, registry.NEWSLETTERS, now=SIGNED)
    ContactEvent.objects.create(
        client=client,
        channel=ContactEvent.Channel.PHONE,
        direction=ContactEvent.Direction.OUTBOUND,
        subject="Bague",
        occurred_at=SIGNED,
    )
    return client


def _html(client) -> str:
    language, time_zone = reports.document_language_for(client)
    return reports.render_html(
        reports.build_document(client), language=language, time_zone=time_zone
    )


def test_report_of_a_french_client_is_french_with_french_local_dates():
    html = _html(_client("fr"))

    assert '<html lang="fr">' in html
    assert "Vos données personnelles détenues par" in html
    assert "Historique de vos consentements" in html
    assert "L’origine de vos données" in html
    assert ">Accord<" in html
    assert "Lettres d’information, invitations et actualités" in html
    assert "De nous" in html  # the direction of the call
    assert "6 décembre 2026, 00:30" in html
    assert "Your personal data held by" not in html
    assert not ISO_TIMESTAMP.search(html)
    assert "not yet available" not in html


def test_report_of_an_english_client_is_english():
    html = _client("en")
    html = _html(html)

    assert '<html lang="en">' in html
    assert "Your personal data held by" in html
    assert "Consent history" in html
    assert "6 December 2026, 00:30" in html
    assert "Vos données personnelles" not in html
    assert not ISO_TIMESTAMP.search(html)


def test_report_of_a_german_client_is_english_and_says_so():
    html = _html(_client("de"))

    assert '<html lang="en">' in html
    assert "Your personal data held by" in html
    assert (
        "This document is not yet available in German; it is given in English." in html
    )
    assert "nicht auf Deutsch verfügbar" in html


def test_report_dates_follow_the_boutique_time_zone(settings):
    client = _client("en")

    html = reports.render_html(
        reports.build_document(client),
        language=reports.document_language_for(client)[0],
        time_zone="America/New_York",
    )

    assert "5 December 2026, 18:30" in html


def test_json_and_csv_stay_english_identifiers_for_a_french_client():
    from django.utils import translation

    client = _client("fr")
    with translation.override("fr"):  # a French-speaking officer builds it
        document = reports.build_document(client)
    language, time_zone = reports.document_language_for(client)

    content = reports.write_zip(
        document, portability=False, language=language, time_zone=time_zone
    )

    archive = zipfile.ZipFile(io.BytesIO(content))
    data = json.loads(archive.read("report.json"))
    assert data["consent_history"][0]["decision"] == "Granted"
    assert data["consent_history"][0]["decided_at"].startswith("2026-12-05T23:30")
    assert {s["category"] for s in data["categories"]} >= {"identity", "preferences"}
    csv = archive.read("csv/identity.csv").decode()
    assert (
        csv.splitlines()[0].lstrip("\ufeff") == "model,record,field,label,value,source"
    )
    assert "clienteling.Client" in csv
    assert "Vos données personnelles" in archive.read("report.html").decode()
    assert archive.read("report.pdf").startswith(b"%PDF")

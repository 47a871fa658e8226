"""An adviser who reads French: search, client card, log a call (issue 21).

Screenshots of each step go to var/screenshots/ (not committed) for the
note. What this asserts is the French of the project's own catalogues
(templates, core) and of Django's admin; each app's strings follow as its
catalogue is translated (tests/test_translations.py says which are not).
"""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import expect

from clienteling.models import Boutique, Client, ClientPhone, User
from tests.helpers import admin_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


def test_a_french_adviser_searches_opens_a_client_and_logs_a_call(live_server, page):
    call_command("seed_demo")
    paris = Boutique.objects.get(code="PAR-VENDOME")
    target = Client.objects.create(
        first_name="Éléonore", last_name="Exemple", home_boutique=paris
    )
    ClientPhone.objects.create(client=target, number="+33199004242", is_primary=True)
    User.objects.filter(username="adviser").update(language="fr")
    SHOTS.mkdir(parents=True, exist_ok=True)

    # given the demo adviser of Paris, whose language is French, on an
    # English browser
    page.set_extra_http_headers({"Accept-Language": "en-GB,en"})
    admin_login(page, live_server.url, "adviser", "demo-adviser-2026")
    expect(page.locator("#user-tools")).to_contain_text("Mes préférences")
    expect(page.locator("#user-tools")).to_contain_text("Déconnexion")
    page.screenshot(path=SHOTS / "fr-1-home.png", full_page=True)

    # when she searches by phone number
    page.goto(f"{live_server.url}/admin/clienteling/client/")
    page.fill("#searchbar", "01 99 00 42 42")
    page.press("#searchbar", "Enter")
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    expect(page.locator("#changelist-search")).to_contain_text("Rechercher")
    page.screenshot(path=SHOTS / "fr-2-search.png", full_page=True)
    page.locator("#result_list tbody tr a", has_text=target.client_number).click()

    # then the client card speaks French
    expect(page.locator("#timeline")).to_contain_text("Historique des contacts")
    expect(page.locator("#timeline")).to_contain_text(
        "Aucun contact consigné pour l'instant."
    )
    page.screenshot(path=SHOTS / "fr-3-client-card.png", full_page=True)

    # and she logs a call from it
    page.click("#log-contact summary")  # the form sits folded in the timeline
    page.select_option("#timeline select[name=channel]", "phone")
    page.select_option("#timeline select[name=direction]", "outbound")
    page.select_option("#timeline select[name=outcome]", "reached")
    page.fill("#timeline input[name=subject]", "Mise à taille prête")
    page.fill("#timeline textarea[name=summary]", "Appelée : la bague est prête.")
    page.click("#timeline input[type=submit]")
    expect(page.locator("#timeline .ecrin-timeline")).to_contain_text(
        "Mise à taille prête"
    )
    page.screenshot(path=SHOTS / "fr-4-call-logged.png", full_page=True)

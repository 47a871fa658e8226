"""Compliance's breach journey in Chromium (issue 17): record a breach
affecting 40 Paris clients, assess it as notifiable, read the CNIL text and
the letters, and see the 72-hour clock, at tablet and desktop widths.
Screenshots land in ECRIN_SHOTS for a person to look at."""

import os
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from clienteling.models import Client
from privacy.models import Breach, BreachAssessment, BreachClient, BreachLetter
from tests.helpers import admin_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("ECRIN_SHOTS", "/tmp/shots"))  # noqa: S108


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")


def test_compliance_records_assesses_and_notifies_a_breach(live_server, browser):
    call_command("seed_demo")
    paris = list(
        Client.objects.filter(home_boutique__code="PAR-VENDOME")
        .exclude(client_number__startswith="ERASED-")
        .order_by("pk")
        .values_list("client_number", flat=True)[:40]
    )
    assert len(paris) == 40
    page = browser.new_context(viewport={"width": 1024, "height": 1300}).new_page()
    admin_login(page, live_server.url, "compliance", "demo-compliance-2026")

    # record: the facts, and the clients by a query (boutique and numbers)
    page.goto(f"{live_server.url}/admin/privacy/breach/add/")
    aware = timezone.localtime() - timezone.timedelta(hours=20)
    page.fill("#id_title", "Client list emailed to a wrong address")
    page.fill(
        "#id_occurred_at",
        (aware - timezone.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
    )
    page.fill("#id_aware_at", aware.strftime("%Y-%m-%dT%H:%M"))
    page.select_option("#id_nature", "confidentiality")
    page.fill("#id_description", "A list of 40 clients was sent to an outside address.")
    page.check("input[name=data_categories][value=identity]")
    page.check("input[name=data_categories][value=contact]")
    page.check("input[name=people_categories][value=clients]")
    page.fill("#id_approx_people", "40")
    page.fill("#id_approx_records", "40")
    page.fill("#id_consequences", "Phishing, unsolicited contact.")
    page.fill("#id_measures_taken", "Recall requested; recipient asked to delete.")
    page.check("input[name=boutique_codes][value=PAR-VENDOME]")
    page.fill("#id_client_numbers", "\n".join(paris))
    shot(page, "breach-1-record-1024")
    page.click("input[name=_save]")
    page.wait_for_url("**/admin/privacy/breach/")
    breach = Breach.objects.get(title="Client list emailed to a wrong address")
    assert breach.clients_found == 40
    assert BreachClient.objects.filter(breach=breach).count() == 40

    # the breach's page: the clock first, the clients counted
    page.goto(f"{live_server.url}/admin/privacy/breach/{breach.pk}/change/")
    expect(page.locator(".ecrin-breach-clock-sentence")).to_contain_text(
        "hours left to notify the CNIL"
    )
    expect(page.locator(".ecrin-breach-clients")).to_contain_text("40 clients")

    # assess: a high risk, so the CNIL and the people are told
    page.check("input[name=risk][value=high]")
    page.fill("#id_reasoning", "Names and emails of identifiable clients, in clear.")
    page.click("text=Record the assessment")
    expect(page.locator(".messagelist")).to_contain_text("Risk assessment recorded")
    expect(page.locator(".ecrin-breach-decision")).to_contain_text(
        "The CNIL must be notified."
    )
    assert BreachAssessment.objects.get(breach=breach).notify_people

    # the CNIL text (in French) and the letters in each client's language
    cnil = page.locator(".ecrin-breach-cnil pre")
    expect(cnil).to_contain_text("Notification d’une violation")
    expect(cnil).to_contain_text("40 clients identifiés")
    letters = page.locator(".ecrin-breach-letters pre")
    expect(letters.first).to_be_visible()
    text = " ".join(letters.all_inner_texts())
    assert "Dear client," in text or "Chère cliente, cher client," in text
    for width in (768, 1024, 1440):
        page.set_viewport_size({"width": width, "height": 1200})
        page.reload()
        no_sideways_scroll(page)
        shot(page, f"breach-2-page-{width}")

    # the letters: emailed by a job (decision 0097), counted on the page
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#breach-send-letters input[type=submit]")
    expect(page.locator(".messagelist")).to_contain_text("being emailed by a job")
    page.reload()
    expect(page.locator("#breach-letter-outcomes")).to_contain_text(
        "Letters emailed so far"
    )
    assert BreachLetter.objects.filter(breach=breach, outcome="sent").exists()
    for width in (768, 1024, 1440):
        page.set_viewport_size({"width": width, "height": 1200})
        page.reload()
        no_sideways_scroll(page)
        shot(page, f"breach-3-letters-{width}")

    # the register of processing: controller, DPO, processors, transfers
    # (the London boutique under the UK adequacy decision)
    page.goto(f"{live_server.url}/admin/privacy/datasubjectrequest/register/")
    expect(page.locator("#register-contacts")).to_contain_text(
        "Data protection officer"
    )
    transfers = page.locator("#register-transfers")
    expect(transfers).to_contain_text("London")
    expect(transfers).to_contain_text("2021/1772 (United Kingdom)")
    expect(page.locator("#register-recipients")).to_contain_text("DPA-GROUP-2025-01")
    for width in (768, 1024, 1440):
        page.set_viewport_size({"width": width, "height": 1200})
        page.reload()
        shot(page, f"register-{width}")

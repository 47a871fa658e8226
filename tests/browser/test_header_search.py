"""The header search in Chromium: a customer-service agent on the phone
types the last 6 digits of the caller's number and opens their record."""

from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from clienteling.models import ClientPhone
from core.models import AccessLogEntry
from tests.helpers import admin_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots")  # noqa: S108 (where reviewers look for screenshots)


@pytest.mark.parametrize("width", [768, 1440])
def test_service_agent_finds_a_caller_by_the_last_6_digits(live_server, browser, width):
    call_command("seed_demo")
    # The demo's own consultations (privacy.demo) are already in the log.
    seeded = AccessLogEntry.objects.order_by("-pk").values_list("pk", flat=True).first()
    phone = (
        ClientPhone.objects.filter(is_primary=True, client__status="active")
        .exclude(client__client_number__startswith="ERASED-")
        .select_related("client__home_boutique")
        .order_by("client__client_number")
        .first()
    )
    caller = phone.client
    digits = str(phone.number)[-6:]
    page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    # given the demo customer-service agent, on her home page
    admin_login(page, live_server.url, "service", "demo-service-2026")
    box = page.locator("#ecrin-search-q")
    expect(box).to_be_visible()

    # when she types the last 6 digits of the caller's phone in the header
    box.press_sequentially(digits, delay=30)

    # then the caller is offered with their number and home boutique
    offered = page.locator(
        "#ecrin-search-suggestions [role=option]", has_text=caller.client_number
    )
    expect(offered).to_be_visible()
    expect(offered).to_contain_text(caller.full_name)
    expect(offered).to_contain_text(caller.home_boutique.name)
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"header-search-suggestions-{width}.png"))

    # and a tap opens the record, logged as the client opened
    offered.click()
    page.wait_for_url(f"**/admin/clienteling/client/{caller.pk}/")
    expect(page.locator("#content")).to_contain_text(caller.client_number)
    page.screenshot(path=str(SHOTS / f"header-search-opened-{width}.png"))
    logged = AccessLogEntry.objects.filter(
        action="view", object_type="clienteling.client", pk__gt=seeded or 0
    )
    assert list(logged.values_list("object_id", flat=True)) == [str(caller.pk)]
    assert not logged.filter(path__contains=digits).exists()
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_enter_opens_the_client_list_with_the_search(live_server, page):
    call_command("seed_demo")
    admin_login(page, live_server.url, "service", "demo-service-2026")

    page.fill("#ecrin-search-q", "lefevre")
    page.press("#ecrin-search-q", "Enter")

    page.wait_for_url("**/admin/clienteling/client/?q=lefevre")
    rows = page.locator("#result_list tbody tr")
    expect(rows.first).to_contain_text("Lef")

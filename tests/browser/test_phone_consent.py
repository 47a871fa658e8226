"""Customer service records a consent given on the phone, from the client
page, at tablet and desktop widths (decision 0072)."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from clienteling.models import Client
from consents import registry
from consents.models import ConsentDecision
from tests.helpers import admin_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [768, 1280])
def test_service_records_a_phone_consent_from_the_client_page(
    live_server, browser, width
):
    call_command("seed_demo")
    customer = (
        Client.objects.live()
        .filter(emails__isnull=False)
        .exclude(client_number__in=["DEMO-0042", "DEMO-0043"])
        .order_by("pk")
        .first()
    )
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    admin_login(page, live_server.url, "service", "demo-service-2026")
    page.goto(f"{live_server.url}/admin/clienteling/client/{customer.pk}/")

    # the card leads to the screen
    page.click("#conversation-link")
    expect(page.locator("#conversation-wordings")).to_contain_text("newsletter")
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    # no call id: refused, nothing recorded, what was chosen kept
    before = ConsentDecision.objects.filter(client=customer).count()
    page.check("input[name=decision][value=grant]")
    page.check(f"input[name=purposes][value={registry.EVENTS}]")
    page.check("input[name=channel][value=phone]")
    page.click("#conversation-submit")
    expect(page.locator("#conversation-errors")).to_contain_text("call id")
    expect(
        page.locator(f"input[name=purposes][value={registry.EVENTS}]")
    ).to_be_checked()
    assert ConsentDecision.objects.filter(client=customer).count() == before

    # with the call id: recorded, named in the message
    page.fill("#id_reference", "CALL-BROWSER-1")
    page.click("#conversation-submit")
    expect(page.locator(".messagelist")).to_contain_text("CALL-BROWSER-1")
    row = ConsentDecision.objects.filter(client=customer).order_by("-pk").first()
    assert row.conversation.reference == "CALL-BROWSER-1"
    assert row.purpose.code == registry.EVENTS
    context.close()

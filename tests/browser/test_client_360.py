import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from clienteling.models import Boutique, Client, ClientPhone
from tests.helpers import admin_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_adviser_finds_a_client_by_phone_and_logs_a_call(live_server, page):
    call_command("seed_demo")
    paris = Boutique.objects.get(code="PAR-VENDOME")
    target = Client.objects.create(
        first_name="Éléonore", last_name="Exemple", home_boutique=paris
    )
    ClientPhone.objects.create(client=target, number="+33199004242", is_primary=True)

    # given the demo adviser of Paris
    admin_login(page, live_server.url, "adviser", "demo-adviser-2026")

    # when she types the number with spaces in the client search
    page.goto(f"{live_server.url}/admin/clienteling/client/")
    page.fill("#searchbar", "01 99 00 42 42")
    page.press("#searchbar", "Enter")
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    page.locator("#result_list tbody tr a", has_text=target.client_number).click()

    # then the client 360 opens, and a phone contact logged from it
    expect(page.locator("#content h2").first).to_be_visible()
    expect(page.locator("#timeline")).to_contain_text("No contact recorded yet.")
    page.click("#log-contact summary")  # the form sits folded in the timeline
    page.select_option("#timeline select[name=channel]", "phone")
    page.select_option("#timeline select[name=outcome]", "reached")
    expect(page.locator("#timeline [data-im-warning]")).to_be_hidden()
    page.select_option("#timeline select[name=direction]", "outbound")
    page.fill("#timeline input[name=subject]", "Resizing ready for collection")
    page.fill("#timeline textarea[name=summary]", "Called to say the ring is ready.")
    page.click("#timeline input[type=submit]")

    # shows in the timeline
    expect(page.locator(".messagelist")).to_contain_text("Contact logged")
    expect(page.locator("#timeline .ecrin-timeline")).to_contain_text(
        "Resizing ready for collection"
    )
    expect(page.locator("#timeline .ecrin-timeline")).to_contain_text("Phone")

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from clienteling.models import Boutique, Client, MetalAllergy
from tests.helpers import admin_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_customer_service_sees_no_allergy_section(live_server, page):
    call_command("seed_demo")
    target = Client.objects.filter(home_boutique__code="PAR-VENDOME").first()
    MetalAllergy.objects.create(client=target, metal="nickel", notes="Contact rash")

    admin_login(page, live_server.url, "service", "demo-service-2026")
    page.goto(f"{live_server.url}/admin/clienteling/client/{target.pk}/change/")

    expect(page.locator("#content h2").first).to_be_visible()
    expect(page.locator("body")).to_contain_text(target.last_name)
    expect(page.locator("#allergies-group")).to_have_count(0)
    expect(page.locator("body")).not_to_contain_text("Contact rash")
    expect(page.locator("body")).not_to_contain_text("metal allergies")


def test_paris_adviser_cannot_open_a_london_client_by_url(live_server, page):
    call_command("seed_demo")
    london = Client.objects.filter(home_boutique=Boutique.objects.get(code="LON-BOND"))
    target = london.first()

    admin_login(page, live_server.url, "adviser", "demo-adviser-2026")
    response = page.goto(
        f"{live_server.url}/admin/clienteling/client/{target.pk}/change/"
    )

    assert response.status == 404
    expect(page.locator("body")).not_to_contain_text(target.last_name)

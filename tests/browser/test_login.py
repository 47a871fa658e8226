import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.helpers import admin_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_demo_adviser_logs_in_and_sees_the_boutique_list(live_server, page):
    call_command("seed_demo")

    admin_login(page, live_server.url, "adviser", "demo-adviser-2026")
    expect(page.locator("#site-name")).to_contain_text("Maison Écrin")
    expect(page.locator("#home-follow-ups")).to_be_visible()
    page.get_by_role("link", name="All sections").click()
    page.get_by_role("link", name="Boutiques").first.click()

    expect(page.locator("#result_list")).to_contain_text("Paris Vendôme")
    expect(page.locator("#result_list")).to_contain_text("London New Bond Street")

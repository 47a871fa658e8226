"""The DPO's pages in Chromium (issue 17): the demo's register of
processing (controller, DPO, processors, the London boutique's transfer
under UK adequacy) and the accountability file, at tablet and desktop
widths, with no sideways scroll. Screenshots land in ECRIN_SHOTS."""

import os
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.helpers import admin_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("ECRIN_SHOTS", "/tmp/shots"))  # noqa: S108


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")


def test_the_demo_register_and_the_accountability_file(live_server, browser):
    call_command("seed_demo")
    page = browser.new_context(viewport={"width": 1024, "height": 1300}).new_page()
    # one sign-in: a TOTP code is accepted once
    admin_login(page, live_server.url, "compliance", "demo-compliance-2026")
    for width in (1024, 768):
        page.set_viewport_size({"width": width, "height": 1300})

        page.goto(f"{live_server.url}/admin/privacy/datasubjectrequest/register/")
        contacts = page.locator("#register-contacts")
        expect(contacts).to_contain_text("Maison Écrin")
        expect(contacts).to_contain_text("Data protection officer")
        expect(page.locator("#register-recipients")).to_contain_text("Sub-processor")
        london = page.locator("#register-transfers tr", has_text="London")
        expect(london).to_contain_text("United Kingdom")
        expect(london).to_contain_text("2021/1772")
        no_sideways_scroll(page)
        shot(page, f"register-{width}")

        page.goto(f"{live_server.url}/admin/privacy/recipientnotice/accountability/")
        expect(page.locator("h1")).to_have_text("Accountability file")
        expect(page.locator("#table-requests")).to_be_visible()
        expect(page.locator("#table-dpias")).not_to_contain_text("retargeting")
        expect(page.locator("#access-log-form")).to_be_visible()
        no_sideways_scroll(page)
        shot(page, f"accountability-{width}")

        # a reversed period: the error names it, nothing exported
        page.fill("#id_start", "2026-03-10")
        page.fill("#id_end", "2026-03-01")
        page.click("#access-log-form input[type=submit]")
        expect(page.locator("#access-log-errors")).to_contain_text("before it starts")
        no_sideways_scroll(page)
        shot(page, f"accountability-error-{width}")

"""The demo manager's segment pages at tablet and desktop widths: the live
count and the clients left out by reason above the form, the clients, the
campaign's check page; no horizontal scroll."""

import os
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from segments.models import Segment
from tests.helpers import admin_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("ECRIN_SHOTS", "/work/wt/_shots/segments"))


def _no_horizontal_scroll(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def test_manager_reads_a_segment_and_checks_a_campaign(live_server, page):
    call_command("seed_demo")
    segment = Segment.objects.get(name="French speakers of Vendôme")
    base = f"{live_server.url}/admin/segments/segment/{segment.pk}"
    admin_login(page, live_server.url, "manager", "demo-manager-2026")

    for width in (768, 1024, 1440):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{base}/change/")
        expect(page.locator(".segment-figures")).to_contain_text("clients")
        expect(page.locator(".segment-figures")).to_contain_text("Left out")
        assert _no_horizontal_scroll(page)
        page.screenshot(path=SHOTS / f"segment-{width}.png", full_page=True)

        page.goto(f"{base}/clients/")
        expect(page.locator(".segment-clients tbody tr").first).to_be_visible()
        assert _no_horizontal_scroll(page)
        page.screenshot(path=SHOTS / f"segment-clients-{width}.png", full_page=True)

        page.goto(f"{base}/campaign/")
        page.fill("#id_due_date", "2099-01-01")
        page.fill("#id_note", "Invite to the spring preview")
        page.get_by_role("button", name="Check the campaign").click()
        expect(page.locator("#content")).to_contain_text("The due date is more than")
        assert _no_horizontal_scroll(page)
        page.screenshot(path=SHOTS / f"segment-campaign-{width}.png", full_page=True)

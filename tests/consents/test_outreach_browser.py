"""An adviser builds an outreach list and downloads it, in the browser."""

import csv

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from consents import registry
from consents.models import OutreachList
from core.models import AccessLogEntry
from tests.helpers import admin_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_adviser_asks_for_a_list_watches_it_and_downloads_the_csv(
    live_server, page, tmp_path
):
    call_command("seed_demo")
    admin_login(page, live_server.url, "adviser", "demo-adviser-2026")

    # ask for the newsletters by email (no broker here: the task runs in
    # the server's process once the request commits)
    page.goto(f"{live_server.url}/admin/consents/consentdecision/outreach/")
    page.select_option("#id_purpose", registry.NEWSLETTERS)
    page.select_option("#id_channel", "email")
    page.click("#outreach-form input[type=submit]")
    expect(page.locator("ul.messagelist")).to_contain_text("is being built")
    outreach_list = OutreachList.objects.get(requested_by__username="adviser")
    row = page.locator(f"#outreach-list-{outreach_list.pk}")
    expect(row.locator(".outreach-status")).to_have_text("Ready", timeout=60_000)

    # download it
    with page.expect_download() as info:
        row.locator(".outreach-download").click()
    saved = tmp_path / "list.csv"
    info.value.save_as(saved)
    with saved.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    outreach_list.refresh_from_db()
    assert rows[0] == ["client number", "name", "email", "basis"]
    assert outreach_list.eligible_count > 0
    assert len(rows) - 1 == outreach_list.eligible_count
    assert AccessLogEntry.objects.filter(
        user__username="adviser",
        action="export",
        object_type="consents.outreachlist",
        count=outreach_list.eligible_count,
    ).exists()

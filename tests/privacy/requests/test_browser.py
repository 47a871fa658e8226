"""The compliance officer answers an access request, in the browser."""

import zipfile

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from clienteling.models import Client
from core.models import AccessLogEntry
from privacy.models import DataSubjectRequest
from tests.helpers import admin_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_compliance_registers_verifies_builds_and_downloads(
    live_server, page, tmp_path
):
    call_command("seed_demo")
    target = Client.objects.order_by("pk").first()
    admin_login(page, live_server.url, "compliance", "demo-compliance-2026")

    # register the request
    page.goto(f"{live_server.url}/admin/privacy/datasubjectrequest/add/")
    page.fill("#id_client", str(target.pk))
    page.select_option("#id_kind", "access")
    page.select_option("#id_channel", "email")
    page.fill("#id_received_on", timezone.localdate().isoformat())
    page.click("input[name=_save]")
    expect(page.locator("ul.messagelist")).to_contain_text("was added successfully")
    request = DataSubjectRequest.objects.get(client=target)

    # the dashboard lists it
    page.goto(f"{live_server.url}/admin/privacy/datasubjectrequest/dashboard/")
    expect(page.locator(f"tr[data-request='{request.pk}']")).to_be_visible()

    # verify the identity
    page.goto(
        f"{live_server.url}/admin/privacy/datasubjectrequest/{request.pk}/change/"
    )
    page.click("#dsr-verify")
    page.select_option("#id_method", "id_document")
    page.fill("#id_note", "Passport seen at the boutique")
    page.click("#dsr-confirm")
    expect(page.locator("ul.messagelist")).to_contain_text("Verify identity: done")

    # build the report and watch it finish
    page.click("#dsr-report")
    page.click("#dsr-confirm")
    expect(page.locator("#report-status")).to_have_text("Ready", timeout=60_000)

    # download it
    with page.expect_download() as info:
        page.click("#report-download")
    saved = tmp_path / "report.zip"
    info.value.save_as(saved)
    names = zipfile.ZipFile(saved).namelist()
    assert {"report.html", "report.pdf", "report.json"} <= set(names)
    assert AccessLogEntry.objects.filter(
        user__username="compliance",
        action="download",
        object_type="privacy.subjectaccessreport",
    ).exists()
    request.refresh_from_db()
    assert request.identity_verified_by.username == "compliance"

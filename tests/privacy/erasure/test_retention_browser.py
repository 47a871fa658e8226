"""Compliance runs retention through its confirmation page, in the browser.

Tasks run in-process here (tests/conftest.py): the run started by the
confirmation finishes within the request.
"""

from datetime import timedelta
from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from clienteling.models import Boutique, Client
from privacy import retention_preview
from privacy.models import Approval, RetentionRule, RetentionRun
from tests.helpers import admin_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"tablet": (768, 1024), "desktop": (1280, 800)}


def _inactive(first_name: str, last_name: str) -> Client:
    paris = Boutique.objects.get(code="PAR-VENDOME")
    client = Client.objects.create(
        first_name=first_name, last_name=last_name, home_boutique=paris
    )
    long_ago = timezone.now() - timedelta(days=4 * 365)
    Client.objects.filter(pk=client.pk).update(
        created_at=long_ago, last_client_initiated_contact_at=long_ago
    )
    return client


def _rules_seeded() -> None:
    """The rules as their migration seeds them: a transactional test that
    ran before this one flushed every table, migration rows included."""
    if not RetentionRule.objects.exists():
        import_module("privacy.migrations.0005_erasure").seed(django_apps, None)


def test_compliance_reads_who_would_be_erased_then_types_the_count(
    live_server, page, settings, tmp_path
):
    settings.ERASURE_REPLAY_LOG = tmp_path / "replay.jsonl"
    _rules_seeded()
    call_command("seed_demo")
    # The demo's own run request waits for approval: one waits at a time.
    Approval.objects.filter(kind=Approval.Kind.RETENTION_RUN).delete()
    ada, bob = _inactive("Ada", "Ancienne"), _inactive("Bob", "Dormant")
    runs_before = RetentionRun.objects.count()  # the demo's own dry run
    # Four eyes (decision 0059): the second officer asks for the run ...
    admin_login(page, live_server.url, "compliance.second", "demo-compliance-2026")

    page.goto(f"{live_server.url}/admin/privacy/retentionrun/")
    page.click("text=Run retention now")
    page.wait_for_url("**/retentionrun/run/")

    due = page.locator(".retention-due-clients")
    for width, height in WIDTHS.values():
        page.set_viewport_size({"width": width, "height": height})
        for person in (ada, bob):
            expect(due).to_contain_text(f"{person.first_name} {person.last_name}")
            expect(due).to_contain_text(person.client_number)
        expect(page.locator(".ecrin-confirm-lead")).to_be_in_viewport()
        assert page.evaluate(
            "document.documentElement.scrollWidth <= window.innerWidth"
        ), width
    phrase = page.locator(".ecrin-confirm-phrase").inner_text()
    assert phrase == retention_preview.retention_preview().phrase

    ask = "input[value='Ask a second officer to approve this run']"
    page.fill("#id_typed_confirmation", "ERASE 1 CLIENT")
    page.click(ask)
    expect(page.locator(".ecrin-error-summary")).to_contain_text("Nothing was changed.")
    assert not Approval.objects.filter(kind=Approval.Kind.RETENTION_RUN).exists()

    page.fill("#id_typed_confirmation", phrase)
    page.click(ask)
    asked = Approval.objects.get(kind=Approval.Kind.RETENTION_RUN)
    page.wait_for_url(f"**/admin/privacy/approval/{asked.pk}/change/")
    # ... and nothing runs until another officer approves
    assert RetentionRun.objects.count() == runs_before
    approve = "input[value='Approve and carry out']"
    page.goto(f"{live_server.url}/admin/privacy/approval/{asked.pk}/approve/")
    expect(page.locator(approve)).to_have_count(0)

    # the first officer reads who would be erased and types the count
    page.context.clear_cookies()
    admin_login(page, live_server.url, "compliance", "demo-compliance-2026")
    page.goto(f"{live_server.url}/admin/privacy/approval/{asked.pk}/approve/")
    for person in (ada, bob):
        expect(due).to_contain_text(person.client_number)
    page.fill("#id_typed_confirmation", phrase)
    page.click(approve)
    page.wait_for_url("**/report/")
    expect(page.locator(".retention-report")).to_contain_text("clients erased")
    assert RetentionRun.objects.count() == runs_before + 1
    for person in (ada, bob):
        person.refresh_from_db()
        assert person.client_number.startswith("ERASED-")

"""A manager imports 300 clients in the browser: upload, the check's
progress, the preview with the 3 bad rows, a corrected file, confirm, the
write's progress, done. The jobs run on a real worker (Redis broker)."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from clienteling.models import Client, StagedImport
from tests.helpers import admin_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BAD_ROWS = {50, 150, 250}


def _csv(tmp_path, name, *, bad=()) -> str:
    lines = ["client_number,first_name,last_name,home_boutique,email"]
    for n in range(1, 301):
        email = "not-an-email" if n in bad else f"browser{n}@example.com"
        lines.append(f"BR-{n:04d},Aline{n},Marchal,PAR-VENDOME,{email}")
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def test_a_manager_uploads_checks_confirms_and_imports_300_clients(
    live_server, page, celery_worker, settings, tmp_path
):
    call_command("seed_demo")
    before = Client.objects.count()
    # Each progress report of a job pauses, so the page shows it running.
    settings.JOBS_DRILL_PAUSE = "*:1.5"
    admin_login(page, live_server.url, "manager", "demo-manager-2026")

    # when the manager uploads a file with 3 bad rows
    page.goto(f"{live_server.url}/admin/clienteling/client/import/")
    page.set_input_files("#id_import_file", _csv(tmp_path, "bad.csv", bad=BAD_ROWS))
    page.get_by_role("button", name="Upload and check").click()

    # then the page follows the check, then lists every problem
    expect(page.locator(".ecrin-job-progress")).to_be_visible()
    problems = page.locator("#import-problems tbody tr")
    expect(problems).to_have_count(3, timeout=60_000)
    for row, line in zip(sorted(BAD_ROWS), problems.all(), strict=True):
        expect(line).to_contain_text(f"{row}email'not-an-email' is not a valid email")
    expect(page.locator("#import-preview tbody tr")).to_have_count(10)
    expect(page.get_by_role("button", name="Confirm import")).to_have_count(0)
    assert Client.objects.count() == before

    # when the manager uploads the corrected file and confirms it
    page.goto(f"{live_server.url}/admin/clienteling/client/import/")
    page.set_input_files("#id_import_file", _csv(tmp_path, "good.csv"))
    page.get_by_role("button", name="Upload and check").click()
    expect(page.get_by_text("No problems found")).to_be_visible(timeout=60_000)
    assert Client.objects.count() == before  # nothing until confirmed
    page.get_by_role("button", name="Confirm import").click()

    # then the write's progress, and the clients are there
    expect(page.locator(".ecrin-job-progress")).to_be_visible()
    expect(page.get_by_text("300 clients imported.")).to_be_visible(timeout=60_000)
    assert Client.objects.count() == before + 300
    assert StagedImport.objects.latest("pk").file_id == ""

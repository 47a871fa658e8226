"""Compliance issues and rotates a website's API key in Chromium (issue 19,
decision 0075), at tablet and desktop widths: the key is shown once, the
rotation names the key it ends, and the new key answers the API.
Screenshots land in ECRIN_SHOTS for a person to look at."""

import os
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from clienteling.models import Boutique
from consents.models import WebsiteApiKey, WebsiteClient
from tests.helpers import admin_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("ECRIN_SHOTS", "/tmp/shots"))  # noqa: S108


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")


@pytest.mark.parametrize("width", [768, 1024])
def test_compliance_issues_then_rotates_a_website_key(live_server, browser, width):
    call_command("seed_demo")
    website = WebsiteClient.objects.create(name=f"Boutique website {width}")
    website.boutiques.set([Boutique.objects.get(code="PAR-VENDOME")])
    page = browser.new_context(viewport={"width": width, "height": 1000}).new_page()
    admin_login(page, live_server.url, "compliance", "demo-compliance-2026")

    # the add form fits the width
    page.goto(f"{live_server.url}/admin/consents/websiteclient/add/")
    no_sideways_scroll(page)
    shot(page, f"website-api-1-add-{width}")

    # issue: the confirmation says there is no key yet, then the key once
    page.goto(f"{live_server.url}/admin/consents/websiteclient/{website.pk}/change/")
    page.click("text=Issue a key")
    expect(page.locator(".ecrin-confirm-lead")).to_contain_text("shown once")
    no_sideways_scroll(page)
    page.click(".ecrin-confirm-form input[type=submit]")
    key = page.locator("#website-api-key").inner_text()
    assert key.startswith("ecr_")
    no_sideways_scroll(page)
    shot(page, f"website-api-2-key-{width}")
    row = WebsiteApiKey.objects.get(website_client=website)
    assert key.startswith(f"ecr_{row.prefix}_")
    assert key not in row.digest

    # the change page lists the key by its prefix only
    page.click("text=Done")
    expect(page.locator(".field-keys_list")).to_contain_text(f"ecr_{row.prefix}_…")
    assert key not in page.content()
    no_sideways_scroll(page)
    shot(page, f"website-api-3-change-{width}")

    # rotate: the page names the key that will stop working
    page.click("text=Rotate the key")
    expect(page.locator(".ecrin-confirm-section")).to_contain_text(
        f"ecr_{row.prefix}_…"
    )
    shot(page, f"website-api-4-rotate-{width}")
    page.click(".ecrin-confirm-form input[type=submit]")
    new_key = page.locator("#website-api-key").inner_text()
    assert new_key != key

    # and the new key answers the API
    answer = page.request.post(
        f"{live_server.url}/api/v1/cookie-choices",
        headers={"Authorization": f"Bearer {new_key}"},
        data={
            "event_id": f"browser-{width}",
            "client_number": "NOPE-0000",
            "preferences": True,
            "statistics": True,
            "advertising": False,
        },
    )
    assert answer.status == 404
    assert list(answer.json()["errors"]) == ["client_number"]

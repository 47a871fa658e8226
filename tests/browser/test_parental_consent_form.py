"""An adviser records a minor's parental consent from the client page in
Chromium (decision 0098), at 768, 1024 and 1440 px: the card offers the
form, a parent's name that is the minor's own is refused, the signed scan
is attached and the card then names the parent. Screenshots land in
ECRIN_SHOTS for a person to look at."""

import os
from pathlib import Path

import pytest
from django.test import Client as HttpClient
from playwright.sync_api import expect

from consents.models import ParentalConsent
from consents.parental import today
from tests.clienteling.factories import BoutiqueFactory, ClientFactory, adviser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("ECRIN_SHOTS", "/tmp/shots"))  # noqa: S108
PDF = b"%PDF-1.4\n% the parent's signed consent\n"


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")


@pytest.mark.parametrize("width", [768, 1024, 1440])
def test_an_adviser_records_a_parents_consent_from_the_client_page(
    live_server, browser, width, tmp_path
):
    boutique = BoutiqueFactory()
    born = today().replace(year=today().year - 12, day=1)
    minor = ClientFactory(
        home_boutique=boutique,
        first_name="Léa",
        last_name="Martin",
        birth_date=born,
        preferred_language="en",
    )
    user = adviser(boutique, username=f"adviser-parental-{width}")
    http = HttpClient()
    http.force_login(user)
    context = browser.new_context(viewport={"width": width, "height": 1000})
    context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": http.cookies["sessionid"].value,
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    scan = tmp_path / "consent.pdf"
    scan.write_bytes(PDF)

    page.goto(f"{live_server.url}/admin/clienteling/client/{minor.pk}/")
    expect(page.locator("body")).to_contain_text("no parent's consent recorded")
    shot(page, f"parental-1-card-{width}")
    page.click("text=Record the parent's consent")
    expect(page.locator("#id_client")).to_have_value(str(minor.pk))

    # the minor's own name is refused, nothing written
    page.fill("#id_parent_name", "Lea MARTIN")
    page.select_option("#id_relation", "mother")
    page.fill("#id_given_on", today().isoformat())
    page.set_input_files("#id_evidence", str(scan))
    page.click("input[name=_save]")
    expect(page.locator(".errorlist")).to_contain_text("the client's own name")
    assert not ParentalConsent.objects.exists()
    no_sideways_scroll(page)
    shot(page, f"parental-2-refused-{width}")

    page.fill("#id_parent_name", "Claire Martin")
    page.set_input_files("#id_evidence", str(scan))
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_be_visible()
    row = ParentalConsent.objects.get()
    assert row.parent_name == "Claire Martin"

    page.goto(f"{live_server.url}/admin/consents/parentalconsent/{row.pk}/change/")
    no_sideways_scroll(page)
    shot(page, f"parental-3-change-{width}")
    page.goto(f"{live_server.url}/admin/clienteling/client/{minor.pk}/")
    expect(page.locator("body")).to_contain_text("consent given by Claire Martin")
    shot(page, f"parental-4-card-after-{width}")

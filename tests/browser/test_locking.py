"""Two advisers save the same client: the second is refused, keeps her
input, reads who changed what, and saves again (core.locking)."""

from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from clienteling.models import Client
from tests.helpers import admin_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots")  # noqa: S108 (where reviewers look for screenshots)
TABLET = {"width": 1024, "height": 900}


def test_second_save_of_a_client_is_refused_then_accepted(live_server, browser):
    call_command("seed_demo")
    target = Client.objects.filter(
        home_boutique__code="PAR-VENDOME", status="active"
    ).first()
    url = f"{live_server.url}/admin/clienteling/client/{target.pk}/change/"
    # given the Paris adviser and the manager, each in their own browser
    helene = browser.new_context(viewport=TABLET).new_page()
    camille = browser.new_context(viewport=TABLET).new_page()
    admin_login(helene, live_server.url, "manager", "demo-manager-2026")
    admin_login(camille, live_server.url, "adviser", "demo-adviser-2026")
    # and both opened the same client
    helene.goto(url)
    camille.goto(url)

    # when the manager saves a new first name
    helene.fill("#id_first_name", "Éloïse")
    helene.click("input[name=_continue]")
    expect(helene.locator(".messagelist")).to_contain_text("changed successfully")
    # and the adviser then saves her own edit from the page she opened before
    camille.fill("#id_last_name", "Exemple-Durand")
    camille.click("input[name=_continue]")

    # then she is refused, told who changed what and when, her input kept
    refusal = camille.locator(".errorlist.nonfield")
    expect(refusal).to_contain_text("This client was changed by Hélène Demo on")
    expect(refusal).to_contain_text("Changed: First name.")
    expect(refusal).to_contain_text("save again")
    expect(camille.locator("#id_last_name")).to_have_value("Exemple-Durand")
    expect(camille.locator("#id_first_name")).to_have_value(target.first_name)
    assert camille.evaluate(
        "document.documentElement.scrollWidth <= window.innerWidth"
    ), "horizontal scroll at 1024 px"
    refusal.scroll_into_view_if_needed()
    SHOTS.mkdir(parents=True, exist_ok=True)
    camille.screenshot(path=str(SHOTS / "locking-refusal-1024.png"))
    target.refresh_from_db()
    assert (target.first_name, target.last_name) != ("Éloïse", "Exemple-Durand")
    assert target.first_name == "Éloïse"

    # when she reviews and saves again, keeping the manager's first name
    camille.fill("#id_first_name", "Éloïse")
    camille.click("input[name=_continue]")

    # then it is accepted
    expect(camille.locator(".messagelist")).to_contain_text("changed successfully")
    target.refresh_from_db()
    assert (target.first_name, target.last_name) == ("Éloïse", "Exemple-Durand")

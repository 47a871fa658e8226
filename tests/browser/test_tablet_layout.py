"""No page scrolls sideways at tablet and desktop widths, for each role's
pages (issue 14): the role homes, the client list, a client's page and the
order form, at 768, 1024 and 1440 px."""

import pytest
from django.core.management import call_command

from clienteling.models import Client
from tests.helpers import admin_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (768, 1024, 1440)
PASSWORDS = {
    "adviser": "demo-adviser-2026",
    "manager": "demo-manager-2026",
    "service": "demo-service-2026",
    "compliance": "demo-compliance-2026",
}


def pages_for(username: str, client_id: int) -> list[str]:
    card = f"/admin/clienteling/client/{client_id}/"
    edit = f"/admin/clienteling/client/{client_id}/change/"
    pages = {
        "adviser": [
            "/admin/",
            "/admin/clienteling/client/",
            card,
            edit,
            "/admin/orders/order/add/",
        ],
        "manager": ["/admin/", "/admin/clienteling/client/", card],
        "service": [
            "/admin/",
            "/admin/clienteling/client/",
            card,
            # consent given by phone or email (decision 0072)
            f"/admin/consents/consentdecision/conversation/{client_id}/",
        ],
        "compliance": [
            "/admin/",
            "/admin/privacy/datasubjectrequest/dashboard/",
            # bounces and complaints, the suppression list (0073, 0074)
            "/admin/consents/bounceimport/add/",
            "/admin/consents/suppressionentry/?status=lifted",
        ],
    }
    return pages[username]


def test_no_page_scrolls_sideways_for_any_role(live_server, browser, tmp_path):
    call_command("seed_demo")
    # a Paris client with an allergy and ring sizes: the card's key facts
    paris_client = (
        Client.objects.live()
        .filter(home_boutique__code="PAR-VENDOME", allergies__isnull=False)
        .filter(ring_sizes__isnull=False)
        .distinct()
        .first()
    )
    assert paris_client is not None
    above_the_fold = []
    too_wide = []
    for username, password in PASSWORDS.items():
        context = browser.new_context(viewport={"width": 1440, "height": 900})
        page = context.new_page()
        admin_login(page, live_server.url, username, password)
        for path in pages_for(username, paris_client.pk):
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                page.goto(f"{live_server.url}{path}")
                assert page.locator("#content").count() == 1, (username, path)
                scroll = page.evaluate("document.documentElement.scrollWidth")
                if scroll > width:
                    too_wide.append(f"{username} {path} at {width}: {scroll} px")
                if path.endswith(f"/{paris_client.pk}/") and username == "adviser":
                    for key in ("#allergy-badge", "#client-facts"):
                        box = page.locator(key).bounding_box()
                        if box is None or box["y"] + min(box["height"], 200) > 900:
                            above_the_fold.append(f"{key} at {width}: {box}")
        context.close()
    assert too_wide == []
    assert above_the_fold == []

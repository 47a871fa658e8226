"""The must-show of issue 19, part 1: on a tablet (820 x 1180, touch) an
adviser opens the consent form from the client card, the client signs with
a drawn stroke, and the ledger shows the grants with the signature."""

import hashlib
import math
import os
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from clienteling.models import Boutique, Client
from consents import registry, services
from consents.models import Channel, ConsentDecision, PaperFormSubmission
from tests.helpers import admin_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABLET = {"width": 820, "height": 1180}


def _shots(tmp_path) -> Path:
    """Where screenshots go: ECRIN_SHOTS when set (to look at them), else
    the test's own temporary folder."""
    folder = Path(os.environ.get("ECRIN_SHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _draw_with_a_finger(context, page, selector: str) -> None:
    """A stroke of real touch events (touchstart, touchmove..., touchend)
    across the element, as a finger would draw it."""
    box = page.locator(selector).bounding_box()
    points = [
        (
            box["x"] + 30 + step * 12,
            box["y"] + box["height"] / 2 + 35 * math.sin(step / 3),
        )
        for step in range(45)
    ]
    cdp = context.new_cdp_session(page)
    first = points[0]
    cdp.send(
        "Input.dispatchTouchEvent",
        {"type": "touchStart", "touchPoints": [{"x": first[0], "y": first[1]}]},
    )
    for x, y in points[1:]:
        cdp.send(
            "Input.dispatchTouchEvent",
            {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]},
        )
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


def test_a_client_signs_the_consent_form_on_the_tablet(live_server, browser, tmp_path):
    # given a French client of the Paris boutique, on the adviser's tablet
    call_command("seed_demo")
    shots = _shots(tmp_path)
    paris = Boutique.objects.get(code="PAR-VENDOME")
    someone = Client.objects.create(
        first_name="Solène",
        last_name="Exemple-Tablette",
        home_boutique=paris,
        preferred_language="fr",
    )
    context = browser.new_context(viewport=TABLET, has_touch=True, is_mobile=False)
    page = context.new_page()
    admin_login(page, live_server.url, "adviser", "demo-adviser-2026")

    # when the adviser opens the form from the card's quick action
    page.goto(f"{live_server.url}/admin/clienteling/client/{someone.pk}/")
    page.locator(".ecrin-card-actions").get_by_role(
        "link", name="Capture consent"
    ).click()
    form = page.locator("#tablet-form")
    # the client reads it in French, compulsory fields marked
    expect(form).to_contain_text(registry._WORDING["fr"][registry.NEWSLETTERS])
    expect(page.locator("#mandatory-sentence")).to_contain_text(
        "ne sera pas en mesure de répondre"
    )
    expect(page.locator(".field-email .mandatory")).to_have_text("*")

    # and the client fills it in, ticks two consents and signs with a finger
    page.fill("#id_email", "solene@example.com")
    page.fill("#id_address_line1", "5 place de l'Exemple")
    page.fill("#id_city", "Paris")
    page.select_option("#id_country", "FR")
    page.check(f"input[name=services][value={registry.NEWSLETTERS}]")
    page.check("input[name=services][value=boutique_orders]")
    page.check(f"input[name=consents][value={registry.NEWSLETTERS}]")
    page.check(f"input[name=consents][value={registry.EVENTS}]")
    page.locator("#signature-canvas").scroll_into_view_if_needed()
    _draw_with_a_finger(context, page, "#signature-canvas")
    expect(page.locator(".signature-pad")).to_have_class(re.compile("is-signed"))
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
        "horizontal scroll on the tablet form"
    )
    page.screenshot(path=str(shots / "tablet-form-signed-820.png"), full_page=True)
    page.click("#tablet-submit")

    # then the ledger shows both grants, from the tablet, with the signature
    page.wait_for_url(f"**/admin/consents/consentdecision/client/{someone.pk}/")
    ledger = page.locator("#consent-ledger")
    for code in (registry.NEWSLETTERS, registry.EVENTS):
        name = ConsentDecision.objects.filter(purpose__code=code).first().purpose.name
        row = ledger.locator("tr", has_text=name)
        expect(row).to_contain_text("Granted")
        expect(row).to_contain_text("Clienteling tool")
        expect(row.locator(".ledger-evidence")).to_have_text("signature on the tablet")
        expect(row).to_contain_text("Clienteling tool form, version 1 · Français")
    page.screenshot(path=str(shots / "tablet-ledger-820.png"), full_page=True)

    submission = PaperFormSubmission.objects.get(client=someone)
    body = services.scan_path(submission.scan_name).read_bytes()
    assert body.startswith(b"\x89PNG")
    assert submission.scan_sha256 == hashlib.sha256(body).hexdigest()
    assert submission.language == "fr"
    grants = ConsentDecision.objects.filter(client=someone)
    assert {g.purpose.code for g in grants} == {registry.NEWSLETTERS, registry.EVENTS}
    assert {g.channel for g in grants} == {Channel.CLIENTELING_TOOL}
    assert {g.submission_id for g in grants} == {submission.pk}

    # and the signature opens from the ledger, as the image drawn
    with page.expect_navigation() as opened:
        page.locator(".ledger-evidence").first.click()
    assert opened.value.headers["content-type"] == "image/png"
    page.screenshot(path=str(shots / "tablet-signature-image.png"))

    # and the form fits the adviser's other screens without sideways scroll
    for width in (768, 1024, 1440):
        page.set_viewport_size({"width": width, "height": 1000})
        page.goto(
            f"{live_server.url}/admin/consents/consentdecision/tablet/{someone.pk}/"
        )
        assert page.evaluate(
            "document.documentElement.scrollWidth <= window.innerWidth"
        ), f"horizontal scroll at {width} px"
        page.screenshot(path=str(shots / f"tablet-form-{width}.png"), full_page=True)
    context.close()

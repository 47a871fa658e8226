"""The request page's actions never overlap its heading (issue 18 review:
they did at 1024 px): at 768, 1024 and 1440 px, on requests with the most
actions (an access request and a rectification in progress)."""

import pytest
from django.core.management import call_command

from privacy.models import DataSubjectRequest
from tests.helpers import admin_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (768, 1024, 1440)


def _overlap(a: dict, b: dict) -> bool:
    return (
        a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
        and a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
    )


def test_request_actions_sit_under_the_heading(live_server, browser):
    call_command("seed_demo")
    requests = DataSubjectRequest.objects.filter(
        status="in_progress", kind__in=("access", "rectification")
    )
    assert requests.count() >= 2
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    admin_login(page, live_server.url, "compliance", "demo-compliance-2026")
    problems = []
    for request in requests:
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(
                f"{live_server.url}/admin/privacy/datasubjectrequest/"
                f"{request.pk}/change/"
            )
            headings = [
                h.bounding_box() for h in page.locator("#content h1, #content h2").all()
            ]
            tools = page.locator("ul.request-tools").bounding_box()
            assert tools is not None, (request.pk, width)
            buttons = [
                a.bounding_box() for a in page.locator("ul.request-tools a").all()
            ]
            assert len(buttons) >= 5
            if any(h and _overlap(h, tools) for h in headings):
                problems.append(f"request {request.pk} at {width}: over the heading")
            if page.evaluate("document.documentElement.scrollWidth") > width:
                problems.append(f"request {request.pk} at {width}: scrolls sideways")
    assert problems == []

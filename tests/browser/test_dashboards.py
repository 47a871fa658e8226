"""The manager opens the boutique dashboard, clicks one adviser's bar and
lands on that adviser's clients (issue 15's must-show), at tablet and
desktop widths, with no horizontal scroll and no CSP violation."""

import os
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from clienteling.models import Boutique, Client
from segments import figures
from tests.helpers import admin_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(
    os.environ.get(
        "ECRIN_SHOTS", Path(__file__).resolve().parents[2] / "var/screens/segments"
    )
)


def _bar_position(page, key: str, label: str) -> dict:
    """Where the bar of `label` is drawn on the figure's canvas."""
    return page.evaluate(
        """([key, label]) => {
            const canvas = document.querySelector(
                `canvas[data-chart="chart-data-${key}"]`);
            const chart = window.Chart.getChart(canvas);
            const index = chart.data.labels.indexOf(label);
            const bar = chart.getDatasetMeta(0).data[index];
            const {x, y, base} = bar.getProps(["x", "y", "base"], true);
            const horizontal = chart.options.indexAxis === "y";
            return horizontal ? {x: (x + base) / 2, y: y} : {x: x, y: (y + base) / 2};
        }""",
        [key, label],
    )


def _adviser_of(url: str) -> int:
    return int(url.split("adviser=")[1].split("&", maxsplit=1)[0])


def _no_horizontal_scroll(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


@pytest.mark.parametrize("width", [768, 1024, 1440])
def test_manager_clicks_an_advisers_bar_and_lands_on_their_clients(
    live_server, page, width
):
    call_command("seed_demo")
    paris = Boutique.objects.get(code="PAR-VENDOME")
    today = timezone.localdate()
    sales = figures.sales_per_adviser(paris, figures.default_period(today))
    # The demo's sales are spread over Paris's sellers (the manager and the
    # adviser): the chart has a bar each; the adviser's opens her clients.
    assert len(sales.rows) >= 2, [r.label for r in sales.rows]
    row = next(
        r
        for r in sales.rows
        if r.url
        and Client.objects.filter(
            home_boutique=paris, primary_adviser_id=_adviser_of(r.url)
        ).exists()
    )
    violations = []
    page.on(
        "console",
        lambda m: (
            violations.append(m.text)
            if "Content Security Policy" in m.text or m.type == "error"
            else None
        ),
    )
    page.set_viewport_size({"width": width, "height": 900})

    # given the demo manager on the boutique dashboard
    admin_login(page, live_server.url, "manager", "demo-manager-2026")
    page.goto(f"{live_server.url}/admin/")
    page.get_by_role("link", name="Boutique dashboard").click()
    page.select_option("#id_boutique", str(paris.pk))
    page.get_by_role("button", name="Show").click()
    canvas = page.locator('canvas[data-chart="chart-data-sales-per-adviser"]')
    expect(canvas).to_have_attribute("data-drawn", "yes")
    assert _no_horizontal_scroll(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"manager-dashboard-{width}.png", full_page=True)

    # when she clicks the bar of one adviser
    canvas.scroll_into_view_if_needed()
    canvas.click(position=_bar_position(page, "sales-per-adviser", row.label))

    # then the clients that adviser advises are listed
    page.wait_for_url("**/dashboard/clients/**")
    expect(page.locator("h1")).to_contain_text(row.label)
    adviser_id = _adviser_of(row.url)
    advised = Client.objects.live().filter(home_boutique=paris).filter(
        primary_adviser_id=adviser_id
    ) | Client.objects.live().filter(
        home_boutique=paris, secondary_adviser_id=adviser_id
    )
    first = advised.order_by("last_name", "first_name", "pk").first()
    expect(page.locator(".segment-clients")).to_contain_text(first.client_number)
    assert _no_horizontal_scroll(page)
    page.screenshot(path=SHOTS / f"adviser-clients-{width}.png", full_page=True)
    assert violations == []

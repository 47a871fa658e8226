"""A journey per role in Chromium (issue 14), and the adviser's in French
(issue 21). Screenshots land in SHOTS for a person to look at."""

import datetime
import os
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from clienteling.models import Appointment, Client, ClientPhone, ContactEvent, FollowUp
from privacy.models import DataSubjectRequest
from privacy.requests import OPEN_STATUSES
from tests.helpers import admin_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("ECRIN_SHOTS", "/tmp/shots"))  # noqa: S108


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")


@pytest.fixture
def demo(live_server):
    call_command("seed_demo")
    return live_server


def open_first_result(page, query: str) -> None:
    page.fill("#ecrin-search-q", query)
    page.press("#ecrin-search-q", "Enter")
    page.wait_for_url("**/admin/clienteling/client/?q=*")
    page.locator("#result_list tbody tr a").first.click()
    page.wait_for_url(re.compile(r"/admin/clienteling/client/\d+/(\?|$)"))


def log_a_call(page, subject: str, outcome_label: str | None = None) -> None:
    page.click(
        "text=Log a contact" if outcome_label else "#client-header .button >> nth=0"
    )
    form = page.locator("#log-contact")
    expect(form).to_be_visible()
    form.locator("select[name=channel]").select_option("phone")
    form.locator("select[name=direction]").select_option("outbound")
    form.locator("select[name=outcome]").select_option(index=1)
    form.locator("input[name=subject]").fill(subject)
    form.locator("[type=submit]").click()
    page.wait_for_url("**/#timeline")


def test_adviser_search_card_call_follow_up_appointment(demo, browser):
    page = browser.new_context(viewport={"width": 820, "height": 1180}).new_page()
    admin_login(page, demo.url, "adviser", "demo-adviser-2026")
    # "lefevre", typed without its accent, finds the Lefèvres
    open_first_result(page, "lefevre")
    expect(page.locator("#client-header h1")).to_contain_text("Lefèvre")
    client = Client.objects.get(pk=int(re.search(r"/client/(\d+)/", page.url).group(1)))
    no_sideways_scroll(page)
    shot(page, "journey-adviser-1-card")

    # a call with its outcome
    log_a_call(page, "Resizing ready")
    expect(page.locator(".messagelist")).to_be_visible()
    expect(page.locator("#timeline")).to_contain_text("Resizing ready")
    call = ContactEvent.objects.get(client=client, subject="Resizing ready")
    assert call.outcome

    # a follow-up from the card: the client is named, the adviser is me
    page.click("#client-header >> text=Add a follow-up")
    page.wait_for_url("**/followup/add/?client=*")
    expect(page.locator("#content")).to_contain_text(client.full_name)
    due = timezone.localdate() + datetime.timedelta(days=14)
    page.fill("input[name=due_date]", due.strftime("%d/%m/%Y"))
    page.fill("[name=note]", "Call when the ring is back")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_contain_text(client.full_name)
    assert FollowUp.objects.filter(client=client, adviser__username="adviser").exists()

    # an appointment from the card
    page.goto(f"{demo.url}/admin/clienteling/client/{client.pk}/")
    page.click("#client-header >> text=Book an appointment")
    page.wait_for_url("**/appointment/add/?client=*")
    day = timezone.localdate() + datetime.timedelta(days=9)
    page.select_option("select[name=purpose]", "ring_sizing")
    for name in ("boutique", "adviser"):
        choice = page.locator(f"select[name={name}]")
        if choice.count() and not choice.input_value():
            choice.select_option(index=1)
    page.fill("input[name=starts_at_0]", day.strftime("%d/%m/%Y"))
    page.fill("input[name=starts_at_1]", "10:30")
    page.fill("input[name=ends_at_0]", day.strftime("%d/%m/%Y"))
    page.fill("input[name=ends_at_1]", "11:30")
    page.click("input[name=_save]")
    page.wait_for_load_state()
    errors = page.locator(".errorlist").evaluate_all(
        "els => els.map(e => (e.closest('.form-row') || e.parentElement).className"
        " + ': ' + e.innerText)"
    )
    assert errors == [], errors
    expect(page.locator(".messagelist")).to_be_visible()
    assert Appointment.objects.filter(client=client, status="booked").count() >= 1
    shot(page, "journey-adviser-2-after-appointment")


def test_service_finds_a_caller_by_6_digits_and_logs_the_call(demo, browser):
    phone = (
        ClientPhone.objects.filter(is_primary=True, client__status="active")
        .exclude(client__client_number__startswith="ERASED-")
        .order_by("client__client_number")
        .first()
    )
    page = browser.new_context(viewport={"width": 1024, "height": 800}).new_page()
    admin_login(page, demo.url, "service", "demo-service-2026")
    expect(page.locator("#home-search")).to_be_visible()
    open_first_result(page, str(phone.number)[-6:])
    expect(page.locator("#client-header")).to_contain_text(phone.client.client_number)
    log_a_call(page, "Asked about delivery")
    assert ContactEvent.objects.filter(
        client=phone.client, subject="Asked about delivery", staff__username="service"
    ).exists()
    page.goto(f"{demo.url}/admin/")
    expect(page.locator("#home-calls")).to_contain_text("Asked about delivery")
    shot(page, "journey-service-home-after-call")


def test_compliance_goes_from_home_to_the_request_due_soonest(demo, browser):
    page = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
    admin_login(page, demo.url, "compliance", "demo-compliance-2026")
    soonest = min(
        DataSubjectRequest.objects.filter(status__in=OPEN_STATUSES),
        key=lambda r: (r.effective_due_on, r.pk),
    )
    first = page.locator("#home-requests-table tbody tr").first
    expect(first).to_contain_text(str(soonest))
    shot(page, "journey-compliance-home")
    first.locator("a").first.click()
    page.wait_for_url(f"**/datasubjectrequest/{soonest.pk}/change/")
    expect(page.locator("#content")).to_contain_text(str(soonest))


def test_a_french_adviser_works_in_french(demo, browser):
    """Issue 21: search, the card and a call, all in French."""
    from clienteling.models import User

    User.objects.filter(username="adviser").update(language="fr")
    page = browser.new_context(viewport={"width": 1024, "height": 900}).new_page()
    admin_login(page, demo.url, "adviser", "demo-adviser-2026")
    expect(page.locator("#home-follow-ups")).to_contain_text("Mes relances")
    shot(page, "fr-1-home")
    open_first_result(page, "lefevre")
    header = page.locator("#client-header")
    expect(page.locator("#client-facts")).to_contain_text("Tours de doigt")
    expect(header).to_contain_text("Consigner un contact")
    shot(page, "fr-2-card")
    page.click("text=Consigner un contact")
    form = page.locator("#log-contact")
    form.locator("select[name=channel]").select_option("phone")
    form.locator("select[name=direction]").select_option("outbound")
    form.locator("select[name=outcome]").select_option(index=1)
    form.locator("input[name=subject]").fill("Mise à taille prête")
    form.locator("[type=submit]").click()
    page.wait_for_url("**/#timeline")
    expect(page.locator(".messagelist")).to_contain_text("Contact consigné")
    body = page.locator("#content").inner_text()
    for english in ("Log a contact", "Contact history", "Lifetime value", "Ring sizes"):
        assert english not in body, english
    shot(page, "fr-3-after-call")

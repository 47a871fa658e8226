from datetime import date

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from clienteling.models import Boutique, Client, ClientPhone
from consents import registry
from consents.models import ConsentDecision, PaperFormSubmission
from tests.helpers import admin_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _fill_form(page, scan):
    page.fill("#id_first_name", "Héloïse")
    page.fill("#id_last_name", "Exemple-Navigateur")
    page.fill("#id_address_line1", "3 rue de l'Exemple")
    page.fill("#id_city", "Paris")
    page.select_option("#id_country", "FR")
    page.check(f"input[name=services][value={registry.NEWSLETTERS}]")
    page.check("input[name=services][value=boutique_orders]")
    page.check(f"input[name=consents][value={registry.NEWSLETTERS}]")
    page.fill("#id_signed_on", timezone.localdate().isoformat())
    page.set_input_files("#id_scan", scan)


def test_adviser_prints_then_keys_in_a_signed_paper_form(live_server, page, tmp_path):
    call_command("seed_demo")
    # the demo holds a paper form of its own
    demo_forms = PaperFormSubmission.objects.count()
    scan = tmp_path / "signed.pdf"
    scan.write_bytes(PDF)
    admin_login(page, live_server.url, "adviser", "demo-adviser-2026")

    # the printable blank form shows the asterisks and the wording
    page.goto(f"{live_server.url}/admin/consents/paperformsubmission/")
    page.click("#capture-new-client")
    page.click("#print-blank-form")
    expect(page.locator(".asterisk").first).to_have_text("*")
    expect(page.locator("body")).to_contain_text(
        registry._WORDING["en"][registry.NEWSLETTERS]
    )
    page.go_back()

    # one compulsory field (email, for newsletters) missing: refused
    _fill_form(page, scan)
    page.click("input[type=submit][value='Record the signed form']")
    expect(page.locator("#mandatory-sentence")).to_contain_text(
        "will not be able to answer your requests"
    )
    expect(page.locator(".field-email")).to_contain_text("compulsory")
    expect(page.locator("#id_first_name")).to_have_value("Héloïse")
    expect(page.locator("#id_city")).to_have_value("Paris")
    assert not Client.objects.filter(last_name="Exemple-Navigateur").exists()
    assert PaperFormSubmission.objects.count() == demo_forms

    # fixed and submitted: the client page shows the consent
    page.fill("#id_email", "heloise@example.com")
    page.set_input_files("#id_scan", str(scan))
    page.click("input[type=submit][value='Record the signed form']")
    panel = page.locator("#consents-panel")
    row = panel.locator(f"tr[data-purpose={registry.NEWSLETTERS}]")
    expect(row.locator(".consent-state")).to_have_text("Granted")
    expect(row.get_by_role("button", name="Withdraw")).to_be_visible()

    client = Client.objects.get(last_name="Exemple-Navigateur")
    assert page.url.endswith(f"/admin/clienteling/client/{client.pk}/")
    assert ConsentDecision.objects.filter(client=client).count() == 1
    assert PaperFormSubmission.objects.filter(client=client).count() == 1


def test_paper_form_for_an_existing_client_shows_its_birth_date_and_mobile(
    live_server, page
):
    # given a client of the Paris boutique with a birth date and a mobile
    call_command("seed_demo")
    paris = Boutique.objects.get(code="PAR-VENDOME")
    someone = Client.objects.create(
        first_name="Apolline",
        last_name="Exemple-Papier",
        home_boutique=paris,
        birth_date=date(1985, 3, 7),
    )
    ClientPhone.objects.create(
        client=someone, number="+33699001234", kind="mobile", is_primary=True
    )
    admin_login(page, live_server.url, "adviser", "demo-adviser-2026")

    # when the Paris adviser opens a paper form for that client
    page.goto(
        live_server.url + reverse("admin:consents_capture_client", args=[someone.pk])
    )

    # then the date picker shows the birth date and the mobile is filled in
    expect(page.locator("#id_birth_date")).to_have_value("1985-03-07")
    expect(page.locator("#id_phone")).to_have_value("+33 6 99 00 12 34")
    expect(page.locator("#id_first_name")).to_have_value("Apolline")

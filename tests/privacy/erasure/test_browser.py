"""The compliance officer erases a client from the client page, in the browser.

Tasks run in-process here (tests/conftest.py): approving runs the erasure
within the request, so the receipt that follows is the finished one.
"""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from clienteling.models import Boutique, Client, ClientEmail, ClientPhone, User
from orders import services as order_services
from privacy.models import ErasureJob
from tests.helpers import admin_login
from tests.privacy.factories import verified_erasure_request

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMAIL = "eleonore.effacee@example.com"


def _client_with_email_and_phone() -> Client:
    paris = Boutique.objects.get(code="PAR-VENDOME")
    target = Client.objects.create(
        first_name="Éléonore", last_name="Effacée", home_boutique=paris
    )
    ClientEmail.objects.create(client=target, address=EMAIL, is_primary=True)
    ClientPhone.objects.create(client=target, number="+33199004343", is_primary=True)
    return target


def _step_row(page, name: str):
    cell = page.get_by_role("cell", name=name, exact=True)
    return page.locator(".erasure-steps tr").filter(has=cell)


def test_compliance_requests_approves_and_reads_the_receipt(
    live_server, page, settings, tmp_path
):
    settings.ERASURE_REPLAY_LOG = tmp_path / "replay.jsonl"
    call_command("seed_demo")
    target = _client_with_email_and_phone()
    asked = verified_erasure_request(
        target, officer=User.objects.get(username="compliance")
    )
    client_page = f"{live_server.url}/admin/clienteling/client/{target.pk}/"
    # Four eyes (decision 0059): the demo's second officer asks, the first
    # approves.
    admin_login(page, live_server.url, "compliance.second", "demo-compliance-2026")

    # given the client's page, with nothing erased yet
    page.goto(client_page)
    expect(page.locator("#panel-erasure")).to_contain_text("No erasure requested.")

    # when the officer requests the erasure from it
    page.click("#erasure-request")
    expect(page.locator("#id_client")).to_have_value(str(target.pk))
    page.select_option("#id_request", str(asked.pk))
    page.click("input[name=_save]")

    # then the confirmation names the client and says what is kept and why
    page.wait_for_url("**/approve/")
    approve_page = page.url
    job = ErasureJob.objects.get(client=target)
    # the officer who asked sees no button to approve her own request
    expect(page.locator("input[value='Approve and erase']")).to_have_count(0)
    # a second officer opens it
    page.context.clear_cookies()
    admin_login(page, live_server.url, "compliance", "demo-compliance-2026")
    page.goto(approve_page)
    main = page.locator("#content-main")
    expect(main.locator("h2")).to_have_text(
        f"Erase Éléonore Effacée ({target.client_number})"
    )
    kept = main.locator("tbody tr").filter(
        has=page.get_by_role("cell", name="kept", exact=True)
    )
    expect(kept.filter(has_text="consent decision")).to_contain_text(
        "proof that processing was lawful"
    )
    expect(main).to_contain_text("suppression list")

    # and a wrong client number is refused, with nothing erased
    page.fill("#id_typed_confirmation", "C-WRONG")
    page.click("input[value='Approve and erase']")
    expect(page.locator(".ecrin-error-summary")).to_contain_text(
        f"is not {target.client_number}. Nothing was changed."
    )
    job.refresh_from_db()
    assert job.status == ErasureJob.Status.REQUESTED

    # when the officer types the client number and approves
    page.fill("#id_typed_confirmation", target.client_number)
    page.click("input[value='Approve and erase']")

    # and, once approved, the receipt: done, counts per model, no one named
    expect(page.locator("#content-main h2")).to_have_text(f"Erasure #{job.pk}: Done")
    expect(_step_row(page, "Email addresses")).to_contain_text("1 entry erased")
    expect(_step_row(page, "Phone numbers")).to_contain_text("1 entry erased")
    expect(_step_row(page, "Clients")).to_contain_text("1 anonymised")
    receipt = page.locator("body").inner_text()
    for value in (EMAIL, "Éléonore", "Effacée", "99 00 43 43", "+33199004343"):
        assert value not in receipt, value

    # and the client page now shows the tombstone and the finished erasure
    page.goto(client_page)
    expect(page.locator("#client-header")).to_contain_text(f"ERASED-{target.pk}")
    panel = page.locator("#panel-erasure")
    expect(panel.locator(f"tr[data-erasure='{job.pk}']")).to_contain_text("Done")
    expect(panel).to_contain_text(f"Erased by erasure #{job.pk}")
    expect(page.locator("#erasure-request")).to_have_count(0)
    job.refresh_from_db()
    assert (job.status, job.approved_by.username) == ("done", "compliance")
    assert job.request == asked
    assert not ClientEmail.objects.filter(client=target).exists()
    assert not ClientPhone.objects.filter(client=target).exists()


def test_an_erasure_under_a_legal_hold_is_refused_with_the_holds_shown(
    live_server, page
):
    call_command("seed_demo")
    target = _client_with_email_and_phone()
    asked = verified_erasure_request(
        target, officer=User.objects.get(username="compliance")
    )
    complaint = order_services.complaint_open(
        acting_user=None,
        client=target,
        channel="email",
        category="product_quality",
        description="Clasp broke",
    )
    admin_login(page, live_server.url, "compliance", "demo-compliance-2026")

    # when the officer requests the erasure from the client page
    page.goto(f"{live_server.url}/admin/clienteling/client/{target.pk}/")
    page.click("#erasure-request")
    page.select_option("#id_request", str(asked.pk))
    page.click("input[name=_save]")

    # then the form comes back with the holds and what to do about them
    refusal = page.locator(".errorlist.nonfield")
    expect(refusal).to_contain_text("Erasure refused: legal holds apply.")
    expect(refusal).to_contain_text(f"complaint: complaint#{complaint.pk}")
    expect(page.locator(".field-allow_partial .errorlist")).to_contain_text(
        "partial erasure"
    )
    expect(page.locator("#id_request")).to_have_value(str(asked.pk))
    # and nothing was written
    assert not ErasureJob.objects.filter(client=target).exists()
    assert ClientEmail.objects.filter(client=target).exists()

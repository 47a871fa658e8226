import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from clienteling.models import Boutique, User
from orders import selectors
from orders.models import Invoice, Order
from tests.helpers import admin_login
from tests.orders.factories import ClientFactory, MetalAllergyFactory, ProductFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_adviser_orders_a_nickel_piece_for_an_allergic_client(live_server, page):
    # given the demo users and boutiques, a Paris client allergic to nickel
    # and a piece containing nickel
    call_command("seed_demo")
    paris = Boutique.objects.get(code="PAR-VENDOME")
    customer = ClientFactory(home_boutique=paris, first_name="Inès", last_name="Test")
    MetalAllergyFactory(client=customer, metal="nickel", severity="severe")
    piece = ProductFactory(
        reference="LV-TEST-1", name="Bague Lumière", metals=["white_gold", "nickel"]
    )
    adviser = User.objects.get(username="adviser")

    # when the demo adviser keys in the order
    admin_login(page, live_server.url, "adviser", "demo-adviser-2026")
    page.goto(f"{live_server.url}/admin/orders/order/add/")
    page.fill("#id_client", str(customer.pk))
    page.select_option("#id_boutique", label=paris.name)
    page.select_option("#id_lines-0-product", label=str(piece))
    page.click("input[name=_continue]")

    # then a warning naming the metal stops the first save (advisers may see
    # allergies)
    assert adviser.has_perm(selectors.ALLERGY_PERMISSION)
    expect(page.locator(".errorlist.nonform")).to_contain_text(
        "Bague Lumière contains nickel, to which the client is allergic (severe)"
    )
    assert not Order.objects.filter(client=customer).exists()

    # when the adviser confirms having discussed it with the client
    page.check("#id_allergy_discussed")
    page.click("input[name=_continue]")

    # then the order is saved, and can be confirmed and invoiced
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    page.get_by_role("button", name="Confirm order").click()
    expect(page.locator(".messagelist")).to_contain_text("is now Confirmed")
    page.get_by_role("button", name="Issue invoice").click()
    expect(page.locator(".messagelist")).to_contain_text(
        re.compile(r"Invoice PAR-VENDOME/\d{4}/\d{6} issued\.")
    )

    order = Order.objects.get(client=customer)
    assert order.status == Order.Status.INVOICED
    assert order.allergy_acknowledged_by == adviser
    invoice = Invoice.objects.get(order=order)
    expect(page.locator(".messagelist")).to_contain_text(invoice.number)

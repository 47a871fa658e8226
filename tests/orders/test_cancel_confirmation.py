"""Cancelling an order goes through a confirmation page naming the order,
its lines and what happens to the money; only its POST cancels."""

from decimal import Decimal

import pytest
from django.urls import reverse

from core import roles
from orders import services
from orders.models import Order
from tests.clienteling.factories import BoutiqueFactory, UserFactory, adviser
from tests.orders.factories import ClientFactory, ProductFactory, order

pytestmark = pytest.mark.django_db


@pytest.fixture
def paris():
    return BoutiqueFactory(code="PAR-C")


@pytest.fixture
def confirmed(paris):
    customer = ClientFactory(home_boutique=paris, first_name="Ada", last_name="Ring")
    products = [
        ProductFactory(name="Solitaire ring", reference="R-100"),
        ProductFactory(name="Tennis bracelet", reference="B-200"),
    ]
    return order(client=customer, products=products, status=Order.Status.CONFIRMED)


def _cancel_url(an_order) -> str:
    return reverse("admin:orders_order_cancel", args=[an_order.pk])


def test_the_order_page_links_to_the_confirmation_not_a_one_click_cancel(
    client, paris, confirmed
):
    client.force_login(adviser(paris))

    page = client.get(reverse("admin:orders_order_change", args=[confirmed.pk])).text

    assert f'href="{_cancel_url(confirmed)}"' in page
    assert 'value="cancelled"' not in page


def test_the_confirmation_names_the_order_lines_and_money_and_a_get_changes_nothing(
    client, paris, confirmed
):
    services.payment_record(
        acting_user=None,
        order=confirmed,
        method="bank_transfer",
        amount=Decimal("500.00"),
        currency="EUR",
    )
    client.force_login(adviser(paris))

    response = client.get(_cancel_url(confirmed))

    page = response.text
    assert response.status_code == 200
    assert f"Cancel order {confirmed.number}" in page
    assert f"Ada Ring ({confirmed.client.client_number})" in page
    assert "Solitaire ring (R-100)" in page
    assert "Tennis bracelet (B-200)" in page
    assert "1 payment received, €500.00 in all: cancelling refunds nothing" in page
    assert f'href="{reverse("admin:orders_order_change", args=[confirmed.pk])}"' in page
    confirmed.refresh_from_db()
    assert confirmed.status == Order.Status.CONFIRMED
    assert Order.history.filter(id=confirmed.pk, status="cancelled").count() == 0


def test_without_payments_the_page_says_there_is_nothing_to_refund(
    client, paris, confirmed
):
    client.force_login(adviser(paris))

    assert "nothing to refund" in client.get(_cancel_url(confirmed)).text


@pytest.mark.parametrize(
    ("url_name", "data"),
    [
        # The old one-click button: now only leads to the confirmation.
        ("admin:orders_order_status", {"status": "cancelled"}),
        # A POST to the page that did not come from its button.
        ("admin:orders_order_cancel", {}),
        ("admin:orders_order_cancel", {"confirm": "no"}),
    ],
)
def test_a_post_without_the_confirmation_cancels_nothing(
    client, paris, confirmed, url_name, data
):
    client.force_login(adviser(paris))

    client.post(reverse(url_name, args=[confirmed.pk]), data)

    confirmed.refresh_from_db()
    assert confirmed.status == Order.Status.CONFIRMED


def test_the_confirmation_post_cancels_the_order(client, paris, confirmed):
    client.force_login(adviser(paris))

    response = client.post(_cancel_url(confirmed), {"confirm": "yes"}, follow=True)

    confirmed.refresh_from_db()
    assert confirmed.status == Order.Status.CANCELLED
    assert f"Order {confirmed.number} is now cancelled." in response.text


def test_an_order_that_can_no_longer_be_cancelled_says_why_and_offers_no_button(
    client, paris
):
    sold = order(
        client=ClientFactory(home_boutique=paris), status=Order.Status.INVOICED
    )
    client.force_login(adviser(paris))

    page = client.post(_cancel_url(sold), {"confirm": "yes"}).text

    sold.refresh_from_db()
    assert sold.status == Order.Status.INVOICED
    assert "it can no longer be cancelled" in page
    assert "Cancel the order" not in page


def test_staff_who_may_not_change_orders_cannot_cancel(client, paris, confirmed):
    client.force_login(UserFactory(role=roles.CUSTOMER_SERVICE, boutiques=[paris]))

    response = client.post(_cancel_url(confirmed), {"confirm": "yes"})

    assert response.status_code == 403
    confirmed.refresh_from_db()
    assert confirmed.status == Order.Status.CONFIRMED


def test_an_order_of_another_boutique_is_404(client, paris, confirmed):
    client.force_login(adviser(BoutiqueFactory(code="LON-C")))

    assert client.get(_cancel_url(confirmed)).status_code == 404
    confirmed.refresh_from_db()
    assert confirmed.status == Order.Status.CONFIRMED

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core import hooks, roles
from orders import services
from orders.models import Order
from orders.panels import ORDERS_PANEL
from tests.clienteling.factories import UserFactory
from tests.helpers import get_counting_queries
from tests.orders.factories import ClientFactory, ProductFactory, order

pytestmark = pytest.mark.django_db


def _render(user, client) -> tuple[str, int]:
    """The panel's context and template, as the client 360 page renders it."""
    request = RequestFactory().get("/")
    request.user = user
    with CaptureQueriesContext(connection) as queries:
        context = ORDERS_PANEL.get_context(request, client)
        html = render_to_string(
            ORDERS_PANEL.template, {"ctx": context}, request=request
        )
    return html, len(queries.captured_queries)


def _history(client, n):
    for _ in range(n):
        sold = order(
            client=client,
            products=[ProductFactory(), ProductFactory()],
            status=Order.Status.INVOICED,
        )
        services.payment_record(
            acting_user=None,
            order=sold,
            method="card",
            amount=sold.total,
            currency="EUR",
            card_brand="visa",
            card_last4="4242",
        )
        services.case_open(
            acting_user=None,
            client=client,
            boutique=client.home_boutique,
            kind="cleaning",
            piece_description="Ring",
        )


def _compliance():
    # Fresh from the database, permissions loaded once (Django caches them
    # on the user for the request, as on the client page).
    user = UserFactory(role=roles.COMPLIANCE)
    user = type(user).objects.get(pk=user.pk)
    assert user.has_perm("orders.view_payment")
    return user


def test_the_panel_is_registered_for_staff_who_see_orders():
    adviser = UserFactory(role=roles.ADVISER)
    nobody = UserFactory()

    assert ORDERS_PANEL in hooks.client_panels_for(adviser)
    assert ORDERS_PANEL not in hooks.client_panels_for(nobody)


def test_panel_query_count_is_the_same_for_1_and_30_orders():
    # given two clients, one with 1 order and one with 30
    user = _compliance()
    small, large = ClientFactory(), ClientFactory()
    _history(small, 1)
    _history(large, 30)

    # when each panel is rendered
    small_html, small_queries = _render(user, small)
    large_html, large_queries = _render(user, large)

    # then the number of queries does not depend on the history
    assert small_queries == large_queries
    assert large_html.count("•••• 4242") == 20  # the most recent payments
    assert "Lifetime value" in large_html


def test_panel_shows_purchases_guarantees_open_cases_and_lifetime_value():
    user = _compliance()
    client = ClientFactory()
    _history(client, 1)
    client.refresh_from_db()
    sold = client.orders.get()

    html, _ = _render(user, client)

    assert sold.number in html
    assert client.guarantees.first().certificate_number in html
    assert "Cleaning: Ring" in html
    assert str(client.lifetime_value) in html


def test_customer_service_sees_no_payment_details_in_the_panel():
    agent = UserFactory(role=roles.CUSTOMER_SERVICE)
    agent = type(agent).objects.get(pk=agent.pk)
    client = ClientFactory()
    _history(client, 1)

    html, _ = _render(agent, client)

    assert "4242" not in html
    assert "Payments" not in html
    assert client.orders.get().number in html


# --- On the client 360 page itself ----------------------------------------------


def _client_page(c):
    return reverse("admin:clienteling_client_card", args=[c.pk])


def test_client_page_query_count_is_the_same_for_1_and_30_orders(client):
    # given a compliance officer (sees every client and payments)
    small, large = ClientFactory(), ClientFactory()
    _history(small, 1)
    _history(large, 30)
    client.force_login(_compliance())
    # Warm-up: the first page fills the process-wide ContentType cache.
    client.get(_client_page(small))

    # when both client pages are opened
    small_page, small_queries = get_counting_queries(client, _client_page(small))
    large_page, large_queries = get_counting_queries(client, _client_page(large))

    # then
    assert small_page.status_code == large_page.status_code == 200
    assert 'id="panel-orders"' in large_page.text
    assert large.orders.first().number in large_page.text
    assert small_queries == large_queries


def test_customer_service_sees_purchases_but_no_payment_on_the_client_page(client):
    agent = UserFactory(role=roles.CUSTOMER_SERVICE)
    customer = ClientFactory()
    _history(customer, 1)
    client.force_login(agent)

    page = client.get(_client_page(customer))

    assert page.status_code == 200
    assert customer.orders.get().number in page.text
    assert "4242" not in page.text

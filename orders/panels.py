"""The orders section of the client 360 page (clienteling.hooks)."""

from django.utils import timezone

from clienteling.hooks import ClientPanel
from orders import selectors


def client_panel_context(request, client) -> dict:
    return selectors.client_purchases_panel(
        user=request.user, client=client, today=timezone.localdate()
    )


ORDERS_PANEL = ClientPanel(
    key="orders",
    title="Purchases, guarantees and after-sales",
    template="orders/client_panel.html",
    get_context=client_panel_context,
    permission="orders.view_order",
    order=50,
)

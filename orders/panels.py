"""The orders section of the client 360 page (core.hooks)."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import hooks
from core.hooks import ClientPanel
from orders import selectors
from orders.models import Payment


def client_panel_context(request, client) -> dict:
    context = selectors.client_purchases_panel(
        user=request.user, client=client, today=timezone.localdate()
    )
    if context["payments"]:
        hooks.record_access(
            user=request.user,
            action="view_payment",
            target=Payment,
            object_id=client.pk,
            path=request.path,
        )
    return context


ORDERS_PANEL = ClientPanel(
    key="orders",
    title=_("Purchases, guarantees and after-sales"),
    template="orders/client_panel.html",
    get_context=client_panel_context,
    permission="orders.view_order",
    order=50,
)

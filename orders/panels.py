"""The orders section of the client 360 page (core.hooks)."""

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from core import hooks
from core.hooks import CardSummary, ClientPanel
from core.money import money as format_money
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


def orders_card_summary(request, client, ctx) -> CardSummary:
    """The last purchase among the key facts, and "New order"."""
    facts = []
    if ctx["orders"]:
        last = ctx["orders"][0]
        facts.append(
            (
                _("Last purchase"),
                "{} · {}".format(
                    formats.date_format(
                        timezone.localtime(last.created_at), "DATE_FORMAT"
                    ),
                    format_money(last.total, last.currency),
                ),
            )
        )
    else:
        facts.append((_("Last purchase"), _("None yet")))
    actions = []
    if request.user.has_perm("orders.add_order"):
        actions.append(
            (_("New order"), reverse("admin:orders_order_add") + f"?client={client.pk}")
        )
    return CardSummary(facts=facts, actions=actions)


ORDERS_PANEL = ClientPanel(
    key="orders",
    title=_("Purchases, guarantees and after-sales"),
    template="orders/client_panel.html",
    get_context=client_panel_context,
    permission="orders.view_order",
    order=50,
    summarise=orders_card_summary,
)

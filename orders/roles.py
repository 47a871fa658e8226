"""orders' share of the role matrix (see core.roles)."""

from core import roles
from core.roles import perms

_SELLING = (
    perms("orders", "view", "product", "invoice", "invoiceline", "guarantee")
    | perms("orders", "view add change", "order", "orderline", "aftersalescase")
    | perms("orders", "view add", "payment", "complaint")
    | {"orders.issue_invoice"}
)

ROLE_PERMISSIONS = {
    roles.ADVISER: _SELLING,
    roles.MANAGER: (
        _SELLING
        | perms("orders", "add change", "product")
        | perms("orders", "change", "complaint")
        | {"orders.issue_credit_note"}
    ),
    # Customer service opens and follows cases and complaints on any client
    # and sees what was bought, but no payment detail (ARCHITECTURE.md).
    roles.CUSTOMER_SERVICE: (
        perms("orders", "view", "product", "order", "orderline", "invoice")
        | perms("orders", "view", "invoiceline", "guarantee")
        | perms("orders", "view add change", "aftersalescase", "complaint")
    ),
    roles.COMPLIANCE: perms(
        "orders",
        "view",
        "product",
        "order",
        "orderline",
        "invoice",
        "invoiceline",
        "payment",
        "guarantee",
        "aftersalescase",
        "complaint",
    ),
}

"""orders' share of the role matrix (see clienteling.roles)."""

from clienteling import roles


def _model_perms(actions: str, *models: str) -> set[str]:
    return {f"orders.{a}_{m}" for m in models for a in actions.split()}


_SELLING = (
    _model_perms("view", "product", "invoice", "invoiceline", "guarantee")
    | _model_perms("view add change", "order", "orderline", "aftersalescase")
    | _model_perms("view add", "payment", "complaint")
    | {"orders.issue_invoice"}
)

ROLE_PERMISSIONS = {
    roles.ADVISER: frozenset(_SELLING),
    roles.MANAGER: frozenset(
        _SELLING
        | _model_perms("add change", "product")
        | _model_perms("change", "complaint")
        | {"orders.issue_credit_note"}
    ),
    # Customer service opens and follows cases and complaints on any client,
    # and sees what was bought, but no payment detail (ARCHITECTURE.md).
    roles.CUSTOMER_SERVICE: frozenset(
        _model_perms("view", "product", "order", "orderline", "invoice")
        | _model_perms("view", "invoiceline", "guarantee")
        | _model_perms("view add change", "aftersalescase", "complaint")
    ),
    roles.COMPLIANCE: frozenset(
        _model_perms(
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
        )
    ),
}

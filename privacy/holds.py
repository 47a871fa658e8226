"""Legal holds: what stops (or narrows) an erasure.

An open complaint or after-sales case stops an erasure: the orders app
knows them and answers `orders.selectors.legal_holds_for(client_ids)`.
Invoices inside their 10-year obligation and guarantees the client may
still claim do not stop it: the data map keeps their fields, and
`retained_for` lists them for the receipt. Providers
register here (orders' calls orders.selectors directly); tests register
fakes.

A hold names the data categories it needs kept: a partial erasure (when
the request allows it) erases everything else.
"""

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import date

from core.classification import Category
from core.hooks import Registry
from orders import selectors as order_selectors
from privacy.receipts import reference_label

# What an orders hold (an open complaint or after-sales case) keeps by
# default: who the client is, how to reach them, what they bought and paid,
# and what was said, until the dispute is closed.
ORDERS_HELD_CATEGORIES = (
    Category.IDENTITY,
    Category.CONTACT,
    Category.PURCHASES,
    Category.PAYMENT,
    Category.CONTACT_HISTORY,
)


@dataclass(frozen=True)
class Hold:
    """One reason the law requires keeping some of a client's data.

    `reference` names the record ("orders.Invoice#42"), never its content.
    """

    kind: str
    reference: str
    until: date | None = None
    categories: tuple[str, ...] = field(
        default=tuple(c.value for c in ORDERS_HELD_CATEGORIES)
    )

    def as_receipt(self) -> dict:
        data = asdict(self)
        data["until"] = self.until.isoformat() if self.until else None
        data["categories"] = list(self.categories)
        return data

    def __str__(self):
        until = f" until {self.until:%d/%m/%Y}" if self.until else ""
        # Staff read this (the approval page): the record's name, not its
        # model label.
        return f"{self.kind}: {reference_label(self.reference)}{until}"


HoldProvider = Callable[[list[int]], dict[int, list[Hold]]]
_providers = Registry()
register_hold_provider = _providers.register


def unregister_hold_provider(provider: HoldProvider) -> None:
    if provider in _providers:
        _providers.remove(provider)


def _coerce(raw) -> Hold:
    """Accept orders' own hold objects as long as they carry kind/reference."""
    if isinstance(raw, Hold):
        return raw
    if isinstance(raw, dict):
        get = raw.get
    else:

        def get(name, default=None):
            return getattr(raw, name, default)

    categories = get("categories") or tuple(c.value for c in ORDERS_HELD_CATEGORIES)
    kind = str(get("kind", "legal hold"))
    # orders' LegalHold names its record by kind and object id.
    reference = get("reference") or (
        f"{kind}#{get('object_id')}" if get("object_id") is not None else ""
    )
    return Hold(
        kind=kind,
        reference=str(reference),
        until=get("until"),
        categories=tuple(str(c) for c in categories),
    )


def orders_provider(client_ids: list[int]) -> dict[int, list[Hold]]:
    """orders.selectors.legal_holds_for: open after-sales cases, complaints."""
    found = order_selectors.legal_holds_for(client_ids)
    return {cid: [_coerce(h) for h in holds] for cid, holds in found.items() if holds}


register_hold_provider(orders_provider)


def retained_for(client_ids: Iterable[int], *, today: date) -> list[Hold]:
    """Records an erasure keeps under their obligation, without stopping it
    (orders: invoices inside their 10 years, guarantees still claimable).
    For the receipt: kind, reference and until, never content."""
    found = order_selectors.records_retained_for(list(client_ids), today=today)
    return [
        Hold(
            kind=record.kind,
            reference=f"orders.{record.kind.title()}#{record.object_id}",
            until=record.until,
            categories=(Category.PURCHASES.value,),
        )
        for records in found.values()
        for record in records
    ]


def holds_for(client_ids: Iterable[int]) -> dict[int, list[Hold]]:
    """Every hold on these clients, from every provider (set-based)."""
    ids = list(client_ids)
    combined: dict[int, list[Hold]] = {}
    if not ids:
        return combined
    for provider in list(_providers):
        for client_id, holds in provider(ids).items():
            if holds:
                combined.setdefault(client_id, []).extend(holds)
    return combined


def held_categories(holds: Iterable[Hold]) -> set[str]:
    return {c for hold in holds for c in hold.categories}

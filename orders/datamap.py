"""orders' part of the data map (see clienteling.classification).

Sales stay, attached to the client's anonymised tombstone, because the
accounts must; what only serves the relationship (notes, engravings, ring
sizes, card references, case texts) is erased.
"""

from clienteling.classification import (
    KEY,
    NOT_PERSONAL,
    Category,
    Erasure,
    F,
    ModelMap,
    Source,
    Subject,
)

C, E, S = Category, Erasure, Source

ACCOUNTS = "accounting records, 10 years (French Commercial Code L123-22)"
GUARANTEE = "the legal guarantee of conformity and the house's guarantee"
STAFF_LINK = F(C.STAFF_NOTES, E.KEEP, S.SYSTEM, obligation=ACCOUNTS)
WHEN = NOT_PERSONAL


def _kept(category: Category, *names: str, obligation: str = ACCOUNTS) -> dict:
    return {n: F(category, E.KEEP, S.STAFF, obligation=obligation) for n in names}


def _erased(category: Category, *names: str) -> dict:
    return {n: F(category, E.ERASE, S.STAFF) for n in names}


DATAMAP = {
    "orders.Order": ModelMap(
        Subject.CLIENT,
        "client",
        fields={
            "id": KEY,
            "client": KEY,
            "boutique": KEY,
            "adviser": STAFF_LINK,
            **_kept(C.PURCHASES, "number", "channel", "status", "currency", "total"),
            "notes": F(C.STAFF_NOTES, E.ERASE, S.STAFF),
            # The answer at the sale; the consents ledger and SoftOptIn
            # carry its effect.
            "marketing_email": F(C.PREFERENCES, E.ERASE, S.CLIENT),
            # When an allergy warning was acknowledged reveals the allergy.
            "allergy_acknowledged_at": F(C.HEALTH, E.ERASE, S.SYSTEM),
            "allergy_acknowledged_by": F(C.HEALTH, E.ERASE, S.SYSTEM),
            "created_at": WHEN,
            "updated_at": WHEN,
        },
    ),
    "orders.OrderLine": ModelMap(
        Subject.CLIENT,
        "order__client",
        fields={
            "id": KEY,
            "order": KEY,
            "product": KEY,
            **_kept(C.PURCHASES, "quantity", "unit_price", "currency"),
            "serial_number": F(
                C.PURCHASES,
                E.KEEP,
                S.STAFF,
                obligation=f"{GUARANTEE}; fighting counterfeiting",
            ),
            "ring_size": F(C.CEREMONY, E.ERASE, S.STAFF),
            # An engraving is often a name or a date.
            "engraving": F(C.IDENTITY, E.ERASE, S.CLIENT),
        },
    ),
    "orders.Invoice": ModelMap(
        Subject.CLIENT,
        "client",
        description="Invoices and credit notes: kept 10 years after the end "
        "of their financial year, apart from marketing data, then deleted.",
        fields={
            "id": KEY,
            "client": KEY,
            "order": KEY,
            "boutique": KEY,
            "credited_invoice": KEY,
            "issued_by": STAFF_LINK,
            **_kept(
                C.PURCHASES,
                "kind",
                "number",
                "year",
                "sequence",
                "reason",
                "currency",
                "total",
                "issued_at",
            ),
            "billed_name": F(
                C.IDENTITY, E.KEEP, S.CLIENT, identifies=True, obligation=ACCOUNTS
            ),
            "billed_address": F(
                C.CONTACT, E.KEEP, S.CLIENT, identifies=True, obligation=ACCOUNTS
            ),
            "legal_obligation": NOT_PERSONAL,
            "retention_until": NOT_PERSONAL,
        },
    ),
    "orders.InvoiceLine": ModelMap(
        Subject.CLIENT,
        "invoice__client",
        fields={
            "id": KEY,
            "invoice": KEY,
            "order_line": KEY,
            **_kept(C.PURCHASES, "description", "quantity", "unit_price", "amount"),
        },
    ),
    "orders.Payment": ModelMap(
        Subject.CLIENT,
        "order__client",
        description="Payment references only: never a card number or full "
        "IBAN. The card's token, brand, last four digits and expiry are "
        "erased 13 months after the last payment with the card.",
        fields={
            "id": KEY,
            "order": KEY,
            "recorded_by": STAFF_LINK,
            **_kept(C.PAYMENT, "method", "amount", "currency", "received_at"),
            **_erased(
                C.PAYMENT,
                "provider_reference",
                "card_brand",
                "card_last4",
                "card_expiry_month",
                "card_expiry_year",
                "iban_masked",
            ),
        },
    ),
    "orders.Guarantee": ModelMap(
        Subject.CLIENT,
        "client",
        fields={
            "id": KEY,
            "client": KEY,
            "order_line": KEY,
            "product": KEY,
            **_kept(
                C.PURCHASES,
                "certificate_number",
                "product_serial",
                "legal_start",
                "legal_end",
                "house_start",
                "house_end",
                "status",
                obligation=GUARANTEE,
            ),
        },
    ),
    "orders.AfterSalesCase": ModelMap(
        Subject.CLIENT,
        "client",
        fields={
            "id": KEY,
            "client": KEY,
            "boutique": KEY,
            "guarantee": KEY,
            "opened_by": STAFF_LINK,
            **_erased(
                C.CONTACT_HISTORY,
                "kind",
                "status",
                "received_at",
                "promised_date",
                "closed_at",
            ),
            **_erased(C.STAFF_NOTES, "piece_description", "intake_notes"),
        },
    ),
    "orders.Complaint": ModelMap(
        Subject.CLIENT,
        "client",
        fields={
            "id": KEY,
            "client": KEY,
            "boutique": KEY,
            "order": KEY,
            "opened_by": STAFF_LINK,
            **_erased(
                C.CONTACT_HISTORY,
                "channel",
                "category",
                "status",
                "received_at",
                "resolved_at",
            ),
            **_erased(C.STAFF_NOTES, "description", "resolution"),
        },
    ),
    "orders.Product": ModelMap(
        Subject.NONE,
        None,
        fields=dict.fromkeys(
            (
                "id",
                "reference",
                "name",
                "collection",
                "category",
                "metals",
                "stones",
                "price",
                "currency",
                "is_active",
            ),
            NOT_PERSONAL,
        ),
    ),
    "orders.InvoiceCounter": ModelMap(
        Subject.NONE,
        None,
        fields=dict.fromkeys(("id", "boutique", "year", "last_number"), NOT_PERSONAL),
    ),
}

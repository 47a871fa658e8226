"""The card-number and IBAN detector, re-exported for orders' callers.

It lives in clienteling.payment_numbers so every app can use it (the
dependency rule lets no app import orders but privacy); import it from
there in new code.
"""

from clienteling.payment_numbers import (
    CARD_NUMBER_MESSAGE,
    IBAN_MESSAGE,
    MASKED_IBAN_PATTERN,
    contains_card_number,
    contains_iban,
    iban_mask,
    iban_valid,
    luhn_valid,
    validate_no_payment_numbers,
)

__all__ = [
    "CARD_NUMBER_MESSAGE",
    "IBAN_MESSAGE",
    "MASKED_IBAN_PATTERN",
    "contains_card_number",
    "contains_iban",
    "iban_mask",
    "iban_valid",
    "luhn_valid",
    "validate_no_payment_numbers",
]

"""Money as staff read it: the currency's symbol, the language's separators.

The one way an amount is shown (templates: `{% load money %}` then
`{{ order.total|money:order.currency }}`; Python: `money(amount, currency)`):
"€1,234.50" in English, "1 234,50 €" in French (non-breaking spaces).
Django's own number formatting gives the separators (config/formats/);
a small table gives the symbols, so no extra dependency is needed.
"""

from decimal import Decimal

from django.utils import formats, translation

# The currencies orders are taken in (orders.models.base.CURRENCIES).
SYMBOLS = {
    "EUR": "€",
    "GBP": "£",
    "USD": "US$",
    "CHF": "CHF",
    "JPY": "¥",
    "CNY": "CN¥",
    "HKD": "HK$",
    "SGD": "S$",
    "AED": "AED",
}
# Currencies without minor units.
NO_DECIMALS = {"JPY"}
NBSP = "\u00a0"


def symbol(currency: str) -> str:
    return SYMBOLS.get(currency, currency)


def money(amount, currency: str = "EUR") -> str:
    """The amount with its currency, in the active language's format."""
    if amount is None or amount == "":
        return ""
    value = Decimal(str(amount))
    places = 0 if currency in NO_DECIMALS else 2
    number = formats.number_format(
        abs(value), decimal_pos=places, use_l10n=True, force_grouping=True
    )
    sign = "-" if value < 0 else ""
    mark = symbol(currency)
    language = (translation.get_language() or "en").split("-")[0]
    if language == "fr":
        # French: the symbol after the number, a non-breaking space between.
        return f"{sign}{number}{NBSP}{mark}"
    # English: a sign before the number; a letter code needs a space.
    spacer = NBSP if mark[-1].isalpha() else ""
    return f"{sign}{mark}{spacer}{number}"

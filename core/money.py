"""Money as staff read it: the currency's symbol, the locale's separators.

"€2,900.00" in English, "2 900,00 €" in French. One function for Python
(messages, __str__) and the `money` template filter (core.templatetags.ecrin).
"""

from decimal import Decimal

from django.utils import formats
from django.utils.translation import get_language

SYMBOLS = {"EUR": "€", "GBP": "£", "USD": "$", "CHF": "CHF", "JPY": "¥", "CNY": "¥"}
DECIMALS = {"JPY": 0}
# Languages that write the symbol after the amount, with a no-break space.
SYMBOL_AFTER = {"fr", "de", "it", "es"}
NBSP = "\u00a0"


def format_money(amount, currency: str = "EUR") -> str:
    if amount is None or amount == "":
        return "—"
    currency = (currency or "EUR").upper()
    decimals = DECIMALS.get(currency, 2)
    number = formats.number_format(
        Decimal(amount), decimal_pos=decimals, use_l10n=True, force_grouping=True
    )
    language = (get_language() or "en").split("-")[0]
    if language in SYMBOL_AFTER:
        # French groups thousands with a (narrow) no-break space.
        number = number.replace(" ", NBSP).replace("\u202f", NBSP)
    symbol = SYMBOLS.get(currency, currency)
    if language in SYMBOL_AFTER or len(symbol) > 1:
        return f"{number}{NBSP}{symbol}"
    return f"{symbol}{number}"

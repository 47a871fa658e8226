from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 12, "decimal_places": 2}

# ISO 4217 codes the boutiques sell in.
CURRENCIES = [
    ("EUR", _("EUR: euro")),
    ("GBP", _("GBP: pound sterling")),
    ("CHF", _("CHF: Swiss franc")),
    ("USD", _("USD: US dollar")),
    ("JPY", _("JPY: yen")),
    ("CNY", _("CNY: renminbi")),
    ("HKD", _("HKD: Hong Kong dollar")),
    ("SGD", _("SGD: Singapore dollar")),
    ("AED", _("AED: UAE dirham")),
]

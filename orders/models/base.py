MONEY = {"max_digits": 12, "decimal_places": 2}

# ISO 4217 codes the boutiques sell in.
CURRENCIES = [
    ("EUR", "EUR: euro"),
    ("GBP", "GBP: pound sterling"),
    ("CHF", "CHF: Swiss franc"),
    ("USD", "USD: US dollar"),
    ("JPY", "JPY: yen"),
    ("CNY", "CNY: renminbi"),
    ("HKD", "HKD: Hong Kong dollar"),
    ("SGD", "SGD: Singapore dollar"),
    ("AED", "AED: UAE dirham"),
]

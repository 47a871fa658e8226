from django.conf import settings
from django.core import checks

from orders.models.base import CURRENCIES


@checks.register("orders")
def every_currency_has_a_budget_rate(app_configs=None, **kwargs):
    """A sale in a currency without a rate could not count in lifetime value."""
    return [
        checks.Error(
            f"Orders may be in {code} but BUDGET_RATES_EUR has no rate for it.",
            id="orders.E001",
            hint=f"Add {code}=<euros for one {code}> to BUDGET_RATES_EUR.",
        )
        for code, _ in CURRENCIES
        if code not in settings.BUDGET_RATES_EUR
    ]

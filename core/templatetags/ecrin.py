from django import template

from core.money import format_money

register = template.Library()


@register.filter
def money(amount, currency="EUR"):
    """{{ order.total|money:order.currency }} -> "€2,900.00" / "2 900,00 €"."""
    return format_money(amount, currency)

"""`{{ amount|money:currency }}`: see core.money."""

from django import template

from core.money import money as format_money

register = template.Library()


@register.filter
def money(amount, currency="EUR"):
    return format_money(amount, currency or "EUR")

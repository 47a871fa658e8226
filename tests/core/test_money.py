"""Amounts with the currency symbol and the language's separators."""

from decimal import Decimal

from django.template import Context, Template
from django.utils import translation

from core.money import money


def test_english_puts_the_symbol_first_with_commas():
    with translation.override("en"):
        assert money(Decimal("1234.5"), "EUR") == "€1,234.50"
        assert money(Decimal("-12400"), "GBP") == "-£12,400.00"
        assert money(Decimal("950"), "CHF") == "CHF\u00a0950.00"
        assert money(Decimal("123456"), "JPY") == "¥123,456"


def test_french_puts_the_symbol_last_with_non_breaking_spaces():
    with translation.override("fr"):
        assert money(Decimal("1234.5"), "EUR") == "1\u00a0234,50\u00a0€"
        assert money(Decimal("6800"), "USD") == "6\u00a0800,00\u00a0US$"


def test_nothing_for_no_amount():
    assert money(None) == ""


def test_the_template_filter():
    template = Template("{% load money %}{{ total|money:currency }}")

    with translation.override("fr"):
        text = template.render(Context({"total": Decimal("2900"), "currency": "EUR"}))

    assert text == "2\u00a0900,00\u00a0€"

import pytest
from django.core.exceptions import ValidationError

from core.free_text import FreeTextModel, free_text_errors, free_text_fields
from core.payment_numbers import (
    contains_card_number,
    contains_iban,
    iban_mask,
    luhn_valid,
    validate_no_payment_numbers,
)
from orders import services
from orders.models import Complaint, Order, OrderLine
from tests.orders.factories import ClientFactory, ProductFactory

# Test numbers published by card schemes and payment providers: Luhn-valid.
VISA_TEST = "4111111111111111"
AMEX_TEST = "378282246310005"  # 15 digits
MAESTRO_19 = "6759649826438453003"  # 19 digits, Luhn-valid
IBAN_TEST = "FR76 3000 6000 0112 3456 7890 189"


@pytest.mark.parametrize(
    "text",
    [
        VISA_TEST,
        "4111 1111 1111 1111",
        "4111-1111-1111-1111",
        "Paid with 4111 1111 1111 1111 exp 12/27",
        "card:4111111111111111.",
        "3782 822463 10005",
        AMEX_TEST,
        MAESTRO_19,
        "4111 1111 1111 1111 123",  # PAN then security code in one run
        "00" + VISA_TEST + "99",  # glued to other digits
    ],
)
def test_a_luhn_valid_card_number_is_found(text):
    assert contains_card_number(text)


@pytest.mark.parametrize(
    "text",
    [
        "4111111111111112",  # Luhn check fails
        "4111 1111 1111 1112",
        "4111-1111-1111-1112",
        "411111111111",  # 12 digits: too short for a card even if valid
        "Ring size 52, engraving 'J & M 14.02.2026'",
        "Call +33 1 99 00 12 34",
        "Invoice PAR-VENDOME/2026/000123",
        "",
    ],
)
def test_text_without_a_card_number_passes(text):
    assert not contains_card_number(text)


def test_luhn_checks_digits_only():
    assert luhn_valid("79927398713")
    assert not luhn_valid("79927398710")
    assert not luhn_valid("4111x11111111111")


def test_a_full_iban_is_found_and_masked():
    assert contains_iban(IBAN_TEST)
    assert contains_iban(f"Transfer from {IBAN_TEST.replace(' ', '')} received")
    assert not contains_iban("FR76 3000 6000 0112 3456 7890 188")  # bad check
    assert iban_mask(IBAN_TEST) == "FR" + "*" * 21 + "0189"


def test_a_malformed_iban_is_refused_when_masking():
    with pytest.raises(ValidationError, match="not a valid IBAN"):
        iban_mask("FR00 1234")


def test_validator_names_the_problem():
    with pytest.raises(ValidationError, match="payment card number"):
        validate_no_payment_numbers(f"note {VISA_TEST}")
    with pytest.raises(ValidationError, match="full IBAN"):
        validate_no_payment_numbers(IBAN_TEST)


def _orders_models():
    from django.apps import apps

    return [
        m
        for m in apps.get_app_config("orders").get_models()
        if issubclass(m, FreeTextModel)
    ]


def test_every_client_related_model_of_the_app_refuses_card_numbers():
    # given every orders model except the number counter
    from orders.models import InvoiceCounter

    models = _orders_models()
    assert {m.__name__ for m in models} >= {
        "Product",
        "Order",
        "OrderLine",
        "Invoice",
        "InvoiceLine",
        "Payment",
        "Guarantee",
        "AfterSalesCase",
        "Complaint",
    }
    assert not issubclass(InvoiceCounter, FreeTextModel)
    for model in models:
        for field in free_text_fields(model):
            instance = model()
            setattr(instance, field.attname, f"x {VISA_TEST} x")
            errors = free_text_errors(instance)
            assert field.name in errors, f"{model.__name__}.{field.name}"


@pytest.mark.django_db
def test_a_card_number_in_order_notes_writes_nothing():
    client = ClientFactory()

    with pytest.raises(ValidationError) as exc:
        services.order_create(
            acting_user=None,
            client=client,
            boutique=client.home_boutique,
            lines=[services.LineInput(product=ProductFactory())],
            notes=f"Client paid with {VISA_TEST[:8]} {VISA_TEST[8:]}",
        )

    assert "notes" in exc.value.message_dict
    assert not Order.objects.exists()
    assert not OrderLine.objects.exists()


@pytest.mark.django_db
def test_a_card_number_in_an_engraving_writes_nothing():
    client = ClientFactory()

    with pytest.raises(ValidationError) as exc:
        services.order_create(
            acting_user=None,
            client=client,
            boutique=client.home_boutique,
            lines=[
                services.LineInput(
                    product=ProductFactory(), engraving="4111-1111-1111-1111"
                )
            ],
        )

    assert "engraving" in exc.value.message_dict
    assert not Order.objects.exists()


@pytest.mark.django_db
def test_save_refuses_a_card_number_even_without_full_clean():
    client = ClientFactory()
    complaint = Complaint(
        client=client,
        channel="phone",
        category="billing",
        description=f"Charged twice on {VISA_TEST}",
        received_at="2026-01-01T10:00:00Z",
    )

    with pytest.raises(ValidationError):
        complaint.save()

    assert not Complaint.objects.exists()


@pytest.mark.parametrize(
    "text",
    [
        "card 4111.1111.1111.1111 exp 12/28",
        "card 4111  1111  1111  1111",
        "card 4111/1111/1111/1111",
        "card 4111\u00a01111\u00a01111\u00a01111",
        "card 4111 – 1111 – 1111 – 1111",
    ],
)
def test_card_numbers_with_other_separators_are_found(text):
    assert contains_card_number(text)


@pytest.mark.parametrize(
    "text",
    [
        "FR76 3000 6000 0112 3456 7890 189 merci",
        "iban FR7630006000011234567890189 ok",
        "FR76-3000-6000-0112-3456-7890-189",
        "iban:FR7630006000011234567890189.",
    ],
)
def test_ibans_glued_to_words_or_dashed_are_found(text):
    assert contains_iban(text)


@pytest.mark.parametrize(
    "text",
    ["order 2026-11-28 for 3 rings", "ref FR12 please", "tel +33 1 99 00 12 34"],
)
def test_ordinary_text_is_not_taken_for_a_payment_number(text):
    assert not contains_card_number(text)
    assert not contains_iban(text)

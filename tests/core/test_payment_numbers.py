"""The card-number and IBAN detector (core.payment_numbers).

Every written form of a card number or IBAN in tests.helpers is found; a
property test shows that the numbers staff write all day (order and invoice
numbers, phone numbers, dates, amounts) are not taken for one.
"""

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.payment_numbers import (
    contains_card_number,
    contains_iban,
    iban_valid,
    normalised,
    payment_number_kind,
)
from tests.helpers import IBAN_FR, PAYMENT_NUMBER_VARIANTS, VISA


@pytest.mark.parametrize(
    ("kind", "text"),
    PAYMENT_NUMBER_VARIANTS.values(),
    ids=PAYMENT_NUMBER_VARIANTS.keys(),
)
def test_every_written_form_of_a_payment_number_is_found(kind, text):
    assert payment_number_kind(text) == kind


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("４１１１", "4111"),  # full-width
        ("٤١١١", "4111"),  # Arabic-Indic
        ("۴۱۱۱", "4111"),  # Eastern Arabic-Indic
        ("४१११", "4111"),  # Devanagari
        ("41\u200b11", "4111"),  # zero-width space dropped
        ("41\u00ad11", "4111"),  # soft hyphen dropped
        ("41\u00a011", "41 11"),  # no-break space is a space
        ("41\u202f11", "41 11"),  # narrow no-break space
        ("41\u201311", "41-11"),  # en dash is a dash
        ("41\u221211", "41-11"),  # minus sign is a dash
    ],
)
def test_text_is_normalised_before_it_is_read(text, expected):
    assert normalised(text) == expected


@pytest.mark.parametrize("text", [VISA[:-1] + "2", "4111 1111 1111"])
def test_near_miss_card_numbers_are_not_card_numbers(text):
    # one digit off (Luhn fails); 12 digits
    assert payment_number_kind(text) is None


@pytest.mark.parametrize(
    "text", [IBAN_FR[:-1] + "0", "FR76 3000 6000 0112 3456 7890", "ref FR12 please"]
)
def test_near_miss_ibans_are_not_ibans(text):
    # check digits fail; too short for France; a reference
    assert not contains_iban(text)


def test_an_iban_must_have_its_countrys_length():
    assert iban_valid(IBAN_FR)
    assert not iban_valid(IBAN_FR + "0")


def test_a_card_number_written_like_a_phone_number_is_still_found():
    # "+41 1111..." is not a valid Swiss number: the "+" hides nothing.
    assert contains_card_number(f"+{VISA}")
    assert not contains_iban(f"+{VISA}")


# --- What staff write all day is not refused -----------------------------------

_REGIONS = ["FR", "GB", "DE", "CH", "IT", "ES", "US", "CN", "JP", "AE", "SG", "HK"]
_TYPES = [phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE]
_FORMATS = [
    phonenumbers.PhoneNumberFormat.INTERNATIONAL,
    phonenumbers.PhoneNumberFormat.NATIONAL,
    phonenumbers.PhoneNumberFormat.E164,
]


@st.composite
def phone_numbers(draw) -> str:
    """A valid phone number of a country the house sells in, as written."""
    region = draw(st.sampled_from(_REGIONS))
    example = phonenumbers.example_number_for_type(
        region, draw(st.sampled_from(_TYPES))
    )
    national = str(example.national_number)
    tail = draw(st.text("0123456789", min_size=4, max_size=4))
    number = phonenumbers.parse(f"+{example.country_code}{national[:-4]}{tail}", None)
    if not phonenumbers.is_valid_number(number):
        number = example
    written = phonenumbers.format_number(number, draw(st.sampled_from(_FORMATS)))
    if draw(st.booleans()) and written.startswith("+"):
        written = "00" + written[1:]  # the international prefix instead of "+"
    return written


order_numbers = st.builds(
    lambda n: f"CO{n:08d}", st.integers(min_value=0, max_value=10**8 - 1)
)
invoice_numbers = st.builds(
    lambda code, year, n: f"{code}/{year}/{n:06d}",
    st.sampled_from(["PAR", "LON", "MUC", "paris-vendome"]),
    st.integers(min_value=2000, max_value=2099),
    st.integers(min_value=1, max_value=999_999),
)
client_numbers = st.builds(
    lambda n: f"EC{n:010d}", st.integers(min_value=0, max_value=10**10 - 1)
)
dates = st.dates().flatmap(
    lambda d: st.sampled_from(
        [d.isoformat(), f"{d:%d/%m/%Y}", f"{d:%d.%m.%Y}", f"{d:%m/%d/%y}"]
    )
)
amounts = st.builds(
    lambda units, cents, style: style.format(units, cents),
    st.integers(min_value=0, max_value=999_999_999),
    st.integers(min_value=0, max_value=99),
    st.sampled_from(["{:,}.{:02d} EUR", "{}.{:02d} €", "€{:,}.{:02d}", "{} CHF"]),
)
staff_values = st.one_of(
    order_numbers, invoice_numbers, client_numbers, phone_numbers(), dates, amounts
)


@settings(max_examples=500, deadline=None)
@given(st.lists(staff_values, min_size=1, max_size=4))
def test_numbers_staff_write_every_day_are_not_refused(values):
    # given a note naming orders, phones, dates and amounts in words
    text = "Called about " + ", then ".join(values) + "."

    # then it is not taken for a card number or an IBAN
    assert payment_number_kind(text) is None, text

"""The French fast path of normalise_phone gives what phonenumbers.parse
gives, for every prefix, separator and a spread of subscriber digits."""

import random

import phonenumbers
import pytest

from clienteling import phones


def _slow(text: str, region: str = "FR") -> str | None:
    """normalise_phone without its fast path: parse, validate, format."""
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _samples():
    rng = random.Random(22)
    for prefix in range(1, 10):
        for _ in range(400):
            tail = f"{rng.randrange(10**8):08d}"
            yield f"0{prefix}{tail}"
        for tail in ("00000000", "99999999", "12345678"):
            yield f"0{prefix}{tail}"


@pytest.mark.parametrize("separator", ["", " ", ".", "-"])
def test_fast_path_matches_phonenumbers(separator, settings):
    settings.PHONENUMBER_DEFAULT_REGION = "FR"
    checked = valid = 0
    for digits in _samples():
        pairs = [digits[i : i + 2] for i in range(0, 10, 2)]
        text = separator.join(pairs)
        assert phones._FR_NATIONAL.fullmatch(text), text
        expected = _slow(text)
        assert phones.normalise_phone(text) == expected, text
        checked += 1
        valid += expected is not None
    # Both outcomes were compared, not only one of them.
    assert checked == 9 * 403
    assert 0 < valid < checked


def test_other_shapes_and_regions_take_the_parser(settings):
    settings.PHONENUMBER_DEFAULT_REGION = "FR"
    assert phones.normalise_phone("+33 1 99 00 12 34") == "+33199001234"
    assert phones.normalise_phone("0033199001234") == "+33199001234"
    assert phones.normalise_phone("(0)1 99 00 12 34") == _slow("(0)1 99 00 12 34")
    # Read in Britain, a leading 0 is Britain's national prefix.
    assert phones.normalise_phone("020 7946 0018", region="GB") == "+442079460018"
    assert phones.normalise_phone("01 99 00 12 34", region="GB") == _slow(
        "01 99 00 12 34", "GB"
    )


def test_nine_digit_check_matches_the_per_type_check():
    """The one-alternation check of nine digits (decision 0093) answers as
    the per-type check of decision 0091 over 20,000 numbers per first
    digit."""
    rng = random.Random(93)
    valid = 0
    for first in range(10):
        for _ in range(20_000):
            national = f"{first}{rng.randrange(10**8):08d}"
            expected = phones._fr_valid(national)
            assert phones._fr_nine_valid(national) is expected, national
            valid += expected
    assert 0 < valid < 200_000


def test_the_column_fast_path_answers_only_what_normalise_phone_does(settings):
    settings.PHONENUMBER_DEFAULT_REGION = "FR"
    for text in ("01 99 00 12 34", "0612345678", "01 00 00 00 00", "+33612345678"):
        fast = phones.fr_national_fast(text)
        assert fast is None or fast == phones.normalise_phone(text), text
    assert phones.fr_national_fast("06 12 34 56 78") == "+33612345678"
    assert phones.fr_national_fast("+33 6 12 34 56 78") is None

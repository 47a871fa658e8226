def test_a_stored_e164_number_and_the_same_number_typed_give_one_digest():
    from consents.suppression import phone_digest

    assert phone_digest("+33199001234") == phone_digest("01 99 00 12 34")
    assert phone_digest("+33199001234") == phone_digest("+33 1 99 00 12 34")
    assert phone_digest("not a phone") is None

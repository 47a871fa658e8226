"""The import's column-by-column validation (decision 0093) against its
row-by-row one (_RowValidator.validate, itself pinned against
django-import-export's row engine in test_import_engine.py): the same
problems, row, column and message, for every kind of bad value, and the
same cleaned clients for a varied valid file."""

import pytest

from clienteling import imports
from tests.clienteling.factories import BoutiqueFactory
from tests.clienteling.test_import_engine import (
    BAD_ROWS,
    HEADER,
    VARIED_ROWS,
    _by_rows,
    _csv,
    _rolled_back,
    _row,
    _set_based,
)

pytestmark = pytest.mark.django_db

# Bad values beyond BAD_ROWS: each shape a fast path accepts, just wrong.
MORE_BAD_ROWS = [
    _row(21, birth_date="1985-02-30"),  # ISO shape, no such day
    _row(22, birth_date="85-02-03"),
    _row(23, mobile="07 00 00 00 00"),  # French shape, no such number
    _row(24, mobile="06-12-34-56-24", landline="07-10-00-00-00"),
    _row(25, last_name="4111 1111 1111 1111"),  # a card number
    _row(26, first_name="FR7630006000011234567890189"),  # an IBAN
    _row(27, first_name="Ann\x00e"),
    _row(28, email="plain@example", mobile="+33 6 12"),
    _row(29, email="x@" + "a" * 250 + ".com"),
    _row(30, client_number="IMP-\u00e9", title="Mrs", nationality="fr"),
    _row(31, last_name="y" * 101, first_name=""),
    _row(32, mobile="06 12 34 56 78", landline="06.12.34.56.78"),
    _row(33, preferred_language="FR", civil_status=" married"),
    _row(34, first_name="\ufb01\ufb01\ufb01\ufb01\ufb01\ufb014111111111111111"),
]

# Valid values of every shape: fast paths and the slow ones.
MORE_VALID_ROWS = [
    _row(41, birth_date="1985-2-3"),  # strptime's shape, not ISO's
    _row(42, mobile="0612345678", landline="01-99-00-00-42"),
    _row(43, mobile="07.99.34.56.78", landline="+33199000043"),
    _row(44, email="first.last+tag@sub.example.org", first_name="Zoë-Ånné"),
    _row(45, email="UPPER@EXAMPLE.COM", last_name="\ufb01ne"),
    _row(46, email="o'neil@example.com", nationality="JP"),
    _row(47, mobile="  06 12 34 56 47  ", first_name="a" * 100),
    _row(48, client_number="imp-0048", title="mr", civil_status="single"),
    _row(49, mobile="(0)6 12 34 56 49", landline="0044 20 7946 0049"),
    _row(50, last_name="Prénom avec espaces longues", email="u@exämple.com"),
    _row(51, birth_date="2000-02-29", preferred_language="de"),
]


@pytest.fixture
def paris():
    return BoutiqueFactory(code="PAR")


def _validator(paris):
    resource = imports._resource(None)
    resource.fields["home_boutique"].widget.known = {"PAR": paris}
    return resource, imports._RowValidator(resource, list(HEADER))


def _batch(rows) -> list[list]:
    """The rows as the stream hands them to the validator: client numbers
    stripped and in capitals (imports._Stream._check_numbers)."""
    at = HEADER.index("client_number")
    batch = [list(r) for r in rows]
    for values in batch:
        values[at] = values[at].strip().upper()
    return batch


def _state(client) -> dict:
    values = {k: v for k, v in vars(client).items() if k != "_state"}
    state = client._state
    values["_state"] = (state.db, state.adding, dict(state.fields_cache))
    return values


def _problems(resource, checked) -> list[str]:
    return [
        message
        for number, (_client, errors) in enumerate(checked, start=1)
        for message in resource.row_problems(number, errors)
    ]


@pytest.mark.parametrize("rows", [BAD_ROWS, MORE_BAD_ROWS, BAD_ROWS + MORE_BAD_ROWS])
def test_every_bad_value_gives_the_row_validators_problems(paris, rows):
    resource, validator = _validator(paris)
    by_row = [
        validator.validate(dict(zip(HEADER, r, strict=True))) for r in _batch(rows)
    ]
    resource, validator = _validator(paris)
    by_column = validator.validate_batch(_batch(rows))

    expected = _problems(resource, by_row)
    assert _problems(resource, by_column) == expected
    # Every bad row is reported (the first of BAD_ROWS is valid).
    bad_rows = {m.split(",")[0].split(":")[0] for m in expected}
    assert len(bad_rows) == len([r for r in rows if r != BAD_ROWS[0]])


def test_the_new_bad_values_have_these_messages(paris):
    resource, validator = _validator(paris)
    checked = validator.validate_batch(_batch(MORE_BAD_ROWS))
    problems = _problems(resource, checked)
    assert problems[0].startswith("Row 1, column birth_date: "), problems
    assert "Row 3, column mobile: '07 00 00 00 00' is not a valid phone number." in (
        problems
    )
    assert any(
        m.startswith(
            "Row 5, column last_name: Last name holds what looks like a "
            "payment card number."
        )
        for m in problems
    ), problems
    assert any(m.startswith("Row 6, column first_name: ") for m in problems)
    assert "Row 12, column landline: +33612345678 is already the mobile number." in (
        problems
    )


def test_valid_files_give_the_same_clients(paris):
    rows = VARIED_ROWS + MORE_VALID_ROWS
    resource, validator = _validator(paris)
    by_row = [
        validator.validate(dict(zip(HEADER, r, strict=True))) for r in _batch(rows)
    ]
    resource, validator = _validator(paris)
    by_column = validator.validate_batch(_batch(rows))

    assert [errors for _client, errors in by_row] == [{}] * len(rows)
    assert [errors for _client, errors in by_column] == [{}] * len(rows)
    for (old, _e), (new, _f) in zip(by_row, by_column, strict=True):
        assert _state(new) == _state(old)
    # Phones normalised the same, through the fast path and the parser.
    mobiles = [c.import_mobile for c, _e in by_column]
    assert "+33612345678" in mobiles
    assert by_column[len(VARIED_ROWS) + 1][0].import_landline == "+33199000042"


def test_a_second_batch_reuses_the_outcomes_and_gives_the_same(paris):
    rows = VARIED_ROWS + MORE_VALID_ROWS
    resource, validator = _validator(paris)
    first = validator.validate_batch(_batch(rows))
    again = validator.validate_batch(_batch(rows))
    for (old, _e), (new, _f) in zip(first, again, strict=True):
        assert _state(new) == _state(old)
        assert new is not old


def test_the_whole_engine_names_the_row_engines_problems(paris):
    data = _csv(MORE_BAD_ROWS)
    by_rows, _snapshot = _rolled_back(lambda: _by_rows(data, None))
    set_based, snapshot = _rolled_back(lambda: _set_based(data, None))
    assert set_based == by_rows
    assert all(not rows for rows in snapshot.values())


def test_the_whole_engine_writes_the_row_engines_rows(paris):
    data = _csv(MORE_VALID_ROWS)
    _clients, by_rows = _rolled_back(lambda: _by_rows(data, None))
    _clients, set_based = _rolled_back(lambda: _set_based(data, None))
    assert set_based == by_rows
    assert len(set_based["clients"]) == len(MORE_VALID_ROWS)

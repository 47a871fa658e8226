"""The import read as a stream (imports.check_upload, imports.import_upload):
batch by batch, the same problems as the row engine, nothing written when any
batch has one, and memory bounded by a batch (issue 22, decision 0105)."""

import pytest
from django.core.validators import validate_email

from clienteling import csv_files, imports
from clienteling.exceptions import ImportRefused
from clienteling.models import Client, ClientEmail, ClientPhone
from clienteling.resources import _PLAIN_EMAIL
from tests.clienteling.factories import BoutiqueFactory, ClientFactory, adviser
from tests.clienteling.test_import_engine import (
    BAD_ROWS,
    HEADER,
    VARIED_ROWS,
    _by_rows,
    _csv,
    _rolled_back,
    _row,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def paris():
    return BoutiqueFactory(code="PAR")


@pytest.fixture(autouse=True)
def small_batches(monkeypatch):
    # Three rows a batch: every file below spans several batches.
    monkeypatch.setattr(imports, "BATCH_ROWS", 3)


def _stored(tmp_path, data: bytes):
    path = tmp_path / "upload.csv"
    path.write_bytes(data)
    return path


def _checked(tmp_path, data, user):
    return imports.check_upload(_stored(tmp_path, data), acting_user=user).problems


def _written(tmp_path, data, user):
    return imports.import_upload(_stored(tmp_path, data), acting_user=user)


FILES = {
    "bad rows": lambda: BAD_ROWS,
    "repeated across batches": lambda: [
        _row(1),
        _row(2),
        _row(3),
        _row(4),
        _row(5, client_number="IMP-0001"),
        _row(6, client_number="imp-0004"),
        _row(7, client_number="IMP-0001"),
    ],
    "existing in a later batch": lambda: [_row(n) for n in range(1, 8)],
    "bad row in the last batch only": lambda: [
        *(_row(n) for n in range(1, 7)),
        _row(7, email="nope"),
    ],
}


@pytest.mark.parametrize("name", FILES)
def test_the_check_names_the_row_engines_problems(tmp_path, paris, name):
    ClientFactory(client_number="IMP-0006", home_boutique=paris)
    data = _csv(FILES[name]())
    user = adviser(paris)

    by_rows, _ = _rolled_back(lambda: _by_rows(data, user))
    checked = _checked(tmp_path, data, user)

    assert checked == by_rows
    assert checked


@pytest.mark.parametrize("name", FILES)
def test_the_write_names_them_too_and_writes_no_batch(tmp_path, paris, name):
    ClientFactory(client_number="IMP-0006", home_boutique=paris)
    data = _csv(FILES[name]())
    user = adviser(paris)
    by_rows, _ = _rolled_back(lambda: _by_rows(data, user))

    written, snapshot = _rolled_back(lambda: _written(tmp_path, data, user))

    assert written == by_rows
    assert len(snapshot["clients"]) == 1  # IMP-0006 only
    for table in ("emails", "phones", "email_history", "phone_history"):
        assert not snapshot[table]


def test_boutiques_not_worked_in_are_named_across_batches(tmp_path, paris):
    BoutiqueFactory(code="LON")
    rows = [_row(n, home_boutique="LON" if n in (2, 6) else "PAR") for n in range(1, 8)]
    data = _csv(rows)
    user = adviser(paris)

    by_rows, _ = _rolled_back(lambda: _by_rows(data, user))

    assert (
        _checked(tmp_path, data, user)
        == by_rows
        == [
            "Row 2, column home_boutique: you do not work in LON.",
            "Row 6, column home_boutique: you do not work in LON.",
        ]
    )


def test_a_nul_anywhere_is_the_only_problem_named(tmp_path, paris):
    rows = [_row(n) for n in range(1, 8)]
    rows[0] = _row(1, email="nope")
    rows[5] = _row(6, first_name="Al\x00ine")

    assert _checked(tmp_path, _csv(rows), None) == [
        "Row 6, column first_name: contains a NUL character (an invisible control "
        "character); remove it and import again."
    ]


def test_a_valid_file_writes_the_row_engines_rows(tmp_path, paris):
    rows = [*VARIED_ROWS, *(_row(n) for n in range(10, 14))]
    data = _csv(rows)
    user = adviser(paris)

    _, by_rows = _rolled_back(lambda: _by_rows(data, user))
    count, written = _rolled_back(lambda: _written(tmp_path, data, user))

    assert count == len(rows)
    assert written == by_rows


def test_generated_numbers_across_batches_are_unique(tmp_path, paris):
    rows = [_row(n, client_number="") for n in range(1, 11)]

    assert _written(tmp_path, _csv(rows), None) == 10

    numbers = list(Client.objects.values_list("client_number", flat=True))
    assert len(set(numbers)) == 10
    assert Client.history.count() == ClientEmail.objects.count() == 10
    assert ClientPhone.history.count() == 10


def test_the_check_keeps_the_first_rows_and_counts_every_row(tmp_path, paris):
    rows = [_row(n) for n in range(1, 13)]
    preview = []

    checked = imports.check_upload(
        _stored(tmp_path, _csv(rows)), acting_user=None, preview=preview
    )

    assert (checked.rows, checked.problems) == (12, [])
    assert checked.headers == HEADER
    assert preview == rows[: imports.PREVIEW_ROWS]
    assert not Client.objects.exists()


def test_memory_holds_a_batch_of_outcomes(paris):
    # Names never repeat: their outcomes are dropped after each batch;
    # a column whose values repeat keeps them.
    validator = imports._RowValidator(imports._resource(None), HEADER)
    for n in range(1, 8):
        validator.validate(dict(zip(HEADER, _row(n), strict=True)))
        validator.forget()
    sizes = {f.column_name: len(outcomes) for f, outcomes in validator.columns}

    assert sizes["first_name"] < imports.BATCH_ROWS
    assert sizes["nationality"] == 1
    assert all(len(o) < imports.BATCH_ROWS for o in validator.memo.values())


# --- Reading the stored file: read_text's and read_dataset's answers ---------

BAD_FILES = [
    b"",
    b" \n \n",
    b"PK\x03\x04 not a csv",
    "first_name,last_name\né,x\n".encode("latin-1"),
    b"first_name,last_name\n" + b"x" * (csv_files.MAX_LINE_CHARACTERS + 1) + b"\n",
]


@pytest.mark.parametrize("data", BAD_FILES)
def test_a_stored_file_is_refused_with_read_texts_message(tmp_path, data, monkeypatch):
    monkeypatch.setattr(csv_files, "CHUNK_BYTES", 7)  # lines across chunks
    with pytest.raises(ImportRefused) as expected:
        csv_files.read_text(data)

    with pytest.raises(csv_files.UnreadableFile) as refused:
        csv_files.check_file(_stored(tmp_path, data))

    assert refused.value.messages == expected.value.messages


def test_a_long_line_split_across_chunks_is_found(tmp_path, monkeypatch):
    monkeypatch.setattr(csv_files, "CHUNK_BYTES", 1000)
    data = b"a,b\n" + b"y" * (csv_files.MAX_LINE_CHARACTERS + 1) + b"\r\n1,2\r\n"

    with pytest.raises(csv_files.UnreadableFile, match="Line 2 is"):
        csv_files.check_file(_stored(tmp_path, data))


def test_rows_are_read_as_the_dataset_reads_them(tmp_path, monkeypatch):
    monkeypatch.setattr(csv_files, "CHUNK_BYTES", 5)
    data = '\ufeffa,b,c\r\n1,2,3\r\n\r\n4,5\r\n"6\n7",8,9\r\n'.encode()
    path = _stored(tmp_path, data)

    assert csv_files.check_file(path) == 6
    with csv_files.open_rows(path) as (headers, rows):
        read = list(rows)
    dataset = csv_files.read_dataset(data)

    assert headers == dataset.headers == ["a", "b", "c"]
    assert read == [list(r) for r in dataset]


def test_a_row_wider_than_the_header_refuses_the_file(tmp_path):
    data = b"a,b\n1,2\n1,2,3\n"
    with pytest.raises(ImportRefused) as expected:
        csv_files.read_dataset(data)

    with (
        pytest.raises(csv_files.UnreadableFile) as refused,
        csv_files.open_rows(_stored(tmp_path, data)) as (_, rows),
    ):
        list(rows)

    assert refused.value.messages == expected.value.messages


# --- The fast answers: the same as the full checks ---------------------------

ADDRESSES = [
    "a@example.com",
    "first.last+tag@mail.example.co.uk",
    "x_y-z@a-b.fr",
    "a..b@example.com",
    ".a@example.com",
    "a.@example.com",
    "a@-example.com",
    "a@example-.com",
    "a@example.c",
    "a@example.123",
    "a@localhost",
    "a@[127.0.0.1]",
    '"quoted"@example.com',
    "é@example.com",
    "a@exämple.com",
    "a@b@example.com",
    "a@" + "b" * 64 + ".com",
    "a@" + "b" * 63 + ".com",
]


def test_the_plain_email_shape_is_only_ever_a_valid_address():
    plain = [a for a in ADDRESSES if _PLAIN_EMAIL.fullmatch(a)]
    for address in plain:
        validate_email(address)  # never raises for the fast path's matches
    assert plain == ADDRESSES[:3] + [ADDRESSES[-1]]


def test_a_header_problem_is_named_before_any_row_is_read(tmp_path, paris):
    data = b"first_name,last_name,home_boutique,email,email\nA,B,PAR,a@b.fr,c@d.fr\n"

    checked = imports.check_upload(_stored(tmp_path, data), acting_user=None)

    assert checked.rows == 1
    assert checked.problems == [
        "Column email appears 2 times (columns 4 and 5); keep one."
    ]

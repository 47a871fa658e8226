"""Hostile and broken import files: one clear message each, nothing written,
and staff read row, column and reason, never a traceback."""

import logging

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from clienteling import csv_files, imports, services
from clienteling.exceptions import ImportRefused
from clienteling.models import Client, ClientEmail
from clienteling.resources import ClientResource
from core import roles
from tests.clienteling import import_flow
from tests.clienteling.factories import BoutiqueFactory, UserFactory

pytestmark = pytest.mark.django_db

HEADER = "client_number,first_name,last_name,home_boutique,email"
GOOD_ROW = "IN-0001,Aline,Marchal,PAR,aline@example.com"
# What staff must never read on an import page.
INTERNALS = ("Traceback", "ValidationError", "ImportRefused", "Error:", 'File "')


@pytest.fixture
def paris():
    return BoutiqueFactory(code="PAR")


def _refusal(data) -> list[str]:
    with pytest.raises(ImportRefused) as refused:
        services.clients_import(acting_user=None, data=data)
    assert not Client.objects.exists()
    assert not ClientEmail.objects.exists()
    return refused.value.messages


def test_a_repeated_column_is_refused_and_named(paris):
    data = f"{HEADER},email\n{GOOD_ROW},other@example.com\n".encode()

    assert _refusal(data) == [
        "Column email appears 2 times (columns 5 and 6); keep one."
    ]


def test_a_repeated_column_differing_only_by_spaces_is_refused(paris):
    data = f"{HEADER}, email \n{GOOD_ROW},other@example.com\n".encode()

    assert _refusal(data) == [
        "Column email appears 2 times (columns 5 and 6); keep one."
    ]


def test_a_column_without_a_name_is_refused(paris):
    data = f"{HEADER},\n{GOOD_ROW},x\n".encode()

    assert _refusal(data) == [
        "Column 6 has no name in the first line; every column needs one."
    ]


@pytest.mark.parametrize("column", ["first_name", "last_name", "email"])
def test_a_nul_character_is_refused_with_row_and_column(paris, column):
    values = dict(zip(HEADER.split(","), GOOD_ROW.split(","), strict=True))
    values[column] = values[column][:2] + "\x00" + values[column][2:]
    second = ",".join(values.values())
    data = f"{HEADER}\n{GOOD_ROW.replace('0001', '0002')}\n{second}\n".encode()

    assert _refusal(data) == [
        f"Row 2, column {column}: contains a NUL character (an invisible "
        "control character); remove it and import again."
    ]


def test_the_row_engine_refuses_a_nul_character_the_same_way(paris):
    dataset = csv_files.read_dataset(f"{HEADER}\nIN-1,Al\x00ine,M,PAR,\n")

    with pytest.raises(ImportRefused) as refused:
        imports.import_row_by_row(dataset, acting_user=None)

    assert refused.value.messages == [
        "Row 1, column first_name: contains a NUL character (an invisible "
        "control character); remove it and import again."
    ]
    assert not Client.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(b"", "The file is empty: nothing was imported.", id="empty"),
        pytest.param(
            b" \r\n\r\n", "The file is empty: nothing was imported.", id="blank"
        ),
        pytest.param(
            b"PK\x03\x04\x14\x00\x06\x00rest-of-a-workbook",
            "The file is a spreadsheet workbook (XLSX or ODS), not a CSV: save "
            "it as 'CSV UTF-8' and try again.",
            id="xlsx",
        ),
        pytest.param(
            b"%PDF-1.7\n%\xe2\xe3",
            "The file is a PDF, not a CSV: save it as 'CSV UTF-8' and try again.",
            id="pdf",
        ),
        pytest.param(
            f"{HEADER}\nIN-1,Hélène,M,PAR,\n".encode("latin-1"),
            "The file is not UTF-8 text (byte 0xe9 at position 61): save it as "
            "'CSV UTF-8' and try again.",
            id="latin-1",
        ),
        pytest.param(
            f"{HEADER}\nIN-1,{'A' * 20_000},M,PAR,\n".encode(),
            "Line 2 is 20,012 characters long; the limit is 10,000. Check that "
            "the file is the expected CSV.",
            id="huge-line",
        ),
    ],
)
def test_an_unreadable_file_gets_one_clear_message(paris, data, message):
    assert _refusal(data) == [message]


def test_unknown_columns_are_echoed_short_and_without_control_characters(paris):
    data = f"{HEADER},{'x' * 200},bad\x07name\n{GOOD_ROW},1,2\n".encode()

    (message,) = _refusal(data)

    assert message.startswith(
        f"Unknown columns: {'x' * 39}\u2026, bad\ufffdname. Expected columns:"
    )


# --- The admin's import page ------------------------------------------------------


def _preview(client, data: bytes):
    # The upload is checked by a job (clienteling.jobs); the import's page
    # shows the first rows and every problem once it is done.
    return import_flow.upload(client, data)


@pytest.fixture
def manager_client(client, paris):
    client.force_login(UserFactory(role=roles.MANAGER, boutiques=[paris]))
    return client


def test_the_preview_lists_row_column_and_reason_only(manager_client):
    data = f"{HEADER}\nIN-1,Aline,Marchal,PAR,not-an-email\n".encode()

    response = _preview(manager_client, data)

    page = response.content.decode()
    assert (
        "<td>1</td><td>email</td><td>&#x27;not-an-email&#x27; is not a valid email"
        in page
    )
    for internal in INTERNALS:
        assert internal not in page
    assert "Confirm import" not in page
    assert not Client.objects.exists()


def test_a_file_level_refusal_in_the_preview_shows_no_traceback(manager_client):
    data = f"{HEADER},email\n{GOOD_ROW},x@example.com\n".encode()

    page = _preview(manager_client, data).content.decode()

    assert "Column email appears 2 times" in page
    for internal in INTERNALS:
        assert internal not in page


@pytest.mark.django_db(transaction=True)
def test_an_unexpected_error_is_logged_and_staff_read_a_plain_sentence(
    client, monkeypatch, caplog
):
    # The check is a job now: an unexpected error fails its attempts, and
    # staff read the job's sentence, never the exception.
    client.force_login(
        UserFactory(role=roles.MANAGER, boutiques=[BoutiqueFactory(code="PAR")])
    )

    def broken(self, instance, row, **kwargs):
        raise RuntimeError("internal-detail-42")

    monkeypatch.setattr(ClientResource, "before_save_instance", broken)
    data = f"{HEADER}\n{GOOD_ROW}\n".encode()

    with caplog.at_level(logging.ERROR, logger="core.jobs.engine"):
        response = client.post(
            reverse("admin:clienteling_client_import"),
            {"import_file": SimpleUploadedFile("c.csv", data, "text/csv")},
            follow=True,
        )

    page = response.content.decode()
    assert "The check of the file stopped on an unexpected error" in page
    for internal in (*INTERNALS, "RuntimeError", "internal-detail-42"):
        assert internal not in page
    assert "RuntimeError: internal-detail-42" in caplog.text
    assert "Confirm import" not in page
    assert not Client.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(
            "first_name\nHélène\n".encode("latin-1"), "is not UTF-8 text", id="latin"
        ),
        pytest.param(b"PK\x03\x04rest", "spreadsheet workbook", id="xlsx"),
        pytest.param(b" \n", "The file is empty", id="blank"),
    ],
)
def test_an_unreadable_upload_is_a_form_error_in_plain_words(
    manager_client, data, message
):
    # Read by the check job now: a problem of the whole file on its page.
    response = _preview(manager_client, data)

    page = response.content.decode()
    assert message in page
    for internal in (*INTERNALS, "UnicodeDecodeError", "encountered"):
        assert internal not in page
    assert "Confirm import" not in page
